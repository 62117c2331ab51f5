package io.countersign.server.mcp;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.server.Gateway;
import io.countersign.server.TestCredentials;
import io.countersign.server.audit.AuditConfig;
import io.countersign.server.config.ServerConfig;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real gateway with an {@code mcp:} section on a free port, and helpers to act as agent and approver. */
final class McpTestGateway implements AutoCloseable {
    static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path data;
    private final Gateway gateway;

    McpTestGateway(Path directory, McpConfig mcp) {
        this(directory, mcp, config -> config);
    }

    /** With {@code adjust} applied to the server's config (roles, say). */
    McpTestGateway(Path directory, McpConfig mcp, java.util.function.UnaryOperator<ServerConfig> adjust) {
        this(directory, mcp, adjust, "/mcp/mcp-policy.yaml");
    }

    /** With the policy in the test resource {@code policyResource}. */
    McpTestGateway(
            Path directory,
            McpConfig mcp,
            java.util.function.UnaryOperator<ServerConfig> adjust,
            String policyResource) {
        this.data = directory.resolve("data");
        Path policy = directory.resolve("policy.yaml");
        try (InputStream in = McpTestGateway.class.getResourceAsStream(policyResource)) {
            Files.write(policy, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.gateway = Gateway.start(
                adjust.apply(ServerConfig.defaults()
                        .withDataDirectory(data)
                        .withPolicyFile(policy)
                        .withPort(0)
                        .withMcp(mcp)
                        .withAudit(AuditConfig.defaults().withPublicEntries(true))),
                Clock.systemUTC());
    }

    Gateway gateway() {
        return gateway;
    }

    String baseUrl() {
        return gateway.baseUrl();
    }

    Path data() {
        return data;
    }

    String agent(String name) {
        return issue(new Agent(name, Map.of("team", "test")));
    }

    String human(String name, String... groups) {
        return issue(new Human(name, name + "@example.com", Set.of(groups)));
    }

    private String issue(Principal principal) {
        return TestCredentials.issue(data, principal);
    }

    /** A Java SDK client on {@code /mcp} with the agent's bearer token. */
    McpSyncClient httpClient(String agentToken) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(baseUrl())
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + agentToken))
                .jsonMapper(new JacksonMcpJsonMapper(MAPPER))
                .build();
        McpSyncClient client = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(90))
                .clientInfo(new McpSchema.Implementation("test-agent", "1"))
                .build();
        client.initialize();
        return client;
    }

    /** Waits until a request is pending in {@code human}'s inbox and returns its id. */
    String awaitPendingId(String humanToken, String action) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            JsonNode inbox = get("/v1/approvals?status=pending", humanToken);
            for (JsonNode request : inbox.path("items")) {
                if (action.equals(request.path("action").path("action").asString())) {
                    return request.get("id").asString();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no pending " + action + " in the inbox after 30 s");
    }

    JsonNode get(String path, String token) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(baseUrl() + path))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return MAPPER.readTree(response.body());
    }

    HttpResponse<String> post(String path, String token, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(baseUrl() + path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The audit log once it contains {@code text} (execution records are written just after the call returns), or as it is after 10 s. */
    String auditLogWith(String text) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String log = auditLog();
        while (!log.contains(text) && System.nanoTime() < until) {
            Thread.sleep(50);
            log = auditLog();
        }
        return log;
    }

    /** The audit log as text, to check what was recorded. */
    String auditLog() throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/audit/entries?start=0"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Override
    public void close() {
        gateway.close();
    }
}
