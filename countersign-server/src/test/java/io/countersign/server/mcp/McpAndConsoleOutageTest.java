package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.server.ConsoleClient;
import io.countersign.server.Gateway;
import io.countersign.server.config.DatabaseConfig;
import io.countersign.server.config.ServerConfig;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * As {@code DatabaseOutageTest} for {@code /v1}, for the other paths: while the gateway's PostgreSQL is stopped,
 * {@code /mcp} (stateless, and with sessions) answers 503 with Retry-After and a JSON-RPC error an MCP client reads,
 * the console answers an HTML 503 page with Retry-After, soon and never a 500; after the restart an MCP session
 * opened before the outage goes on.
 */
class McpAndConsoleOutageTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TOOLS_LIST = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}";

    @TempDir
    Path dir;

    private EmbeddedPostgres postgres;
    private int port;
    private final List<Gateway> nodes = new ArrayList<>();

    private record Answer(
            int status, String contentType, String retryAfter, String session, String body, long millis) {}

    @AfterEach
    void stop() throws Exception {
        nodes.reversed().forEach(Gateway::close);
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Timeout(240)
    void whileTheDatabaseIsAway_mcpAnswers503WithAJsonRpcError_theConsoleA503Page_andAnMcpSessionGoesOnAfterwards()
            throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        startPostgres();
        PostgresSettings database =
                PostgresSettings.of("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres");
        Path policy = dir.resolve("policy.yaml");
        try (InputStream in = McpAndConsoleOutageTest.class.getResourceAsStream("/mcp/mcp-policy.yaml")) {
            Files.write(policy, in.readAllBytes());
        }
        ServerConfig config = ServerConfig.defaults()
                .withDataDirectory(dir.resolve("data"))
                .withPolicyFile(policy)
                .withPort(0)
                .withDatabase(DatabaseConfig.postgres(database));
        McpConfig mcp = new McpConfig(Map.of("everything", NpmServers.everything()), Set.of(), Duration.ofSeconds(10));
        Gateway stateless = start(config.withMcp(mcp));
        Gateway sessions = start(config.withMcp(mcp.withHttp(McpConfig.HttpMode.SESSIONS)));
        String agent = issue(database, new Agent("mcp-agent", Map.of("team", "test")));
        String alice = issue(database, new Human("alice", "alice@example.com", Set.of("data-owners")));
        assertThat(rpc(stateless, agent, null, TOOLS_LIST).status()).isEqualTo(200);
        String session = initialize(sessions, agent);
        assertThat(rpc(sessions, agent, session, TOOLS_LIST).status()).isEqualTo(200);
        ConsoleClient console = ConsoleClient.signIn(stateless.baseUrl(), alice);
        assertThat(console.get("/console/inbox").statusCode()).isEqualTo(200);

        postgres.close(); // pg_ctl stop -m fast: sessions end, new connections are refused
        postgres = null;
        List<Long> millis = new ArrayList<>();
        for (Answer answer : List.of(
                rpc(stateless, agent, null, TOOLS_LIST),
                rpc(sessions, agent, session, TOOLS_LIST),
                rpc(sessions, agent, null, TOOLS_LIST.replace("tools/list", "initialize")))) {
            assertThat(answer.status()).as(answer.body()).isEqualTo(503);
            assertThat(answer.retryAfter()).isEqualTo("2");
            assertThat(answer.contentType()).startsWith("application/json");
            JsonNode error = McpTestGateway.MAPPER.readTree(answer.body());
            assertThat(error.path("jsonrpc").asString()).isEqualTo("2.0");
            assertThat(error.path("error").path("code").asInt()).isEqualTo(-32000);
            assertThat(error.path("error").path("message").asString()).contains("can't reach its database");
            assertThat(error.path("error").path("data").path("httpStatus").asInt())
                    .isEqualTo(503);
            millis.add(answer.millis());
        }
        for (String page : List.of("/console/inbox", "/console/history")) {
            long start = System.nanoTime();
            HttpResponse<String> answer = console.get(page);
            millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertThat(answer.statusCode()).as(page + ": " + answer.body()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
            assertThat(answer.headers().firstValue("Retry-After")).hasValue("2");
            assertThat(answer.body()).contains("reach its database").doesNotContain("Exception");
        }
        System.out.println("database outage: /mcp and /console answered in " + millis + " ms");
        // Bounded by the pool's 1.5 s wait for a connection; generous here for a loaded test machine.
        assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(8_000L));

        startPostgres();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Answer after = rpc(sessions, agent, session, TOOLS_LIST);
        while (after.status() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            after = rpc(sessions, agent, session, TOOLS_LIST);
        }
        assertThat(after.status())
                .as("the session opened before the outage: %s", after.body())
                .isEqualTo(200);
        assertThat(after.body()).contains("echo");
        assertThat(console.get("/console/inbox").statusCode()).isEqualTo(200);
    }

    private Gateway start(ServerConfig config) {
        Gateway gateway = Gateway.start(config, Clock.systemUTC());
        nodes.add(gateway);
        return gateway;
    }

    private void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dir.resolve("pgdata"))
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start();
    }

    private static String issue(PostgresSettings database, Principal principal) {
        try (PostgresStore store = PostgresStore.open(database)) {
            return new ApiTokens(store, Clock.systemUTC()).issue(principal).reveal();
        }
    }

    /** Opens a session by hand and returns its id. */
    private static String initialize(Gateway node, String token) {
        Answer initialized = rpc(
                node,
                token,
                null,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                        + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"by-hand\",\"version\":\"1\"}}}");
        assertThat(initialized.status()).as(initialized.body()).isEqualTo(200);
        String session = initialized.session();
        assertThat(rpc(node, token, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                        .status())
                .isEqualTo(202);
        return session;
    }

    private static Answer rpc(Gateway node, String token, String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/mcp"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-06-18")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(60));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.headers().firstValue("Retry-After").orElse(""),
                    response.headers().firstValue("Mcp-Session-Id").orElse(""),
                    response.body(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
