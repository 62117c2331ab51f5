package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.http.RouteInfo;
import io.countersign.server.identity.IdentityConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Holds the OpenAPI document (served at /v1/openapi.json, kept as openapi.yaml) against the server:
 * the routes it documents are the routes the router has, with the same access, and the answers
 * of an end-to-end run through every kind of route validate against their documented schemas.
 */
class OpenApiContractTest {
    @TempDir
    Path directory;

    private TestGateway gateway;
    private ApiContract contract;
    private SoftAssertions softly;

    @BeforeEach
    void start() {
        gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly().withRoles(Set.of("countersign-admins"), Set.of("auditors")),
                "/e2e-policy.yaml");
        Response served = gateway.http.get("/v1/openapi.json", null);
        assertThat(served.status()).as(served.body()).isEqualTo(200);
        contract = new ApiContract(served.body());
        softly = new SoftAssertions();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void everyRegisteredRoute_isDocumented_andEveryDocumentedRoute_isRegistered() {
        Set<String> registered = gateway.gateway().routes().stream()
                .map(route -> route.method() + " " + route.path())
                .collect(Collectors.toCollection(TreeSet::new));
        Map<String, ApiContract.Operation> documented = contract.operations();
        Set<String> optional = documented.values().stream()
                .filter(op -> op.node().has("x-countersign-enabledBy"))
                .map(ApiContract.Operation::name)
                .collect(Collectors.toSet());

        assertThat(documented.keySet()).as("documented routes").containsAll(registered);
        assertThat(registered)
                .as("registered routes (those a config section enables aside: %s)", optional)
                .containsAll(documented.keySet().stream()
                        .filter(name -> !optional.contains(name))
                        .toList());
        assertThat(optional).as("optional routes name what enables them").allSatisfy(name -> assertThat(documented
                        .get(name)
                        .node()
                        .path("x-countersign-enabledBy")
                        .asString())
                .isIn("mcp", "slack", "teams", "proxies"));
    }

    @Test
    void everyRoute_isDocumentedWithTheAccessTheServerChecks() {
        Map<String, ApiContract.Operation> documented = contract.operations();
        for (RouteInfo route : gateway.gateway().routes()) {
            ApiContract.Operation operation = documented.get(route.method() + " " + route.path());
            if (operation == null) {
                continue; // the test above names it
            }
            Set<String> access = route.access().stream()
                    .map(a -> a.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.toSet());
            Set<String> written = new TreeSet<>();
            operation.node().path("x-countersign-access").forEach(node -> written.add(node.asString()));
            softly.assertThat(written)
                    .as("x-countersign-access of %s", operation.name())
                    .isEqualTo(access);
            boolean open = access.contains("anyone");
            JsonNode security = operation.node().path("security");
            if (open) {
                boolean saysSo = security.isArray()
                        && (security.isEmpty()
                                || security.toString().contains("{}")
                                || security.toString().contains("slackSignature")
                                || security.toString().contains("botFrameworkJwt"));
                softly.assertThat(saysSo)
                        .as(
                                "%s is open and says so (security: [], {} or its own scheme): %s",
                                operation.name(), security)
                        .isTrue();
            } else {
                softly.assertThat(security.isArray() && security.isEmpty())
                        .as("%s needs a credential", operation.name())
                        .isFalse();
            }
        }
        softly.assertAll();
    }

