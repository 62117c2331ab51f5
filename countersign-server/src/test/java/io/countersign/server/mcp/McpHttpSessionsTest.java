package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mcp.http: sessions}: {@code /mcp} with the SDK's Streamable HTTP sessions, so a call held
 * for approval answers with an event stream carrying progress notifications and, where the
 * client declared it, a URL-mode elicitation pointing at the console; as over stdio. A session
 * belongs to the agent that opened it: to any other it does not exist.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class McpHttpSessionsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
    private final List<McpSchema.ElicitUrlRequest> elicitations = new CopyOnWriteArrayList<>();
    private McpTestGateway gateway;
    private Path share;
    private String agentToken;
    private String ownerToken;
    private McpSyncClient agent;

    @BeforeAll
    void start(@TempDir Path directory) throws Exception {
        share = Files.createDirectories(directory.resolve("share"));
        gateway = new McpTestGateway(
                directory,
                new McpConfig(
                                Map.of("everything", NpmServers.everything(), "files", NpmServers.filesystem(share)),
                                Set.of(),
                                Duration.ofSeconds(10))
                        .withHttp(McpConfig.HttpMode.SESSIONS)
                        .withElicitation(true));
        agentToken = gateway.agent("session-agent");
        ownerToken = gateway.human("olga", "file-owners");
        agent = McpClient.sync(HttpClientStreamableHttpTransport.builder(gateway.baseUrl())
                        .endpoint("/mcp")
                        .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + agentToken))
                        .jsonMapper(new JacksonMcpJsonMapper(McpTestGateway.MAPPER))
                        .build())
                .requestTimeout(Duration.ofSeconds(90))
                .progressConsumer(progress::add)
                .capabilities(McpSchema.ClientCapabilities.builder()
                        .elicitation(false, true)
                        .build())
                .urlElicitation(request -> {
                    elicitations.add(request);
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, null);
                })
                .build();
        agent.initialize();
    }

    @AfterAll
    void stop() {
        callers.shutdownNow();
        if (agent != null) agent.closeGracefully();
        if (gateway != null) gateway.close();
    }

    @Test
    void allowedTool_returnsTheUpstreamResultUnchanged() {
        McpSchema.CallToolResult result =
                agent.callTool(new McpSchema.CallToolRequest("everything__echo", Map.of("message", "in a session")));

        assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(McpGatewayTest.text(result)).isEqualTo("Echo: in a session");
    }

    @Test
    void heldCall_sendsProgressAndAnElicitation_untilApproved() throws Exception {
        Path target = share.resolve("session-approved.txt");
        CompletableFuture<McpSchema.CallToolResult> call = CompletableFuture.supplyAsync(
                () -> agent.callTool(McpSchema.CallToolRequest.builder("files__write_file")
                        .arguments(Map.of("path", target.toString(), "content", "over a session"))
                        .progressToken("session-write")
                        .build()),
                callers);

        String id = gateway.awaitPendingId(ownerToken, "mcp.files.write_file");
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while ((progress.isEmpty() || elicitations.isEmpty()) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        // Both arrive while the call is still held: the file is not written yet.
        assertThat(progress).isNotEmpty().allMatch(note -> "session-write".equals(note.progressToken()));
        assertThat(elicitations).anySatisfy(elicitation -> {
            assertThat(elicitation.url()).isEqualTo(gateway.baseUrl() + "/console/requests/" + id);
            assertThat(elicitation.elicitationId()).isEqualTo(id);
        });
        assertThat(target).doesNotExist();

        assertThat(gateway.post("/v1/actions/" + id + "/approve", ownerToken, "{\"comment\":\"fine\"}")
                        .statusCode())
                .isEqualTo(200);
        McpSchema.CallToolResult result = call.get(30, TimeUnit.SECONDS);
        assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(target).hasContent("over a session");
    }

    @Test
    void aSessionOpenedByOneAgent_refusesAnotherAgentsCalls() throws Exception {
        String session = initialize(agentToken);
        String owner = rpc(
                        agentToken,
                        session,
                        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"everything__echo\","
                                + "\"arguments\":{\"message\":\"mine\"}}}")
                .body();
        assertThat(owner).contains("Echo: mine");

        // Another agent can't call on it, read its event stream (where the owner's elicitations go) or end it.
        String other = gateway.agent("other-agent");
        HttpResponse<String> call = rpc(
                other,
                session,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":"
                        + "\"everything__echo\",\"arguments\":{\"message\":\"theirs\"}}}");
        assertThat(call.statusCode()).isEqualTo(404);
        assertThat(call.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(call.body()).contains("\"error\"").contains("initialize a new one");
        assertThat(call.body())
                .doesNotContain("Echo: theirs")
                .contains("no MCP session " + session + " of agent other-agent");
        assertThat(send(other, session, "GET").statusCode()).isEqualTo(404);
        assertThat(send(other, session, "DELETE").statusCode()).isEqualTo(404);
        HttpResponse<String> unknown =
                rpc(agentToken, "no-such-session", "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body())
                .contains("\"error\"")
                .doesNotContain("Exception")
                .hasSizeLessThan(400);

        assertThat(rpc(
                                agentToken,
                                session,
                                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"everything__echo\","
                                        + "\"arguments\":{\"message\":\"still mine\"}}}")
                        .body())
                .contains("Echo: still mine");
        assertThat(send(agentToken, session, "DELETE").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> send(String token, String session, String method) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/mcp"))
                        .header("Authorization", "Bearer " + token)
                        .header("Accept", "text/event-stream")
                        .header("Mcp-Session-Id", session)
                        .header("MCP-Protocol-Version", "2025-06-18")
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Opens a session by hand and returns its id. */
    private String initialize(String token) throws Exception {
        HttpResponse<String> initialized = rpc(
                token,
                null,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                        + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"by-hand\",\"version\":\"1\"}}}");
        assertThat(initialized.statusCode()).as(initialized.body()).isEqualTo(200);
        String session = initialized.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(rpc(token, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                        .statusCode())
                .isEqualTo(202);
        return session;
    }

    private HttpResponse<String> rpc(String token, String session, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/mcp"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-06-18")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
