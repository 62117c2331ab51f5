package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What survives a restart, idempotent retries, and policy changes while the gateway runs. */
class GatewayLifecycleTest {
    @TempDir
    Path directory;

    private TestGateway gateway;
    private String agent;

    @BeforeEach
    void start() {
        gateway = new TestGateway(directory);
        agent = gateway.agent("reporter");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void requestPendingAcrossARestart_expiresAtItsTimeout_whileTheGatewayWasDown() throws Exception {
        String id = gateway.http
                .post("/v1/actions", agent, json("action", "demo.expire", "resource", "demo/x", "reason", "r"))
                .text("id");
        gateway.stop();
        Thread.sleep(1_200);

        gateway.start();
        Response after = gateway.http.get("/v1/actions/" + id + "?wait=5s", agent);

        assertThat(after.text("status")).isEqualTo("expired");
    }

    @Test
    void sameIdempotencyKey_sameBody_returnsTheSameRequest_otherBodyIs409() {
        String body =
                json("action", "db.export", "resource", "db/prod/customers", "reason", "r", "idempotencyKey", "job-42");
        Response first = gateway.http.post("/v1/actions", agent, body);
        Response retry = gateway.http.post("/v1/actions", agent, body);
        Response other = gateway.http.post(
                "/v1/actions",
                agent,
                json("action", "db.export", "resource", "db/prod/orders", "reason", "r", "idempotencyKey", "job-42"));

        assertThat(retry.text("id")).isEqualTo(first.text("id"));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.contentType()).startsWith("application/problem+json");
        assertThat(other.text("detail")).contains("job-42");
    }

    @Test
    void changedPolicyFile_takesEffect_andAnInvalidOneKeepsTheOldPolicy_bothAudited() throws Exception {
        String before = gateway.http
                .post("/v1/decisions/simulate", agent, json("action", "db.query", "resource", "db/x", "reason", "r"))
                .text("effect");
        assertThat(before).isEqualTo("allow");

        // reads-are-free is the test policy's only allow rule
        Files.writeString(
                gateway.policyFile(), Files.readString(gateway.policyFile()).replace("effect: allow", "effect: deny"));
        awaitEffect("db.query", "deny");

        Files.writeString(gateway.policyFile(), "default: maybe\n");
        Thread.sleep(2_500); // two reload periods: the broken file must not replace the working policy
        assertThat(gateway.http
                        .post(
                                "/v1/decisions/simulate",
                                agent,
                                json("action", "db.query", "resource", "db/x", "reason", "r"))
                        .text("effect"))
                .isEqualTo("deny");

        String log = gateway.http.get("/v1/audit/entries", gateway.auditor()).body();
        assertThat(log.lines().filter(line -> line.contains("\"type\":\"policy.loaded\"")))
                .hasSize(2);
        assertThat(log).contains("\"type\":\"policy.rejected\"").contains("maybe");
    }

    private void awaitEffect(String action, String effect) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            String now = gateway.http
                    .post("/v1/decisions/simulate", agent, json("action", action, "resource", "db/x", "reason", "r"))
                    .text("effect");
            if (now.equals(effect)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(action + " never became " + effect);
    }
}
