package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.http.RouteInfo;
import io.countersign.server.identity.IdentityConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, section 3: thousands of generated malformed requests ({@link MalformedRequests}, seeded)
 * over every route the gateway registers, sent over raw sockets. None gets a 5xx; every non-2xx
 * answer is problem+json (an HTML page of the console's own under /console, never Jetty's); and
 * no refused request adds an audit entry, except a refused vote on a request that exists, which is
 * recorded as exactly one {@code vote.refused}.
 */
class MalformedRequestFuzzTest {
    private static final long SEED = 15_2026L;
    private static final int REQUESTS = 2_400;

    @TempDir
    Path directory;

    @Test
    void malformedRequestsGetNo5xx_problemJsonOnEveryApiRefusal_andLeaveTheLogAsItWas()
            throws IOException, SQLException {
        try (TestGateway gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly().withRoles(Set.of("countersign-admins"), Set.of("auditors")),
                "/e2e-policy.yaml")) {
            String admin = gateway.human("ada", "countersign-admins");
            String alice = gateway.human("alice", "data-owners");
            String agent = gateway.http
                    .post("/v1/admin/agents", admin, json("name", "reporter"))
                    .text("key");
            String pending = gateway.http
                    .post(
                            "/v1/actions",
                            agent,
                            json("action", "db.export", "resource", "db/prod/customers", "reason", "r"))
                    .text("id");
            List<RouteInfo> routes = gateway.gateway().routes();
            MalformedRequests generator = new MalformedRequests(
                    SEED,
                    routes,
                    List.of(agent, alice, admin, "csa_0123456789abcdef_nope"),
                    Map.of(
                            "id",
                            pending,
                            "name",
                            "reporter",
                            "agent",
                            "reporter",
                            "breaker",
                            "deletes",
                            "tool",
                            "fs__read"));
            RawHttp http = new RawHttp(gateway.gateway().port());
            Map<Integer, Integer> statuses = new TreeMap<>();
            List<String> failures = new ArrayList<>();
            try (Connection db = DriverManager.getConnection(
                            "jdbc:sqlite:file:" + gateway.data().resolve("countersign.db") + "?mode=ro");
                    Statement count = db.createStatement()) {
                for (int i = 0; i < REQUESTS; i++) {
                    MalformedRequests.Generated request = generator.next();
                    long before = auditSize(count);
                    RawHttp.Answer answer = http.send(request.raw());
                    long after = auditSize(count);
                    statuses.merge(answer.status(), 1, Integer::sum);
                    int index = i;
                    List<String> added = typesAfter(count, before);
                    check(request, answer, before, after, added)
                            .ifPresent(problem -> failures.add("#" + index + " " + request.method() + " "
                                    + abbreviate(request.path()) + " (" + request.damage() + "): " + problem));
                }
            }
            System.out.printf(
                    "fuzz: %d requests over %d routes (seed %d), statuses %s, failures %d%n",
                    REQUESTS, routes.size(), SEED, statuses, failures.size());
            assertThat(failures).as("requests answered wrongly").isEmpty();
            assertThat(statuses.keySet()).allMatch(status -> status > 0 && status < 500);
        }
    }

    private static java.util.Optional<String> check(
            MalformedRequests.Generated request,
            RawHttp.Answer answer,
            long auditBefore,
            long auditAfter,
            List<String> added) {
        int status = answer.status();
        if (status == 0) {
            return java.util.Optional.of("no answer: " + abbreviate(answer.head()));
        }
        if (status >= 500) {
            return java.util.Optional.of("status " + status + ": " + abbreviate(answer.body()));
        }
        if (answer.body().contains("Powered by Jetty")
                || answer.body().contains("HTTP ERROR")
                || answer.body().contains("\tat ")) {
            return java.util.Optional.of("Jetty's own error page or a stack trace: " + abbreviate(answer.body()));
        }
        boolean refused = status < 200 || status >= 300;
        if (refused && status < 400 && request.forConsole()) {
            // The console redirects to its sign-in page; a redirect writes nothing either.
        } else if (refused && request.forConsole() && answer.contentType().startsWith("application/problem+json")) {
            // Only when Jetty refused the request line itself (a URI too long, a bare '%', %00): it keeps no path then,
            // and reads no header.
            if (!answer.body().contains("\"instance\":\"\"")
                    && !answer.body().contains("\"instance\":\"/badMessage\"")) {
                return java.util.Optional.of("status " + status
                        + " under /console as problem+json, though its path was known: " + abbreviate(answer.body()));
            }
        } else if (refused && request.forConsole()) {
            if (!answer.contentType().startsWith("text/html") || !answer.body().contains("Countersign")) {
                return java.util.Optional.of(
                        "status " + status + " without the console's error page: " + answer.contentType());
            }
        } else if (refused && !answer.contentType().startsWith("application/problem+json")) {
            return java.util.Optional.of("status " + status + " as " + answer.contentType() + ", not problem+json: "
                    + abbreviate(answer.body()));
        }
        // A vote the vote rule refuses (403, or 409 once the request is decided) on a request that exists is an
        // authorization event: recorded as one vote.refused and nothing else (docs/audit.md, "Refused votes").
        boolean refusedVote = (status == 403 || status == 409)
                && request.method().equals("POST")
                && (request.path().endsWith("/approve") || request.path().endsWith("/deny"))
                && added.equals(List.of("vote.refused"));
        if (status >= 400 && auditAfter != auditBefore && !refusedVote) {
            return java.util.Optional.of(
                    "status " + status + " but the audit log grew from " + auditBefore + " to " + auditAfter);
        }
        return java.util.Optional.empty();
    }

    private static long auditSize(Statement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM audit_entries")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static List<String> typesAfter(Statement statement, long seq) throws SQLException {
        List<String> types = new ArrayList<>();
        try (ResultSet rows =
                statement.executeQuery("SELECT type FROM audit_entries WHERE seq >= " + seq + " ORDER BY seq")) {
            while (rows.next()) {
                types.add(rows.getString(1));
            }
        }
        return types;
    }

    private static String abbreviate(String text) {
        return text.length() > 160 ? text.substring(0, 160) + "…" : text;
    }
}
