package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.identity.IdentityConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The admin API for agents, over real HTTP: keys with scopes and expiry, revocation, the kill switch. */
class AgentAdminTest {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @TempDir
    Path directory;

    private TestGateway gateway;
    private String admin;
    private String alice;

    @BeforeEach
    void start() {
        gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly().withRoles(Set.of("countersign-admins"), Set.of()),
                "/e2e-policy.yaml");
        admin = gateway.human("ada", "countersign-admins");
        alice = gateway.human("alice", "data-owners");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private Response create(Object... fields) {
        return gateway.http.post("/v1/admin/agents", admin, json(fields));
    }

    private Response submit(String key, String action, String resource) {
        return gateway.http.post(
                "/v1/actions", key, json("action", action, "resource", resource, "reason", "weekly report"));
    }

    private List<String> auditTypes() {
        return gateway.http
                .get("/v1/audit/entries", gateway.auditor())
                .body()
                .lines()
                .map(line -> MAPPER.readTree(line).path("type").asString())
                .toList();
    }

    private JsonNode lastAudit(String type) {
        List<JsonNode> entries = gateway.http
                .get("/v1/audit/entries", gateway.auditor())
                .body()
                .lines()
                .map(MAPPER::readTree)
                .filter(entry -> entry.path("type").asString().equals(type))
                .toList();
        assertThat(entries).as("audit entries of type " + type).isNotEmpty();
        return entries.getLast();
    }

    @Test
    void admin_createsAnAgent_whoseKeyWorksOnce_andIsListedWithoutItsSecret() {
        Response created = create("name", "reporter", "labels", Map.of("team", "analytics"));
        String key = created.text("key");

        Response submitted = submit(key, "db.query", "db/prod/customers");
        Response listed = gateway.http.get("/v1/admin/agents", admin);

        assertThat(created.status()).isEqualTo(201);
        assertThat(key).startsWith("csa_");
        assertThat(submitted.status()).isEqualTo(200);
        JsonNode agent = listed.json().path("items").get(0);
        assertThat(agent.path("name").asString()).isEqualTo("reporter");
        assertThat(agent.path("labels").path("team").asString()).isEqualTo("analytics");
        assertThat(agent.path("keys").get(0).path("lastUsedAt").isString())
                .as("last use recorded")
                .isTrue();
        assertThat(listed.body()).doesNotContain(key.substring(22));
        assertThat(lastAudit("agent.created").path("actor").asString()).isEqualTo("human:ada");
    }

    @Test
    void nonAdmin_cannotManageAgents() {
        Response refused = gateway.http.post("/v1/admin/agents", alice, json("name", "sneaky"));

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("needs the admin role");
    }

    @Test
    void actionOutsideTheKeysScopes_isDeniedBeforeThePolicy_withAClearReason() {
        String key = create("name", "reader", "scopes", List.of("db.query")).text("key");

        Response inScope = submit(key, "db.query", "db/prod/customers");
        Response outOfScope = submit(key, "db.export", "db/prod/customers");

        assertThat(inScope.text("status")).isEqualTo("approved");
        assertThat(outOfScope.status()).isEqualTo(200);
        assertThat(outOfScope.text("status")).isEqualTo("denied");
        assertThat(outOfScope.json().path("decision").path("reason").asString())
                .isEqualTo("action 'db.export' is outside the scopes of agent reader's credential [db.query]");
        assertThat(outOfScope.json().path("decision").path("rules")).isEmpty();
    }

