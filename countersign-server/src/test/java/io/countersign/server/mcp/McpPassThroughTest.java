package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an upstream says reaches the agent as the upstream said it: tool definitions and results,
 * resources, resource templates, resource contents, prompts, completions and the server's
 * instructions keep fields the SDK does not know ({@code execution.taskSupport}, {@code icons} on
 * a resource link, a later revision's and a vendor's fields), {@code _meta}, annotations,
 * {@code outputSchema} and {@code structuredContent}, and their key order. Against a server built
 * on the official TypeScript SDK (src/test/resources/mcp/verbatim-server.mjs): each answer read from
 * it directly is compared, as JSON text, with the same answer through the gateway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class McpPassThroughTest {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
    /** The requests asked both ways, by id. */
    private static final Map<Integer, String> ASKED = Map.of(
            2, request(2, "tools/list", "{}"),
            3, request(3, "tools/call", "{\"name\":\"report\",\"arguments\":{\"topic\":\"x\"}}"),
            4, request(4, "resources/list", "{}"),
            5, request(5, "resources/templates/list", "{}"),
            6, request(6, "resources/read", "{\"uri\":\"test://verbatim/readme\"}"),
            7, request(7, "prompts/list", "{}"),
            8, request(8, "prompts/get", "{\"name\":\"ask\",\"arguments\":{\"topic\":\"x\"}}"),
            9, request(9, "resources/read", "{\"uri\":\"test://verbatim/topics/open\"}"),
            10,
                    request(
                            10,
                            "completion/complete",
                            "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"ask\"},\"argument\":{\"name\":\"topic\","
                                    + "\"value\":\"a\"}}"));

    private Map<Integer, JsonNode> direct;
    private McpTestGateway gateway;
    private String agent;

    @BeforeAll
    void start(@TempDir Path directory) throws Exception {
        direct = askDirectly();
        gateway = new McpTestGateway(
                directory,
                new McpConfig(
                        Map.of("verbatim", new UpstreamConfig.Stdio("node", List.of(script().toString()), Map.of())),
                        Set.of(),
                        Duration.ofSeconds(30)),
                config -> config,
                "/mcp/verbatim-policy.yaml");
        agent = gateway.agent("verbatim-agent");
    }

    @AfterAll
    void stop() {
        if (gateway != null) gateway.close();
    }

    @Test
    void toolDefinitions_reachTheAgentAsTheUpstreamWroteThem() throws Exception {
        assertSame(2, "tools/list");
        assertThat(throughGateway(2).path("result").toString())
                .contains("\"execution\":{\"taskSupport\":\"optional\"}");
    }

    @Test
    void toolResults_reachTheAgentAsTheUpstreamWroteThem() throws Exception {
        assertSame(3, "tools/call");
    }

    @Test
    void resourcesAndTheirTemplates_areListedAsTheUpstreamListsThem() throws Exception {
        assertSame(4, "resources/list");
        assertSame(5, "resources/templates/list");
    }

    @Test
    void aResourceRead_isDecidedOnItsUri_andItsContentsPassAsTheUpstreamSentThem() throws Exception {
        assertSame(6, "resources/read of a listed resource");
        assertSame(9, "resources/read through a template");
        assertThat(gateway.auditLogWith("mcp.verbatim.resources.read")).contains("verbatim/test:/verbatim/readme");
    }

    @Test
    void aResourceReadTheRulesDeny_isAnErrorWithTheReason_andNeverReachesTheUpstream() throws Exception {
        JsonNode answer = post(request(20, "resources/read", "{\"uri\":\"test://verbatim/topics/secret\"}"));

        assertThat(answer.has("result")).as(answer.toString()).isFalse();
        assertThat(answer.path("error").path("message").asString())
                .contains("denied mcp.verbatim.resources.read")
                .contains("secret topics are not for agents");
    }

    @Test
    void promptsAndCompletions_passAsTheUpstreamWroteThem() throws Exception {
        assertSame(7, "prompts/list");
        assertSame(8, "prompts/get");
        assertSame(10, "completion/complete");
        assertThat(gateway.auditLogWith("mcp.verbatim.prompts.get")).contains("mcp.verbatim.prompts.get");
    }

    @Test
    void theUpstreamsInstructions_reachTheAgentInInitialize() throws Exception {
        JsonNode initialized = post(INITIALIZE);

        assertThat(initialized.path("result").path("instructions").asString())
                .isEqualTo(direct.get(1).path("result").path("instructions").asString())
                .isNotEmpty();
        assertThat(initialized.path("result").path("capabilities").has("resources"))
                .isTrue();
        assertThat(initialized.path("result").path("capabilities").has("prompts"))
                .isTrue();
    }

    private void assertSame(int id, String what) throws Exception {
        JsonNode through = throughGateway(id);
        assertThat(through.has("result")).as(what + ": " + through).isTrue();
        // As text: the same fields, values and key order.
        assertThat(MAPPER.writeValueAsString(through.get("result")))
                .as(what)
                .isEqualTo(MAPPER.writeValueAsString(direct.get(id).get("result")));
    }

    private JsonNode throughGateway(int id) throws Exception {
        return post(ASKED.get(id));
    }

    private JsonNode post(String body) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/mcp"))
                        .header("Authorization", "Bearer " + agent)
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/json, text/event-stream")
                        .header("MCP-Protocol-Version", "2025-06-18")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return MAPPER.readTree(response.body());
    }

    /** Each request's answer from the server itself, over stdio, as it wrote it. */
    private static Map<Integer, JsonNode> askDirectly() throws Exception {
        Process server = new ProcessBuilder("node", script().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            CompletableFuture<Map<Integer, JsonNode>> answers = CompletableFuture.supplyAsync(() -> {
                Map<Integer, JsonNode> read = new HashMap<>();
                try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while (read.size() < ASKED.size() + 1 && (line = in.readLine()) != null) {
                        JsonNode message = MAPPER.readTree(line);
                        if (message.has("id")) {
                            read.put(message.get("id").asInt(), message);
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return read;
            });
            OutputStream out = server.getOutputStream();
            StringBuilder lines = new StringBuilder(
                    INITIALIZE + "\n" + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n");
            ASKED.values().forEach(request -> lines.append(request).append('\n'));
            out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            Map<Integer, JsonNode> read = answers.get(60, TimeUnit.SECONDS);
            assertThat(read).as("the server answered every request").hasSize(ASKED.size() + 1);
            read.values().forEach(answer -> assertThat(answer.has("result"))
                    .as(answer.toString())
                    .isTrue());
            return read;
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Path script() {
        return NpmServers.testScript("verbatim-server.mjs");
    }

    private static String request(int id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }
}
