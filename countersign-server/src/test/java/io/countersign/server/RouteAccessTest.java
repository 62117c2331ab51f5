package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.http.Access;
import io.countersign.server.http.RouteInfo;
import io.countersign.server.identity.IdentityConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks every route the server registered (from its router, so a new route can't be missed) with
 * no token, an agent's key, a human's token and an admin's token, and checks each answer against
 * who may call it: DESIGN.md's table for the v1 API, and "authenticated unless it is /healthz,
 * /readyz, /metrics, /v1/openapi.json or /v1/audit/* other than the entries (and the tiles' entry
 * bundles, which carry them)" for every route.
 */
class RouteAccessTest {
    /** DESIGN.md, "Public API v1", plus the admin API: who may call what. */
    private static final Map<String, Set<Access>> SPECIFIED = Map.ofEntries(
            Map.entry("POST /v1/actions", Set.of(Access.AGENT)),
            Map.entry("GET /v1/audit/entries", Set.of(Access.AUDITOR, Access.ADMIN)),
            Map.entry("GET /v1/audit/tlog/tile/entries/{bundle}", Set.of(Access.AUDITOR, Access.ADMIN)),
            Map.entry("GET /v1/actions/{id}", Set.of(Access.AGENT, Access.HUMAN)),
            Map.entry("POST /v1/actions/{id}/approve", Set.of(Access.HUMAN)),
            Map.entry("POST /v1/actions/{id}/deny", Set.of(Access.HUMAN)),
            Map.entry("POST /v1/actions/{id}/review", Set.of(Access.HUMAN)),
            Map.entry("POST /v1/actions/{id}/cancel", Set.of(Access.AGENT)),
            Map.entry("POST /v1/actions/{id}/execution", Set.of(Access.AGENT)),
            Map.entry("GET /v1/approvals", Set.of(Access.HUMAN)),
            Map.entry("POST /v1/decisions/simulate", Set.of(Access.AGENT, Access.HUMAN)),
            Map.entry("GET /v1/admin/agents", Set.of(Access.ADMIN)),
            Map.entry("POST /v1/admin/agents", Set.of(Access.ADMIN)),
            Map.entry("GET /v1/admin/agents/{name}", Set.of(Access.ADMIN)),
            Map.entry("POST /v1/admin/agents/{name}/revoke", Set.of(Access.ADMIN)),
            Map.entry("POST /v1/admin/agents/{name}/suspend", Set.of(Access.ADMIN)),
            Map.entry("POST /v1/admin/agents/{name}/resume", Set.of(Access.ADMIN)),
            Map.entry("GET /v1/admin/humans", Set.of(Access.ADMIN)),
            Map.entry("POST /v1/admin/humans", Set.of(Access.ADMIN)),
            Map.entry("GET /v1/admin/humans/{name}", Set.of(Access.ADMIN)),
            Map.entry("POST /v1/admin/humans/{name}/revoke", Set.of(Access.ADMIN)),
            Map.entry("PUT /v1/admin/humans/{name}/groups", Set.of(Access.ADMIN)),
            Map.entry("GET /v1/admin/breakers", Set.of(Access.ADMIN)),
            Map.entry("POST /v1/admin/breakers/{agent}/{breaker}/reset", Set.of(Access.ADMIN)),
            Map.entry("GET /v1/evidence", Set.of(Access.AUDITOR, Access.ADMIN)),
            Map.entry("GET /healthz", Set.of(Access.ANYONE)),
            Map.entry("GET /readyz", Set.of(Access.ANYONE)),
            Map.entry("GET /metrics", Set.of(Access.ANYONE)));

    /** The console's way in: its sign-in steps and static assets. */
    private static final Set<String> CONSOLE_OPEN = Set.of(
            "/console/sign-in",
            "/console/oidc/start",
            "/console/oidc/callback",
            "/console/oidc/backchannel-logout",
            "/console/assets/htmx.min.js",
            "/console/assets/console.css",
            "/console/assets/console.js",
            "/console/assets/favicon.svg");

    @TempDir
    Path directory;

    private TestGateway gateway;
    private Map<String, Optional<String>> callers;

    @BeforeEach
    void start() {
        gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly().withRoles(Set.of("countersign-admins"), Set.of("auditors")),
                "/e2e-policy.yaml");
        callers = Map.of(
                "nobody", Optional.empty(),
                "agent", Optional.of(gateway.agent("walker")),
                "human", Optional.of(gateway.human("hugo", "data-owners")),
                "admin", Optional.of(gateway.human("ada", "countersign-admins")));
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    static boolean openByDesign(String path) {
        // The integrations authenticate every call themselves: a Slack signature, a Bot Framework token.
        // Claude Code's hook is the exception: it sends the agent's API key as a bearer token.
        return path.equals("/healthz")
                || path.equals("/readyz")
                || path.equals("/metrics")
                || path.equals("/v1/openapi.json")
                || (path.startsWith("/v1/audit/")
                        && !path.equals("/v1/audit/entries")
                        && !path.startsWith("/v1/audit/tlog/tile/entries/"))
                || CONSOLE_OPEN.contains(path)
                || (path.startsWith("/integrations/") && !path.startsWith("/integrations/claude-code/"));
    }

    @Test
    void everyRoute_answersEachKindOfCaller_asItsAccessSays() {
        List<RouteInfo> routes = gateway.gateway().routes();
        assertThat(routes)
                .extracting(route -> route.method() + " " + route.path())
                .containsAll(SPECIFIED.keySet());

        SoftAssertions softly = new SoftAssertions();
        for (RouteInfo route : routes) {
            String name = route.method() + " " + route.path();
            softly.assertThat(route.access()).as("%s has access metadata", name).isNotEmpty();
            softly.assertThat(route.access().contains(Access.ANYONE))
                    .as("%s is open exactly when DESIGN.md says so", name)
                    .isEqualTo(openByDesign(route.path()));
            if (SPECIFIED.containsKey(name)) {
                softly.assertThat(route.access())
                        .as("%s as DESIGN.md's table says", name)
                        .isEqualTo(SPECIFIED.get(name));
            }
            for (Map.Entry<String, Optional<String>> caller : callers.entrySet()) {
                Response answer = call(route, caller.getValue().orElse(null));
                String what = name + " by " + caller.getKey() + ": " + answer.status() + " " + answer.body();
                softly.assertThat(answer.status()).as(what).isLessThan(500);
                if (route.path().startsWith("/console")) {
                    // The console takes session cookies only: no bearer token opens it (sign-in: a redirect or a 401).
                    if (!route.access().contains(Access.ANYONE)) {
                        softly.assertThat(answer.status()).as(what).isIn(303, 401);
                    }
                    continue;
                }
                switch (expectation(route.access(), caller.getKey())) {
                    case ALLOWED -> softly.assertThat(answer.status()).as(what).isNotIn(401, 403);
                    case UNAUTHENTICATED -> {
                        softly.assertThat(answer.status()).as(what).isEqualTo(401);
                        softly.assertThat(answer.contentType()).as(what).startsWith("application/problem+json");
                    }
                    case FORBIDDEN -> {
                        softly.assertThat(answer.status()).as(what).isEqualTo(403);
                        softly.assertThat(answer.contentType()).as(what).startsWith("application/problem+json");
                    }
                }
            }
        }
        softly.assertAll();
    }

    private enum Expected {
        ALLOWED,
        UNAUTHENTICATED,
        FORBIDDEN
    }

    private static Expected expectation(Set<Access> access, String caller) {
        if (access.contains(Access.ANYONE)) {
            return Expected.ALLOWED;
        }
        return switch (caller) {
            case "nobody" -> Expected.UNAUTHENTICATED;
            case "agent" -> access.contains(Access.AGENT) ? Expected.ALLOWED : Expected.FORBIDDEN;
            case "human" -> access.contains(Access.HUMAN) ? Expected.ALLOWED : Expected.FORBIDDEN;
            case "admin" ->
                access.contains(Access.HUMAN) || access.contains(Access.ADMIN) ? Expected.ALLOWED : Expected.FORBIDDEN;
            default -> throw new IllegalArgumentException(caller);
        };
    }

    /** Path parameters get harmless values: a well-formed id nobody has, a name nobody has. */
    private Response call(RouteInfo route, String token) {
        String path = route.path()
                .replace("{id}", "req_00000000000000000000000000")
                .replaceAll("\\{[^}]+}", "nobody")
                .replace("*", "x");
        return switch (route.method()) {
            case "GET" -> gateway.http.get(path, token);
            case "POST" -> gateway.http.post(path, token, "{}");
            case "PUT" -> gateway.http.put(path, token, "{}");
            default -> throw new IllegalStateException("add " + route.method() + " to the walk: " + route.path());
        };
    }
}
