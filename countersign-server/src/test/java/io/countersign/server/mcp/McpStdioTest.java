package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code countersign mcp --stdio} as a desktop agent runs it: a child process speaking MCP on
 * stdin/stdout with the agent's key in {@code $COUNTERSIGN_API_KEY}, driven by the Java SDK
 * client and by the MCP Inspector's CLI mode. One upstream (filesystem), so tool names are unprefixed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class McpStdioTest {
    private static final Pattern APPROVALS_AT = Pattern.compile("approvals at (http://\\S+)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final CompletableFuture<String> baseUrl = new CompletableFuture<>();
    private Path share;
    private StdioGatewaySetup gateway;
    private String agentToken;
    private String ownerToken;
    private McpSyncClient agent;
    private final List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
    private final List<McpSchema.ElicitUrlRequest> elicitations = new CopyOnWriteArrayList<>();
    private final List<McpSchema.ElicitationCompleteNotification> completed = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start(@TempDir Path directory) throws Exception {
        NpmServers.folder();
        share = Files.createDirectories(directory.resolve("share"));
        Files.writeString(share.resolve("notes.txt"), "stdio notes\n");
        gateway = StdioGatewaySetup.write(
                directory, Map.of("files", NpmServers.filesystem(share)), "  elicitation: true\n");
        agentToken = gateway.issue(new Agent("desktop", Map.of()));
        ownerToken = gateway.issue(new Human("olga", "olga@example.com", Set.of("file-owners")));
        StdioClientTransport transport = new StdioClientTransport(
                gateway.parameters(agentToken), new JacksonMcpJsonMapper(McpTestGateway.MAPPER));
        transport.setStdErrorHandler(line -> {
            Matcher matcher = APPROVALS_AT.matcher(line);
            if (matcher.find()) baseUrl.complete(matcher.group(1));
        });
        agent = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(90))
                .initializationTimeout(Duration.ofSeconds(90))
                .progressConsumer(progress::add)
                .capabilities(McpSchema.ClientCapabilities.builder()
                        .elicitation(false, true)
                        .build())
                .urlElicitation(request -> {
                    elicitations.add(request);
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, null);
                })
                .elicitationCompleteConsumer(completed::add)
                .build();
        agent.initialize();
    }

    @AfterAll
    void stop() {
        callers.shutdownNow();
        if (agent != null) agent.closeGracefully();
    }

    @Test
    void allowedRead_overStdio_returnsTheFile() {
        McpSchema.CallToolResult result = agent.callTool(new McpSchema.CallToolRequest(
                "read_text_file", Map.of("path", share.resolve("notes.txt").toString())));

        assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(McpGatewayTest.text(result)).contains("stdio notes");
    }

    @Test
    void writeFile_overStdio_isHeldWithProgress_untilApproved() throws Exception {
        Path target = share.resolve("stdio-approved.txt");
        CompletableFuture<McpSchema.CallToolResult> call = CompletableFuture.supplyAsync(
                () -> agent.callTool(McpSchema.CallToolRequest.builder("write_file")
                        .arguments(Map.of("path", target.toString(), "content", "from stdio"))
                        .progressToken("stdio-write")
                        .build()),
                callers);

        String base = baseUrl.get(60, TimeUnit.SECONDS);
        String id = awaitPending(base);
        assertThat(target).doesNotExist();
        HttpResponse<String> approved = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/actions/" + id + "/approve"))
                        .header("Authorization", "Bearer " + ownerToken)
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(approved.statusCode()).isEqualTo(200);

        McpSchema.CallToolResult result = call.get(30, TimeUnit.SECONDS);
        assertThat(result.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(target).hasContent("from stdio");
        assertThat(progress).isNotEmpty().allMatch(note -> "stdio-write".equals(note.progressToken()));
        // The client declared URL-mode elicitation and the config allows it: it was sent to the request's console page.
        assertThat(elicitations).anySatisfy(elicitation -> {
            assertThat(elicitation.url()).isEqualTo(base + "/console/requests/" + id);
            assertThat(elicitation.elicitationId()).isEqualTo(id);
            assertThat(elicitation.message()).contains("mcp.files.write_file");
        });
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (completed.stream().noneMatch(note -> id.equals(note.elicitationId())) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(completed)
                .extracting(McpSchema.ElicitationCompleteNotification::elicitationId)
                .contains(id);
    }

    @Test
    void inspectorCli_overStdio_listsAndCallsTools() throws Exception {
        Path inspector = NpmServers.folder().resolve("node_modules/.bin/mcp-inspector");
        // The inspector passes its own flags before '--'; -e sets the child's environment.
        List<String> list = new ArrayList<>(
                List.of(inspector.toString(), "--cli", "-e", "COUNTERSIGN_API_KEY=" + agentToken, "--", javaBin()));
        list.addAll(countersignArgs());
        list.addAll(List.of("--method", "tools/list"));
        String tools = run(list);
        assertThat(tools).contains("read_text_file").contains("write_file");

        List<String> call = new ArrayList<>(
                List.of(inspector.toString(), "--cli", "-e", "COUNTERSIGN_API_KEY=" + agentToken, "--", javaBin()));
        call.addAll(countersignArgs());
        call.addAll(List.of(
                "--method",
                "tools/call",
                "--tool-name",
                "move_file",
                "--tool-arg",
                "source=" + share.resolve("notes.txt"),
                "--tool-arg",
                "destination=" + share.resolve("gone.txt")));
        String denied = run(call);
        assertThat(denied).contains("isError").contains("agents may not move files");
        assertThat(share.resolve("notes.txt")).exists();
    }

    private String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                    } catch (java.io.IOException e) {
                        return e.toString();
                    }
                },
                callers);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as("inspector failed: %s%n%s", out, err.get(5, TimeUnit.SECONDS))
                .isZero();
        return out;
    }

    private String awaitPending(String base) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            JsonNode inbox = McpTestGateway.MAPPER.readTree(HTTP.send(
                            HttpRequest.newBuilder(URI.create(base + "/v1/approvals?status=pending"))
                                    .header("Authorization", "Bearer " + ownerToken)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            for (JsonNode item : inbox.path("items")) {
                if ("mcp.files.write_file"
                        .equals(item.path("action").path("action").asString()))
                    return item.get("id").asString();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no pending write_file after 30 s");
    }

    private List<String> countersignArgs() {
        return List.of(
                "-cp",
                System.getProperty("java.class.path"),
                "io.countersign.server.Main",
                "mcp",
                "--stdio",
                "--config",
                gateway.config().toString());
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
