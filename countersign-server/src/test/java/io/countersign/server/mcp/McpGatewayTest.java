package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP gateway in front of two real npm MCP servers (everything and filesystem, over stdio),
 * driven by the Java SDK client over Streamable HTTP on {@code /mcp}, and compared with calling
 * the same upstream directly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class McpGatewayTest {
    /**
     * Held calls run here, not in the common pool: with 2 CPUs that pool has one thread, and the
     * SDK client's HTTP completions need it while the call blocks.
     */
    private final ExecutorService callers = Executors.newCachedThreadPool();

    private Path share;
    private McpTestGateway gateway;
    private String agentToken;
    private String ownerToken;
    private String mcpAdminToken;
    private McpSyncClient agent;

    @BeforeAll
    void start(@TempDir Path directory) throws Exception {
        NpmServers.folder();
        share = Files.createDirectories(directory.resolve("share"));
        Files.writeString(share.resolve("hello.txt"), "hello from the share\n");
        gateway = new McpTestGateway(
                directory,
                new McpConfig(
                                Map.of("everything", NpmServers.everything(), "files", NpmServers.filesystem(share)),
                                Set.of("files"),
                                Duration.ofSeconds(5))
                        .withApproval(new McpConfig.Approval(Set.of("mcp-admins"), 1, Duration.ofMinutes(1))));
        agentToken = gateway.agent("desktop-agent");
        ownerToken = gateway.human("olga", "file-owners");
        mcpAdminToken = gateway.human("max", "mcp-admins");
        agent = gateway.httpClient(agentToken);
    }

    @AfterAll
    void stop() {
        if (agent != null) agent.closeGracefully();
        if (gateway != null) gateway.close();
        callers.shutdownNow();
    }

    @Test
    void toolsList_withTwoUpstreams_prefixesServerNames() {
        List<String> names =
                agent.listTools().tools().stream().map(McpSchema.Tool::name).toList();

        assertThat(names)
                .contains("everything__echo", "everything__get-sum", "files__write_file", "files__read_text_file");
        assertThat(names).allMatch(name -> name.startsWith("everything__") || name.startsWith("files__"));
    }

    @Test
    void allowedTool_returnsTheUpstreamResultUnchanged() throws Exception {
        McpSchema.CallToolRequest call = new McpSchema.CallToolRequest("echo", Map.of("message", "hi there"));
        McpSchema.CallToolResult direct;
        McpSyncClient upstream = direct(NpmServers.everything());
        try {
            direct = upstream.callTool(call);
        } finally {
            upstream.closeGracefully();
        }

        McpSchema.CallToolResult through =
                agent.callTool(new McpSchema.CallToolRequest("everything__echo", Map.of("message", "hi there")));

        assertThat(through).isEqualTo(direct);
        assertThat(through.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(gateway.auditLogWith("action.executed"))
                .contains("mcp.everything.echo")
                .contains("action.executed");
    }

    @Test
    void deniedTool_returnsIsErrorWithTheReason_andTheUpstreamIsNeverCalled() throws Exception {
        McpSchema.CallToolResult env = agent.callTool(new McpSchema.CallToolRequest("everything__get-env", Map.of()));
        McpSchema.CallToolResult move = agent.callTool(new McpSchema.CallToolRequest(
                "files__move_file",
                Map.of(
                        "source",
                        share.resolve("hello.txt").toString(),
                        "destination",
                        share.resolve("moved.txt").toString())));

        assertThat(env.isError()).isTrue();
        assertThat(text(env))
                .contains("agents may not read the server's environment")
                .contains("no-environment-dumps")
                .doesNotContain("s3cret");
        assertThat(move.isError()).isTrue();
        assertThat(text(move)).contains("agents may not move files");
        assertThat(share.resolve("hello.txt")).exists();
        assertThat(share.resolve("moved.txt")).doesNotExist();
    }

    @Test
    void writeFile_requiringApproval_blocksUntilApprovedThroughTheApi_thenTheFileIsWritten() throws Exception {
        Path target = share.resolve("approved.txt");
        CompletableFuture<McpSchema.CallToolResult> call = CompletableFuture.supplyAsync(
                () -> agent.callTool(new McpSchema.CallToolRequest(
                        "files__write_file", Map.of("path", target.toString(), "content", "approved content"))),
                callers);

        String id = gateway.awaitPendingId(ownerToken, "mcp.files.write_file");
        Thread.sleep(300);
        assertThat(call).isNotDone();
        assertThat(target).doesNotExist();
        assertThat(gateway.post("/v1/actions/" + id + "/approve", ownerToken, "{\"comment\":\"fine\"}")
                        .statusCode())
                .isEqualTo(200);

        McpSchema.CallToolResult result = call.get(30, TimeUnit.SECONDS);
        assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(target).hasContent("approved content");
        // files is a sensitive server: the audit log keeps the result's hash and size, not the result.
        assertThat(gateway.auditLogWith("sha256:")).contains("sha256:").doesNotContain("Successfully wrote");
    }

    @Test
    void writeFile_deniedByAHuman_isErrorWithTheComment_andTheFileIsNotWritten() throws Exception {
        Path target = share.resolve("denied.txt");
        CompletableFuture<McpSchema.CallToolResult> call = CompletableFuture.supplyAsync(
                () -> agent.callTool(new McpSchema.CallToolRequest(
                        "files__write_file", Map.of("path", target.toString(), "content", "nope"))),
                callers);

        String id = gateway.awaitPendingId(ownerToken, "mcp.files.write_file");
        assertThat(gateway.post("/v1/actions/" + id + "/deny", ownerToken, "{\"comment\":\"not in the share\"}")
                        .statusCode())
                .isEqualTo(200);

        McpSchema.CallToolResult result = call.get(30, TimeUnit.SECONDS);
        assertThat(result.isError()).isTrue();
        assertThat(text(result)).contains("denied by olga").contains("not in the share");
        assertThat(target).doesNotExist();
    }

    @Test
    void writeFile_thatNobodyApproves_expires_isError_andTheFileIsNotWritten() {
        Path target = share.resolve("expire.txt");

        McpSchema.CallToolResult result = agent.callTool(new McpSchema.CallToolRequest(
                "files__write_file", Map.of("path", target.toString(), "content", "too late")));

        assertThat(result.isError()).isTrue();
        assertThat(text(result)).contains("expired");
        assertThat(target).doesNotExist();
    }

    @Test
    void readOnlyTool_thatNoRuleCovers_isAllowedByItsAnnotation() throws Exception {
        McpSchema.CallToolResult info = agent.callTool(new McpSchema.CallToolRequest(
                "files__get_file_info",
                Map.of("path", share.resolve("hello.txt").toString())));

        assertThat(info.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(text(info)).contains("size");
        assertThat(gateway.auditLog())
                .contains("mcp.files.get_file_info")
                .contains("readOnlyHint: true, so the MCP annotation default allows it");
    }

    @Test
    void destructiveTool_thatNoRuleCovers_waitsForTheConfiguredApprovers_thenRuns() throws Exception {
        Path target = share.resolve("edit-me.txt");
        Files.writeString(target, "colour\n");
        CompletableFuture<McpSchema.CallToolResult> call = CompletableFuture.supplyAsync(
                () -> agent.callTool(new McpSchema.CallToolRequest(
                        "files__edit_file",
                        Map.of(
                                "path",
                                target.toString(),
                                "edits",
                                List.of(Map.of("oldText", "colour", "newText", "color"))))),
                callers);

        String id = gateway.awaitPendingId(mcpAdminToken, "mcp.files.edit_file");
        assertThat(gateway.get("/v1/actions/" + id, mcpAdminToken)
                        .path("decision")
                        .path("reason")
                        .asString())
                .contains("no rule matched mcp.files.edit_file")
                .contains("destructiveHint: true");
        assertThat(target).hasContent("colour");
        assertThat(gateway.post("/v1/actions/" + id + "/approve", mcpAdminToken, "{}")
                        .statusCode())
                .isEqualTo(200);

        McpSchema.CallToolResult result = call.get(30, TimeUnit.SECONDS);
        assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(target).hasContent("color");
    }

    @Test
    void toolWithNeitherHint_thatNoRuleCovers_getsThePolicyDefault() {
        Path directory = share.resolve("new-folder");

        McpSchema.CallToolResult result = agent.callTool(
                new McpSchema.CallToolRequest("files__create_directory", Map.of("path", directory.toString())));

        assertThat(result.isError()).isTrue();
        assertThat(directory).doesNotExist();
    }

    @Test
    void unknownTool_isAClearError() {
        McpSchema.CallToolResult result;
        try {
            result = agent.callTool(new McpSchema.CallToolRequest("everything__no-such-tool", Map.of()));
        } catch (RuntimeException e) {
            assertThat(e.getMessage()).containsIgnoringCase("unknown tool");
            return;
        }
        assertThat(result.isError()).isTrue();
    }

    @Test
    void upstreamThatHangs_isErrorAfterTheCallTimeout_andOtherCallsStillWork() {
        McpSchema.CallToolResult slow = agent.callTool(new McpSchema.CallToolRequest(
                "everything__trigger-long-running-operation", Map.of("duration", 30, "steps", 3)));

        assertThat(slow.isError()).isTrue();
        assertThat(text(slow)).contains("upstream 'everything' did not answer within 5 s");
        McpSchema.CallToolResult echo =
                agent.callTool(new McpSchema.CallToolRequest("everything__echo", Map.of("message", "still here")));
        assertThat(text(echo)).contains("still here");
    }

    static McpSyncClient direct(UpstreamConfig.Stdio upstream) {
        McpSyncClient client = McpClient.sync(new StdioClientTransport(
                        ServerParameters.builder(upstream.command())
                                .args(upstream.args())
                                .env(upstream.env())
                                .build(),
                        new JacksonMcpJsonMapper(McpTestGateway.MAPPER)))
                .requestTimeout(Duration.ofSeconds(30))
                .build();
        client.initialize();
        return client;
    }

    static String text(McpSchema.CallToolResult result) {
        List<String> texts = new ArrayList<>();
        for (McpSchema.Content content : result.content()) {
            if (content instanceof McpSchema.TextContent text) texts.add(text.text());
        }
        return String.join("\n", texts);
    }
}
