package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The v1 API over real HTTP, on a real gateway with SQLite: the flows of DESIGN.md, one test each. */
class GatewayEndToEndTest {
    @TempDir
    Path directory;

    private TestGateway gateway;
    private String reporter;
    private String alice;
    private String bob;
    private String carol;
    private String mallory;

    @BeforeEach
    void start() {
        gateway = new TestGateway(directory);
        reporter = gateway.agent("reporter");
        alice = gateway.human("alice", "data-owners", "security");
        bob = gateway.human("bob", "data-owners", "security");
        carol = gateway.human("carol", "security");
        mallory = gateway.human("mallory", "engineering");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private Response request(String action, String resource, Object... extra) {
        Object[] fields = new Object[8 + extra.length];
        Object[] base = {
            "action", action, "resource", resource, "params", Map.of("rows", 100), "reason", "weekly report"
        };
        System.arraycopy(base, 0, fields, 0, base.length);
        System.arraycopy(extra, 0, fields, base.length, extra.length);
        return gateway.http.post("/v1/actions", reporter, json(fields));
    }

    private Response approve(String id, String token) {
        return gateway.http.post("/v1/actions/" + id + "/approve", token, json("comment", "ok"));
    }

    private Response execute(String id, String grant) {
        return gateway.http.post(
                "/v1/actions/" + id + "/execution",
                reporter,
                json("grant", grant, "outcome", "succeeded", "detail", "100 rows"));
    }

    @Test
    void allowedAction_carriesAGrant_andIsExecuted() {
        Response allowed = request("db.query", "db/prod/customers");

        assertThat(allowed.status()).isEqualTo(200);
        JsonNode body = allowed.json();
        assertThat(body.path("status").asString()).isEqualTo("approved");
        assertThat(body.path("decision").path("effect").asString()).isEqualTo("allow");
        assertThat(body.path("decision").path("policyVersion").asString()).startsWith("sha256:");
        String id = body.path("id").asString();

        Response executed = execute(id, body.path("grant").path("token").asString());

        assertThat(executed.status()).isEqualTo(200);
        assertThat(executed.text("status")).isEqualTo("executed");
        assertThat(executed.json().path("execution").path("outcome").asString()).isEqualTo("succeeded");
    }

    @Test
    void deniedAction_namesTheRuleAndReason() {
        Response denied = request("iam.grant", "iam/roles/admin");

        assertThat(denied.status()).isEqualTo(200);
        assertThat(denied.text("status")).isEqualTo("denied");
        assertThat(denied.json().path("decision").path("rules").get(0).asString())
                .isEqualTo("agents-never-touch-iam");
        assertThat(denied.json().path("decision").path("reason").asString()).isEqualTo("agents may not change IAM");
        assertThat(denied.json().has("grant")).isFalse();
    }

    @Test
    void unknownAction_isDeniedByDefault() {
        Response denied = request("rockets.launch", "pad/39a");

        assertThat(denied.text("status")).isEqualTo("denied");
        assertThat(denied.json().path("decision").path("rules").size()).isZero();
    }

    @Test
    void pendingRequest_longPollWakesWithin100msOfTheApproval() throws Exception {
        Response pending = request("db.export", "db/prod/customers");
        assertThat(pending.status()).isEqualTo(202);
        assertThat(pending.text("status")).isEqualTo("pending");
        JsonNode approval = pending.json().path("approval");
        assertThat(approval.path("groups").get(0).asString()).isEqualTo("data-owners");
        assertThat(approval.path("quorum").asInt()).isEqualTo(1);
        assertThat(approval.path("url").asString()).contains(pending.text("id"));
        String id = pending.text("id");

        CompletableFuture<Response> poll =
                CompletableFuture.supplyAsync(() -> gateway.http.get("/v1/actions/" + id + "?wait=30s", reporter));
        Thread.sleep(300); // let the long-poll park on the server
        assertThat(poll).isNotDone();
        Response approved = approve(id, alice);
        long approvedAt = System.nanoTime();
        Response woken = poll.get(5, TimeUnit.SECONDS);
        long wokeAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - approvedAt);

        assertThat(approved.text("status")).isEqualTo("approved");
        assertThat(woken.status()).isEqualTo(200);
        assertThat(woken.text("status")).isEqualTo("approved");
        assertThat(woken.json().path("grant").path("token").asString()).startsWith("cgr_" + id);
        assertThat(wokeAfterMillis)
                .as("the long-poll woke %d ms after the approval answered", wokeAfterMillis)
                .isLessThan(100);
        assertThat(approved.json().has("grant"))
                .as("the grant goes to the agent only")
                .isFalse();
    }

