package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Invariant 8: bad input gets a clear problem+json answer, never a 500 and never a partial write. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProblemResponsesTest {
    private TestGateway gateway;
    private String agent;
    private String human;

    @BeforeAll
    void start(@TempDir Path directory) {
        gateway = new TestGateway(directory);
        agent = gateway.agent("reporter");
        human = gateway.human("alice", "data-owners");
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    private static void assertProblem(Response response, int status, String detailContains) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().path("status").asInt()).isEqualTo(status);
        assertThat(response.text("type")).startsWith("urn:countersign:problem:");
        assertThat(response.text("title")).isNotBlank();
        assertThat(response.text("detail")).contains(detailContains);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void malformedJson_is400() {
        assertProblem(gateway.http.post("/v1/actions", agent, "{\"action\": "), 400, "not valid JSON");
    }

    @Test
    void bodyThatIsNotAnObject_is400() {
        assertProblem(gateway.http.post("/v1/actions", agent, "[1,2]"), 400, "must be a JSON object");
    }

    @Test
    void unknownField_is400_andNamesIt() {
        assertProblem(
                gateway.http.post(
                        "/v1/actions",
                        agent,
                        json("action", "db.query", "resource", "db/x", "reason", "r", "parms", "{}")),
                400,
                "unknown field(s) [parms]");
    }

    @Test
    void missingField_is400_andNamesIt() {
        assertProblem(
                gateway.http.post("/v1/actions", agent, json("action", "db.query", "reason", "r")),
                400,
                "field 'resource' is required");
    }

    @Test
    void wronglyTypedField_is400() {
        assertProblem(
                gateway.http.post(
                        "/v1/actions",
                        agent,
                        json("action", "db.query", "resource", "db/x", "reason", "r", "params", "rows=1")),
                400,
                "field 'params' must be a JSON object");
    }

    @Test
    void malformedActionName_is400() {
        assertProblem(
                gateway.http.post("/v1/actions", agent, json("action", "db..query", "resource", "db/x", "reason", "r")),
                400,
                "is not a dotted name");
    }

    @Test
    void oversizedBody_is413_andNothingIsWritten() {
        long before = gateway.http
                .get("/v1/audit/entries", gateway.auditor())
                .body()
                .lines()
                .count();
        byte[] big = ("{\"action\":\"db.query\",\"resource\":\"db/x\",\"reason\":\"" + "x".repeat(70_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);

        assertProblem(gateway.http.postBytes("/v1/actions", agent, big), 413, "limit");
        assertThat(gateway.http
                        .get("/v1/audit/entries", gateway.auditor())
                        .body()
                        .lines()
                        .count())
                .isEqualTo(before);
    }

    @Test
    void unknownRequestId_is404() {
        assertProblem(gateway.http.get("/v1/actions/req_00000000000000000000000000", agent), 404, "no request");
        assertProblem(gateway.http.get("/v1/actions/../../etc/passwd", agent), 404, "");
        assertProblem(gateway.http.post("/v1/actions/nonsense/approve", human, "{}"), 404, "no request 'nonsense'");
    }

    @Test
    void unknownRoute_is404_andWrongMethod_isAProblemToo() {
        assertProblem(gateway.http.get("/v2/everything", agent), 404, "no such route");
        assertThat(gateway.http.post("/healthz", agent, "{}").contentType()).startsWith("application/problem+json");
    }

    @Test
    void missingOrBadToken_is401() {
        assertProblem(gateway.http.post("/v1/actions", null, "{}"), 401, "Authorization: Bearer");
        assertProblem(gateway.http.post("/v1/actions", "csa_0123456789abcdef_" + "A".repeat(43), "{}"), 401, "");
        assertProblem(gateway.http.get("/v1/approvals", "garbage"), 401, "");
    }

    @Test
    void humanToken_cannotRequestActions_andAgentCannotReadTheInbox() {
        assertProblem(
                gateway.http.post("/v1/actions", human, json("action", "db.query", "resource", "db/x", "reason", "r")),
                403,
                "humans may not call");
        assertProblem(gateway.http.get("/v1/approvals", agent), 403, "agents may not call");
    }

    @Test
    void denyWithoutComment_is400() {
        String id = gateway.http
                .post("/v1/actions", agent, json("action", "db.export", "resource", "db/prod/x", "reason", "r"))
                .text("id");

        assertProblem(
                gateway.http.post("/v1/actions/" + id + "/deny", human, "{}"), 400, "field 'comment' is required");
        assertProblem(
                gateway.http.post("/v1/actions/" + id + "/deny", human, json("comment", "  ")), 422, "needs a comment");
    }

    @Test
    void badWaitParameter_is400() {
        assertProblem(
                gateway.http.post(
                        "/v1/actions?wait=forever",
                        agent,
                        json("action", "db.query", "resource", "db/x", "reason", "r")),
                400,
                "wait must look like 30s");
    }

    @Test
    void badOutcome_is400() {
        String id = gateway.http
                .post("/v1/actions", agent, json("action", "db.query", "resource", "db/x", "reason", "r"))
                .text("id");

        assertProblem(
                gateway.http.post("/v1/actions/" + id + "/execution", agent, json("grant", "x", "outcome", "maybe")),
                400,
                "outcome must be");
    }

    @Test
    void healthAndMetrics_needNoToken() {
        assertThat(gateway.http.get("/healthz", null).status()).isEqualTo(200);
        Response metrics = gateway.http.get("/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("countersign_decisions_total").contains("countersign_requests_pending");
    }
}