    @Test
    void revokedKey_isRefused_andTheNameCanBeGivenANewKey() {
        String key = create("name", "rotating").text("key");

        Response revoked = gateway.http.post("/v1/admin/agents/rotating/revoke", admin, "");
        Response refused = submit(key, "db.query", "db/prod/customers");
        String newKey = create("name", "rotating").text("key");

        assertThat(revoked.json().path("revokedKeys").asInt()).isEqualTo(1);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.text("detail")).contains("was revoked at");
        assertThat(submit(newKey, "db.query", "db/prod/customers").status()).isEqualTo(200);
        assertThat(auditTypes()).contains("agent.revoked");
    }

    @Test
    void expiredKey_isRefused() throws InterruptedException {
        String key = create("name", "shortlived", "expiresIn", "1s").text("key");
        assertThat(submit(key, "db.query", "db/prod/customers").status()).isEqualTo(200);

        Thread.sleep(1_200);

        Response refused = submit(key, "db.query", "db/prod/customers");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.text("detail")).contains("expired at");
    }

    @Test
    void suspendedAgent_isDeniedAtOnce_alsoForPendingRequests_andResumeRestoresIt() {
        String key = create("name", "exporter").text("key");
        Response pending = submit(key, "db.export", "db/prod/customers");
        String pendingId = pending.text("id");
        assertThat(pending.status()).isEqualTo(202);

        Response suspended =
                gateway.http.post("/v1/admin/agents/exporter/suspend", admin, json("reason", "leaking data"));
        Response afterSuspend = gateway.http.get("/v1/actions/" + pendingId, key);
        Response newAction = submit(key, "db.query", "db/prod/customers");
        Response lateApproval =
                gateway.http.post("/v1/actions/" + pendingId + "/approve", alice, json("comment", "ok"));

        assertThat(suspended.status()).isEqualTo(200);
        assertThat(suspended.json().path("suspended").path("reason").asString()).isEqualTo("leaking data");
        assertThat(suspended.json().path("deniedRequests").get(0).asString()).isEqualTo(pendingId);
        assertThat(afterSuspend.text("status")).isEqualTo("denied");
        assertThat(afterSuspend.text("decidedBy")).isEqualTo("system");
        assertThat(afterSuspend.text("resolution")).isEqualTo("agent suspended");
        assertThat(newAction.text("status")).isEqualTo("denied");
        assertThat(newAction.json().path("decision").path("reason").asString())
                .startsWith("agent exporter is suspended");
        assertThat(lateApproval.status()).isEqualTo(409);
        JsonNode denial = lastAudit("request.denied");
        assertThat(denial.path("request").asString()).isEqualTo(newAction.text("id"));
        assertThat(lastAudit("agent.suspended").path("data").path("reason").asString())
                .isEqualTo("leaking data");

        Response resumed = gateway.http.post("/v1/admin/agents/exporter/resume", admin, "");
        Response afterResume = submit(key, "db.query", "db/prod/customers");

        assertThat(resumed.json().path("resumed").asBoolean()).isTrue();
        assertThat(resumed.json().path("suspended").isNull()).isTrue();
        assertThat(afterResume.text("status")).isEqualTo("approved");
        assertThat(lastAudit("agent.resumed").path("actor").asString()).isEqualTo("human:ada");
    }

    @Test
    void suspendedAgent_cannotExecuteAGrantItAlreadyHolds() {
        String key = create("name", "holder").text("key");
        Response allowed = submit(key, "db.query", "db/prod/customers");
        String grant = allowed.json().path("grant").path("token").asString();

        gateway.http.post("/v1/admin/agents/holder/suspend", admin, "");
        Response read = gateway.http.get("/v1/actions/" + allowed.text("id"), key);
        Response executed = gateway.http.post(
                "/v1/actions/" + allowed.text("id") + "/execution", key, json("grant", grant, "outcome", "succeeded"));

        assertThat(read.json().has("grant"))
                .as("the grant is no longer handed out")
                .isFalse();
        assertThat(executed.status()).isEqualTo(403);
        assertThat(executed.text("detail")).contains("suspended");
    }

    @Test
    void unknownAgent_is404() {
        assertThat(gateway.http
                        .post("/v1/admin/agents/nobody/suspend", admin, "")
                        .status())
                .isEqualTo(404);
    }
}