    @Test
    void approvalUrl_isTheRequestsConsolePage_asInSlackAndTeams() throws Exception {
        Response pending = request("db.export", "db/prod/customers");
        String id = pending.text("id");

        assertThat(pending.json().path("approval").path("url").asString())
                .isEqualTo(gateway.baseUrl() + "/console/requests/" + id);
        assertThat(gateway.http
                        .get("/v1/actions/" + id, alice)
                        .json()
                        .path("approval")
                        .path("url")
                        .asString())
                .isEqualTo(gateway.baseUrl() + "/console/requests/" + id);
        java.net.http.HttpResponse<String> browser = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create(gateway.baseUrl() + "/console/requests/" + id))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(browser.statusCode())
                .as("a browser without a session is sent to sign in, not given a 401")
                .isBetween(300, 399);
        assertThat(browser.headers().firstValue("Location"))
                .hasValueSatisfying(location -> assertThat(location).contains("/console"));
    }

    @Test
    void postWithWait_holdsThePendingAnswerUntilDecided() throws Exception {
        CompletableFuture<Response> submit = CompletableFuture.supplyAsync(() -> gateway.http.post(
                "/v1/actions?wait=30s",
                reporter,
                json("action", "db.export", "resource", "db/prod/orders", "reason", "audit")));
        String id = null;
        for (int i = 0; i < 100 && id == null; i++) {
            Thread.sleep(50);
            JsonNode inbox = gateway.http
                    .get("/v1/approvals?status=pending", alice)
                    .json()
                    .path("items");
            id = inbox.isEmpty() ? null : inbox.get(0).path("id").asString();
        }
        assertThat(id).as("the request reached alice's inbox").isNotNull();
        approve(id, alice);

        assertThat(submit.get(5, TimeUnit.SECONDS).text("status")).isEqualTo("approved");
    }

    @Test
    void selfApprovalByTheOnBehalfOfHuman_is403() {
        String id =
                request("db.export", "db/prod/customers", "onBehalfOf", "alice").text("id");

        Response refused = approve(id, alice);

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.text("detail")).contains("on behalf of");
        assertThat(approve(id, bob).text("status")).isEqualTo("approved");
    }

    @Test
    void humanOutsideTheRequiredGroups_is403() {
        String id = request("db.export", "db/prod/customers").text("id");

        Response refused = approve(id, mallory);

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("not in any group");
        assertThat(gateway.http.get("/v1/actions/" + id, reporter).text("status"))
                .isEqualTo("pending");
    }

    @Test
    void agentCallingApprove_is403() {
        String id = request("db.export", "db/prod/customers").text("id");

        Response refused = approve(id, reporter);

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("agents may not call");
    }

    @Test
    void quorumOfTwo_needsTwoDistinctHumans() {
        String id = request("secrets.rotate", "vault/prod/db").text("id");

        assertThat(approve(id, alice).text("status")).isEqualTo("pending");
        Response twice = approve(id, alice);
        assertThat(twice.status()).isEqualTo(403);
        assertThat(twice.text("detail")).contains("already voted");
        Response second = approve(id, carol);

        assertThat(second.text("status")).isEqualTo("approved");
        assertThat(second.json().path("votes").size()).isEqualTo(2);
    }

    @Test
    void grantUsedTwice_is409() {
        JsonNode allowed = request("db.query", "db/prod/customers").json();
        String grant = allowed.path("grant").path("token").asString();
        String id = allowed.path("id").asString();
        assertThat(execute(id, grant).status()).isEqualTo(200);

        Response again = execute(id, grant);

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.text("detail")).contains("already used");
    }

    @Test
    void grantPresentedForAnotherAction_is422() {
        JsonNode first = request("db.query", "db/prod/customers").json();
        JsonNode second = request("db.query", "db/prod/orders").json();

        Response wrong = execute(
                second.path("id").asString(), first.path("grant").path("token").asString());

        assertThat(wrong.status()).isEqualTo(422);
        assertThat(wrong.text("detail")).contains("belongs to another action");
    }

    @Test
    void changedActionPresentedWithTheGrant_is422() {
        JsonNode allowed = request("db.query", "db/prod/customers").json();
        String id = allowed.path("id").asString();
        String body = json(
                "grant",
                allowed.path("grant").path("token").asString(),
                "outcome",
                "succeeded",
                "action",
                Map.of(
                        "action",
                        "db.query",
                        "resource",
                        "db/prod/customers",
                        "params",
                        Map.of("rows", 101),
                        "reason",
                        "weekly report"));

        Response refused = gateway.http.post("/v1/actions/" + id + "/execution", reporter, body);

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text("detail")).contains("for another action");
    }

    @Test
    void pendingRequest_expiresAtItsTimeout() throws Exception {
        String id = request("demo.expire", "demo/thing").text("id");

        Response waited = gateway.http.get("/v1/actions/" + id + "?wait=5s", reporter);

        assertThat(waited.text("status")).isEqualTo("expired");
        assertThat(waited.text("decidedBy")).isEqualTo("system");
        assertThat(approve(id, alice).status()).isEqualTo(409);
    }

    @Test
    void restartWithAPendingRequest_keepsItPendingWithItsVotes() {
        String id = request("secrets.rotate", "vault/prod/db").text("id");
        approve(id, alice);

        gateway.restart();

        JsonNode after = gateway.http.get("/v1/actions/" + id, alice).json();
        assertThat(after.path("status").asString()).isEqualTo("pending");
        assertThat(after.path("votes").get(0).path("voter").asString()).isEqualTo("alice");
        assertThat(approve(id, carol).text("status")).isEqualTo("approved");
    }

    @Test
    void cancelByTheRequestingAgent() {
        String id = request("db.export", "db/prod/customers").text("id");

        Response cancelled = gateway.http.post("/v1/actions/" + id + "/cancel", reporter, "");

        assertThat(cancelled.text("status")).isEqualTo("cancelled");
        assertThat(gateway.http
                        .post("/v1/actions/" + id + "/cancel", gateway.agent("other"), "")
                        .status())
                .isEqualTo(403);
    }

    @Test
    void anotherAgentsRequest_isNotFound() {
        String id = request("db.export", "db/prod/customers").text("id");

        assertThat(gateway.http.get("/v1/actions/" + id, gateway.agent("nosy")).status())
                .isEqualTo(404);
    }

    @Test
    void inbox_listsWhatThisHumanMayDecide() {
        String mine = request("db.export", "db/prod/customers").text("id");
        request("db.export", "db/prod/orders", "onBehalfOf", "alice");

        JsonNode inbox =
                gateway.http.get("/v1/approvals?status=pending", alice).json().path("items");

        assertThat(inbox.size()).isEqualTo(1);
        assertThat(inbox.get(0).path("id").asString()).isEqualTo(mine);
        assertThat(gateway.http
                        .get("/v1/approvals", mallory)
                        .json()
                        .path("items")
                        .size())
                .isZero();
    }

    @Test
    void simulate_decidesWithoutRecording() {
        Response simulated = gateway.http.post(
                "/v1/decisions/simulate",
                reporter,
                json("action", "db.export", "resource", "db/prod/customers", "reason", "what if"));
        Response asHuman = gateway.http.post(
                "/v1/decisions/simulate",
                alice,
                json("action", "iam.grant", "resource", "iam/x", "reason", "what if", "agent", "reporter"));

        assertThat(simulated.text("effect")).isEqualTo("require_approval");
        assertThat(asHuman.text("effect")).isEqualTo("deny");
        assertThat(gateway.http.get("/v1/approvals", alice).json().path("items").size())
                .isZero();
    }

    @Test
    void everyStep_landsInTheAuditLog_inOrder() {
        JsonNode allowed = request("db.query", "db/prod/customers").json();
        execute(
                allowed.path("id").asString(),
                allowed.path("grant").path("token").asString());

        Response entries = gateway.http.get("/v1/audit/entries?start=0", gateway.auditor());

        assertThat(entries.status()).isEqualTo(200);
        assertThat(entries.contentType()).startsWith("application/x-ndjson");
        String[] lines = entries.body().split("\n");
        assertThat(lines[0]).contains("\"type\":\"policy.loaded\"");
        assertThat(entries.body())
                .containsSubsequence(
                        "request.created",
                        "decision.made",
                        "request.approved",
                        "grant.issued",
                        "grant.used",
                        "action.executed");
        for (int i = 0; i < lines.length; i++) {
            assertThat(lines[i]).startsWith("{").contains("\"seq\":" + i + ",");
        }
    }
}
