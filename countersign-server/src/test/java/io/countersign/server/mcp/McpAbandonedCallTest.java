package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A held call whose agent gave up is cancelled, never run later (invariant 9), on {@code /mcp} in
 * both modes, with the official TypeScript SDK client in front of the real filesystem server: a
 * client that times out (the SDK then sends {@code notifications/cancelled}), one that aborts the
 * call, and one that is killed (its connection drops). Each time the request ends {@code
 * cancelled} with why, a human's approval is refused (409), and the file is never written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class McpAbandonedCallTest {
    private Path share;
    private McpTestGateway stateless;
    private McpTestGateway sessions;
    private Path directory;

    @BeforeAll
    void start(@TempDir Path directory) throws Exception {
        NpmServers.folder();
        this.directory = directory;
        share = Files.createDirectories(directory.resolve("share"));
        McpConfig files =
                new McpConfig(Map.of("files", NpmServers.filesystem(share)), Set.of(), Duration.ofSeconds(10));
        stateless = new McpTestGateway(Files.createDirectories(directory.resolve("stateless")), files);
        sessions = new McpTestGateway(
                Files.createDirectories(directory.resolve("sessions")), files.withHttp(McpConfig.HttpMode.SESSIONS));
    }

    @AfterAll
    void stop() {
        if (stateless != null) stateless.close();
        if (sessions != null) sessions.close();
    }

    @Test
    void aClientThatTimesOutOnAHeldCall_cancelsItsRequest_andNoApprovalWritesTheFile() throws Exception {
        gaveUp(stateless, "timeout", "timed-out.txt", "notifications/cancelled");
    }

    @Test
    void aClientThatAbortsAHeldCall_cancelsItsRequestWithItsReason_andNoApprovalWritesTheFile() throws Exception {
        gaveUp(stateless, "cancel", "aborted.txt", "the user pressed stop");
    }

    @Test
    void aClientKilledWhileItsCallIsHeld_cancelsItsRequest_andNoApprovalWritesTheFile() throws Exception {
        gaveUp(stateless, "hang", "killed.txt", "HTTP connection");
    }

    @Test
    void withSessions_aClientThatTimesOut_cancelsItsRequest_andNoApprovalWritesTheFile() throws Exception {
        gaveUp(sessions, "timeout", "session-timed-out.txt", "notifications/cancelled");
    }

    @Test
    void withSessions_aClientKilledWhileItsCallIsHeld_cancelsItsRequest_andNoApprovalWritesTheFile() throws Exception {
        gaveUp(sessions, "hang", "session-killed.txt", "connection is gone");
    }

    @Test
    void aClientThatWaits_stillGetsItsCallRunOnApproval() throws Exception {
        Path target = share.resolve("waited.txt");
        String owner = stateless.human("olga-" + System.nanoTime(), "file-owners");
        Process client = client(stateless, "hang", target);
        try {
            String id = awaitPendingFor(stateless, owner, target);
            assertThat(stateless
                            .post("/v1/actions/" + id + "/approve", owner, "{}")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(client.waitFor(30, TimeUnit.SECONDS))
                    .as("the client got its answer")
                    .isTrue();
            assertThat(target).hasContent("written by a held call");
        } finally {
            client.destroyForcibly();
        }
    }

    private void gaveUp(McpTestGateway gateway, String mode, String file, String why) throws Exception {
        Path target = share.resolve(file);
        String owner = gateway.human("olga-" + System.nanoTime(), "file-owners");
        Process client = client(gateway, mode, target);
        try {
            String id = awaitPendingFor(gateway, owner, target);
            if (mode.equals("hang")) {
                client.destroyForcibly();
            }
            assertThat(client.waitFor(30, TimeUnit.SECONDS))
                    .as("the client ended")
                    .isTrue();

            JsonNode request = awaitDecided(gateway, owner, id);
            assertThat(request.path("status").asString()).isEqualTo("cancelled");
            assertThat(request.path("resolution").asString()).contains(why).contains("can't be approved");
            assertThat(gateway.post("/v1/actions/" + id + "/approve", owner, "{}")
                            .statusCode())
                    .isEqualTo(409);
            assertThat(gateway.auditLogWith("request.cancelled")).contains("request.cancelled");
            Thread.sleep(500);
            assertThat(target).doesNotExist();
        } finally {
            client.destroyForcibly();
        }
    }

    private Process client(McpTestGateway gateway, String mode, Path target) throws Exception {
        String agent = gateway.agent("ts-agent-" + System.nanoTime());
        String arguments = McpTestGateway.MAPPER.writeValueAsString(
                Map.of("path", target.toString(), "content", "written by a held call"));
        Path log = Files.createTempFile(directory, "client-" + mode, ".log");
        return new ProcessBuilder(List.of(
                        "node",
                        NpmServers.testScript("held-call-client.mjs").toString(),
                        "http",
                        gateway.baseUrl() + "/mcp",
                        agent,
                        mode,
                        "write_file",
                        arguments))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** The pending write of {@code target} (other tests' requests may be pending too). */
    static String awaitPendingFor(McpTestGateway gateway, String humanToken, Path target) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            for (JsonNode request :
                    gateway.get("/v1/approvals?status=pending", humanToken).path("items")) {
                if (target.toString()
                        .equals(request.path("action")
                                .path("params")
                                .path("path")
                                .asString())) {
                    return request.get("id").asString();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no pending write of " + target + " after 30 s");
    }

    static JsonNode awaitDecided(McpTestGateway gateway, String humanToken, String id) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode request = gateway.get("/v1/actions/" + id, humanToken);
        while (request.path("status").asString().equals("pending") && System.nanoTime() < until) {
            Thread.sleep(100);
            request = gateway.get("/v1/actions/" + id, humanToken);
        }
        return request;
    }
}
