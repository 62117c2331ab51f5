package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Upstreams are supervised: one that dies (a stdio process that exits, an HTTP server that stops)
 * is noticed at once, its calls in flight and held end with an error naming it, its tools are
 * unlisted until it answers again, and it is started again (connected again) with backoff, its
 * tools listed and checked against their pins. A result too large to read fails that call alone.
 * The other upstreams serve throughout. Against our own misbehaving stdio server and a Streamable
 * HTTP server built on the official TypeScript SDK.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class McpSupervisionTest {
    /** Long, so that an answer within seconds shows the death was noticed, not waited out. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(90);

    private Path directory;
    private Path refuseToStart;
    private int webPort;
    private Process web;
    private McpTestGateway gateway;
    private McpSyncClient agent;

    @BeforeAll
    void start(@TempDir Path directory) throws Exception {
        this.directory = directory;
        refuseToStart = directory.resolve("refuse-to-start");
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            webPort = socket.getLocalPort();
        }
        web = startWeb();
        gateway = new McpTestGateway(
                directory,
                new McpConfig(
                        Map.of(
                                "everything", NpmServers.everything(),
                                "flaky",
                                        new UpstreamConfig.Stdio(
                                                "node",
                                                List.of(
                                                        NpmServers.testScript("flaky-server.mjs")
                                                                .toString(),
                                                        refuseToStart.toString()),
                                                Map.of()),
                                "web",
                                        new UpstreamConfig.Http(
                                                java.net.URI.create("http://127.0.0.1:" + webPort + "/mcp"), Map.of())),
                        Set.of(),
                        CALL_TIMEOUT));
        agent = gateway.httpClient(gateway.agent("supervised-agent"));
    }

    @AfterAll
    void stop() {
        if (agent != null) agent.closeGracefully();
        if (gateway != null) gateway.close();
        if (web != null) web.destroyForcibly();
    }

    @Test
    void aStdioUpstreamThatExitsMidCall_answersAtOnce_andIsStartedAgainWithItsTools() throws Exception {
        await(() -> names().contains("flaky__pid"), "flaky answers");
        String before = text(call("flaky__pid", Map.of()));

        long started = System.nanoTime();
        McpSchema.CallToolResult boom = call("flaky__boom", Map.of());

        assertThat(boom.isError()).isTrue();
        assertThat(text(boom))
                .contains("upstream 'flaky' exited (status 3) during the call")
                .doesNotContain("Exception");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(CALL_TIMEOUT.dividedBy(3));
        assertThat(text(call("everything__echo", Map.of("message", "alive")))).contains("alive");
        await(() -> names().contains("flaky__pid"), "flaky's tools are listed again");
        assertThat(names()).contains("flaky__pid", "flaky__boom", "flaky__hold");
        assertThat(text(call("flaky__pid", Map.of()))).isNotEqualTo(before);
    }

    @Test
    void whileAStdioUpstreamIsDown_itsToolsAreUnlisted_itsCallsFailAtOnce_andItIsRetriedWithBackoff() throws Exception {
        await(() -> names().contains("flaky__pid"), "flaky answers");
        Files.writeString(refuseToStart, "");
        try {
            call("flaky__boom", Map.of());
            await(() -> !names().contains("flaky__pid"), "flaky's tools are unlisted");
            // Unlisted, it is an unknown tool to the protocol: a JSON-RPC error (-32602, its data naming the tool), at
            // once.
            assertThatThrownBy(() -> call("flaky__pid", Map.of())).hasMessageContaining("Unknown tool");
            assertThat(names()).contains("everything__echo", "web__pid");
        } finally {
            Files.delete(refuseToStart);
        }
        await(() -> names().contains("flaky__pid"), "flaky's tools are listed again");
        assertThat(failed(call("flaky__pid", Map.of()))).isFalse();
    }

    @Test
    void aCallHeldForApproval_whoseUpstreamDies_endsAtOnce_andCanNotBeApproved() throws Exception {
        String owner = gateway.human("olga", "file-owners");
        McpSyncClient other = gateway.httpClient(gateway.agent("holding-agent"));
        await(() -> names().contains("flaky__pid"), "flaky answers");
        try {
            CompletableFuture<McpSchema.CallToolResult> held = CompletableFuture.supplyAsync(
                    () -> other.callTool(new McpSchema.CallToolRequest("flaky__hold", Map.of())));
            String id = gateway.awaitPendingId(owner, "mcp.flaky.hold");

            call("flaky__boom", Map.of());

            McpSchema.CallToolResult answer = held.get(30, TimeUnit.SECONDS);
            assertThat(answer.isError()).isTrue();
            assertThat(text(answer)).contains("upstream 'flaky' exited").contains("while the call was held");
            JsonNode request = gateway.get("/v1/actions/" + id, owner);
            assertThat(request.path("status").asString()).as(request.toString()).isEqualTo("cancelled");
            assertThat(gateway.post("/v1/actions/" + id + "/approve", owner, "{}")
                            .statusCode())
                    .isEqualTo(409);
        } finally {
            other.closeGracefully();
        }
        await(() -> names().contains("flaky__pid"), "flaky answers again");
    }

    @Test
    void aResultTooLargeToRead_failsThatCallAlone_andTheUpstreamKeepsServing() throws Exception {
        await(() -> names().contains("flaky__pid"), "flaky answers");
        String before = text(call("flaky__pid", Map.of()));

        McpSchema.CallToolResult big = call("flaky__big", Map.of("size", Upstream.MAX_MESSAGE_BYTES + 1024));

        assertThat(big.isError()).isTrue();
        assertThat(text(big))
                .contains("upstream 'flaky' sent a result too large to pass on")
                .contains("the upstream keeps serving");
        // The same process answers: it was not restarted.
        assertThat(text(call("flaky__pid", Map.of()))).isEqualTo(before);
        assertThat(text(call("flaky__big", Map.of("size", 1000)))).hasSize(1000);
    }

    @Test
    void anHttpUpstreamThatStops_failsOnItsFirstCall_andIsConnectedAgainOnceItIsBack() throws Exception {
        await(() -> names().contains("web__pid"), "web answers");
        web.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        long started = System.nanoTime();
        McpSchema.CallToolResult failed = call("web__pid", Map.of());

        assertThat(failed.isError()).isTrue();
        assertThat(text(failed)).contains("upstream 'web' failed").doesNotContain("TimeoutException");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(CALL_TIMEOUT.dividedBy(3));
        await(() -> !names().contains("web__pid"), "web's tools are unlisted");
        assertThatThrownBy(() -> call("web__pid", Map.of())).hasMessageContaining("Unknown tool");

        web = startWeb();
        await(() -> names().contains("web__pid"), "web's tools are listed again");
        assertThat(failed(call("web__pid", Map.of()))).isFalse();
    }

    @Test
    void aStdioUpstreamThatDoesNotStartWithTheGateway_isStartedAgainWithBackoff_andServedOnceItAnswers(
            @TempDir Path elsewhere) throws Exception {
        Path refuse = elsewhere.resolve("refuse-to-start");
        Files.writeString(refuse, "");
        McpConfig late = new McpConfig(
                Map.of(
                        "flaky",
                        new UpstreamConfig.Stdio(
                                "node",
                                List.of(
                                        NpmServers.testScript("flaky-server.mjs")
                                                .toString(),
                                        refuse.toString()),
                                Map.of())),
                Set.of(),
                CALL_TIMEOUT);
        try (McpTestGateway lateGateway = new McpTestGateway(elsewhere, late)) {
            McpSyncClient client = lateGateway.httpClient(lateGateway.agent("late-agent"));
            try {
                assertThat(client.listTools().tools())
                        .as("nothing served while it refuses")
                        .isEmpty();

                Files.delete(refuse);

                await(
                        () -> client.listTools().tools().stream()
                                .anyMatch(tool -> tool.name().equals("pid")),
                        "its tools are listed once it starts");
                assertThat(failed(client.callTool(new McpSchema.CallToolRequest("pid", Map.of()))))
                        .isFalse();
            } finally {
                client.closeGracefully();
            }
        }
    }

    private Process startWeb() throws Exception {
        Process process = new ProcessBuilder(
                        "node", NpmServers.testScript("http-server.mjs").toString(), String.valueOf(webPort))
                .redirectErrorStream(true)
                .redirectOutput(
                        directory.resolve("web-" + System.nanoTime() + ".log").toFile())
                .start();
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), webPort)) {
                return process;
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the HTTP upstream did not listen within 60 s");
    }

    private McpSchema.CallToolResult call(String tool, Map<String, Object> arguments) {
        return agent.callTool(new McpSchema.CallToolRequest(tool, arguments));
    }

    private List<String> names() {
        return agent.listTools().tools().stream().map(McpSchema.Tool::name).toList();
    }

    private static boolean failed(McpSchema.CallToolResult result) {
        return Boolean.TRUE.equals(result.isError());
    }

    private static String text(McpSchema.CallToolResult result) {
        return McpGatewayTest.text(result);
    }

    /** Backoff doubles from 1 s while the upstream refuses to start: a minute is ample. */
    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError(what + ": not within 90 s");
            }
            Thread.sleep(200);
        }
    }
}