    @Test
    void answersOfAnEndToEndRun_validateAgainstTheirSchemas() throws InterruptedException {
        String agent = gateway.agent("reporter");
        String alice = gateway.human("alice", "data-owners");
        String bob = gateway.human("bob", "data-owners");
        String admin = gateway.human("ada", "countersign-admins");
        String auditor = gateway.human("audrey", "auditors");

        expect(200, "GET /healthz", gateway.http.get("/healthz", null));
        expect(200, "GET /metrics", gateway.http.get("/metrics", null));

        Response allowed = expect(200, "POST /v1/actions", submit(agent, "db.query", "db/prod/orders", null));
        String allowedId = allowed.text("id");
        String grant = allowed.json().path("grant").path("token").asString();
        expect(
                200,
                "POST /v1/actions/{id}/execution",
                gateway.http.post(
                        "/v1/actions/" + allowedId + "/execution",
                        agent,
                        Http.json("grant", grant, "outcome", "succeeded", "detail", "12 rows")));
        expect(
                409,
                "POST /v1/actions/{id}/execution",
                gateway.http.post(
                        "/v1/actions/" + allowedId + "/execution",
                        agent,
                        Http.json("grant", grant, "outcome", "succeeded")));

        Response held = expect(202, "POST /v1/actions", submit(agent, "db.export", "db/prod/customers", "alice"));
        String heldId = held.text("id");
        expect(202, "GET /v1/actions/{id}", gateway.http.get("/v1/actions/" + heldId + "?wait=100ms", agent));
        expect(200, "GET /v1/approvals", gateway.http.get("/v1/approvals?status=pending", bob));
        expect(
                403,
                "POST /v1/actions/{id}/approve",
                gateway.http.post("/v1/actions/" + heldId + "/approve", alice, "{}"));
        expect(
                200,
                "POST /v1/actions/{id}/approve",
                gateway.http.post("/v1/actions/" + heldId + "/approve", bob, Http.json("comment", "fine")));
        expect(
                409,
                "POST /v1/actions/{id}/approve",
                gateway.http.post("/v1/actions/" + heldId + "/approve", bob, "{}"));
        Response approved = expect(200, "GET /v1/actions/{id}", gateway.http.get("/v1/actions/" + heldId, agent));
        softly.assertThat(approved.json().path("grant").path("token").asString())
                .startsWith("cgr_");
        expect(
                422,
                "POST /v1/actions/{id}/execution",
                gateway.http.post(
                        "/v1/actions/" + heldId + "/execution",
                        agent,
                        Http.json("grant", grant, "outcome", "succeeded")));
        expect(200, "GET /v1/actions/{id}", gateway.http.get("/v1/actions/" + heldId, bob));

        expect(200, "POST /v1/actions", submit(agent, "iam.grant", "iam/admins", null));
        String toDeny = expect(202, "POST /v1/actions", submit(agent, "db.export", "db/prod/invoices", null))
                .text("id");
        expect(400, "POST /v1/actions/{id}/deny", gateway.http.post("/v1/actions/" + toDeny + "/deny", bob, "{}"));
        expect(
                200,
                "POST /v1/actions/{id}/deny",
                gateway.http.post("/v1/actions/" + toDeny + "/deny", bob, Http.json("comment", "not now")));
        String toCancel = expect(202, "POST /v1/actions", submit(agent, "db.export", "db/prod/leads", null))
                .text("id");
        expect(
                200,
                "POST /v1/actions/{id}/cancel",
                gateway.http.post("/v1/actions/" + toCancel + "/cancel", agent, "{}"));
        expect(
                409,
                "POST /v1/actions/{id}/cancel",
                gateway.http.post("/v1/actions/" + toCancel + "/cancel", agent, "{}"));
        expect(
                409,
                "POST /v1/actions/{id}/review",
                gateway.http.post("/v1/actions/" + toCancel + "/review", bob, "{}"));

        String keyed =
                Http.json("action", "db.export", "resource", "db/prod/a", "reason", "r", "idempotencyKey", "k-1");
        expect(202, "POST /v1/actions", gateway.http.post("/v1/actions", agent, keyed));
        expect(202, "POST /v1/actions", gateway.http.post("/v1/actions", agent, keyed));
        expect(
                409,
                "POST /v1/actions",
                gateway.http.post("/v1/actions", agent, keyed.replace("db/prod/a", "db/prod/b")));

        expect(400, "POST /v1/actions", gateway.http.post("/v1/actions", agent, "{not json"));
        expect(
                400,
                "POST /v1/actions",
                gateway.http.post(
                        "/v1/actions",
                        agent,
                        Http.json("action", "db.query", "resource", "r", "reason", "r", "colour", "red")));
        expect(
                400,
                "POST /v1/actions",
                gateway.http.post(
                        "/v1/actions?wait=soon",
                        agent,
                        Http.json("action", "db.query", "resource", "r", "reason", "r")));
        expect(401, "POST /v1/actions", gateway.http.post("/v1/actions", null, "{}"));
        expect(401, "POST /v1/actions", gateway.http.post("/v1/actions", "csa_unknown", "{}"));
        expect(403, "POST /v1/actions", gateway.http.post("/v1/actions", bob, "{}"));
        expect(
                413,
                "POST /v1/actions",
                gateway.http.post("/v1/actions", agent, "{\"pad\":\"" + "x".repeat(70_000) + "\"}"));
        expect(404, "GET /v1/actions/{id}", gateway.http.get("/v1/actions/req_00000000000000000000000000", agent));
        expect(404, "GET /v1/actions/{id}", gateway.http.get("/v1/actions/nonsense", bob));

        expect(
                200,
                "POST /v1/decisions/simulate",
                gateway.http.post(
                        "/v1/decisions/simulate",
                        agent,
                        Http.json("action", "db.export", "resource", "db/prod/x", "reason", "what if")));
        expect(
                200,
                "POST /v1/decisions/simulate",
                gateway.http.post(
                        "/v1/decisions/simulate",
                        bob,
                        Http.json(
                                "action", "iam.grant", "resource", "iam/x", "reason", "what if", "agent", "reporter")));

        expect(
                201,
                "POST /v1/admin/agents",
                gateway.http.post(
                        "/v1/admin/agents",
                        admin,
                        Http.json(
                                "name",
                                "nightly",
                                "labels",
                                Map.of("team", "ops"),
                                "scopes",
                                List.of("db.*"),
                                "expiresIn",
                                "30d")));
        expect(
                409,
                "POST /v1/admin/agents",
                gateway.http.post("/v1/admin/agents", admin, Http.json("name", "nightly")));
        expect(200, "GET /v1/admin/agents", gateway.http.get("/v1/admin/agents", admin));
        expect(200, "GET /v1/admin/agents/{name}", gateway.http.get("/v1/admin/agents/nightly", admin));
        expect(404, "GET /v1/admin/agents/{name}", gateway.http.get("/v1/admin/agents/nobody", admin));
        expect(
                200,
                "POST /v1/admin/agents/{name}/suspend",
                gateway.http.post("/v1/admin/agents/nightly/suspend", admin, Http.json("reason", "drill")));
        expect(
                200,
                "POST /v1/admin/agents/{name}/resume",
                gateway.http.post("/v1/admin/agents/nightly/resume", admin, "{}"));
        expect(
                200,
                "POST /v1/admin/agents/{name}/revoke",
                gateway.http.post("/v1/admin/agents/nightly/revoke", admin, "{}"));
        expect(403, "GET /v1/admin/agents", gateway.http.get("/v1/admin/agents", bob));
        expect(200, "GET /v1/admin/breakers", gateway.http.get("/v1/admin/breakers", admin));
        expect(
                404,
                "POST /v1/admin/breakers/{agent}/{breaker}/reset",
                gateway.http.post("/v1/admin/breakers/reporter/none/reset", admin, Http.json("comment", "drill")));
        expect(200, "GET /v1/admin/outbox", gateway.http.get("/v1/admin/outbox?status=failed", admin));
        expect(404, "POST /v1/admin/outbox/{id}/retry", gateway.http.post("/v1/admin/outbox/999/retry", admin, "{}"));

        expect(
                200,
                "GET /v1/insights/suggestions",
                gateway.http.get("/v1/insights/suggestions?since=30d&min=1", auditor));
        expect(
                200,
                "POST /v1/policy/replay",
                gateway.http.post(
                        "/v1/policy/replay",
                        auditor,
                        Http.json("policy", "default: deny\nrules: []\n", "since", "30d")));
        expect(
                422,
                "POST /v1/policy/replay",
                gateway.http.post("/v1/policy/replay", auditor, Http.json("policy", "default: maybe\n")));
        expect(
                409,
                "POST /v1/policy/changes",
                gateway.http.post("/v1/policy/changes", admin, Http.json("policy", "default: deny\n", "reason", "r")));

        expect(200, "GET /v1/audit/key", gateway.http.get("/v1/audit/key", null));
        expect(200, "GET /v1/audit/entries", gateway.http.get("/v1/audit/entries?start=0&end=3", auditor));
        Response checkpoint = gateway.http.get("/v1/audit/checkpoint", null);
        for (int tries = 0; checkpoint.status() != 200 && tries < 50; tries++) {
            Thread.sleep(100);
            checkpoint = gateway.http.get("/v1/audit/checkpoint", null);
        }
        expect(200, "GET /v1/audit/checkpoint", checkpoint);
        long size = Long.parseLong(checkpoint.body().lines().skip(1).findFirst().orElseThrow());
        expect(
                200,
                "GET /v1/audit/proof/inclusion",
                gateway.http.get("/v1/audit/proof/inclusion?index=0&size=" + size, null));
        expect(
                200,
                "GET /v1/audit/proof/consistency",
                gateway.http.get("/v1/audit/proof/consistency?from=1&to=" + size, null));
        expect(400, "GET /v1/audit/proof/inclusion", gateway.http.get("/v1/audit/proof/inclusion?index=x", null));
        expect(200, "GET /v1/evidence", gateway.http.get("/v1/evidence?from=2020-01-01&to=2100-01-01", auditor));

        expect(
                200,
                "POST /integrations/claude-code/pre-tool-use",
                gateway.http.post(
                        "/integrations/claude-code/pre-tool-use",
                        agent,
                        Http.json(
                                "hook_event_name",
                                "PreToolUse",
                                "session_id",
                                "s1",
                                "tool_name",
                                "Bash",
                                "tool_input",
                                Map.of("command", "ls"))));
        softly.assertAll();
    }

    private Response submit(String token, String action, String resource, String onBehalfOf) {
        String body = onBehalfOf == null
                ? Http.json(
                        "action",
                        action,
                        "resource",
                        resource,
                        "params",
                        Map.of("format", "csv"),
                        "reason",
                        "the contract test")
                : Http.json(
                        "action",
                        action,
                        "resource",
                        resource,
                        "params",
                        Map.of("format", "csv"),
                        "reason",
                        "the contract test",
                        "onBehalfOf",
                        onBehalfOf);
        return gateway.http.post("/v1/actions", token, body);
    }

    private Response expect(int status, String operation, Response answer) {
        softly.assertThat(answer.status())
                .as("%s: %s", operation, answer.body())
                .isEqualTo(status);
        softly.assertThat(contract.violations(operation, answer)).as(operation).isEmpty();
        return answer;
    }
}
