package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Resource subscriptions through the gateway ({@code mcp.http: sessions}), against a server built
 * on the official TypeScript SDK (src/test/resources/mcp/watched-server.mjs) that reports updates
 * of any URI it is told to, subscribed or not. A subscribe is decided like a read and, allowed,
 * subscribes the upstream once; an update reaches the sessions subscribed to its URI and no other,
 * and the gateway does not read the resource itself on an update; unsubscribing the last session,
 * or ending it, unsubscribes the upstream. Stateless HTTP acknowledges a subscribe without
 * promising updates (McpConformanceTest).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class McpResourceSubscriptionsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private McpTestGateway gateway;
    private String agent;

    @BeforeAll
    void start(@TempDir Path directory) {
        gateway = new McpTestGateway(
                directory,
                new McpConfig(
                                Map.of(
                                        "watched",
                                        new UpstreamConfig.Stdio(
                                                "node",
                                                List.of(NpmServers.testScript("watched-server.mjs")
                                                        .toString()),
                                                Map.of())),
                                Set.of(),
                                Duration.ofSeconds(30))
                        .withHttp(McpConfig.HttpMode.SESSIONS),
                config -> config,
                "/mcp/watched-policy.yaml");
        agent = gateway.agent("watching-agent");
    }

    @AfterAll
    void stop() {
        if (gateway != null) gateway.close();
    }

    @Test
    void theGateway_declaresSubscriptions_withSessions() throws Exception {
        JsonNode initialized = json(rpc(null, initialize()));

        assertThat(initialized
                        .path("result")
                        .path("capabilities")
                        .path("resources")
                        .path("subscribe")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void anUpdate_reachesTheSessionsSubscribedToItsUri_andNoOther() throws Exception {
        Session first = open();
        Session second = open();
        first.subscribe("test://watched/notes");
        second.subscribe("test://watched/second-only");
        first.awaitStream("test://watched/notes");
        second.awaitStream("test://watched/second-only");

        touch("test://watched/notes");
        touch("test://watched/second-only");

        assertThat(first.next()).isEqualTo("test://watched/notes");
        // In order: had the notes' update reached the second session, it would come before its own.
        assertThat(second.next()).isEqualTo("test://watched/second-only");
        assertThat(state().path("subscribed").toString())
                .contains("test://watched/notes")
                .contains("test://watched/second-only");
        // Told of updates, the gateway read nothing upstream itself: a read is the agent's, and decided.
        assertThat(state().path("reads").asInt()).isZero();
        assertThat(gateway.auditLogWith("mcp.watched.resources.subscribe")).contains("mcp.watched.resources.subscribe");
        first.end();
        second.end();
    }

    @Test
    void unsubscribingTheLastSession_orEndingIt_unsubscribesTheUpstream() throws Exception {
        Session one = open();
        Session other = open();
        one.subscribe("test://watched/shared");
        other.subscribe("test://watched/shared");
        one.subscribe("test://watched/ended");
        assertThat(subscribedUpstream()).contains("test://watched/shared", "test://watched/ended");

        JsonNode unsubscribed = json(one.post(request(10, "resources/unsubscribe", "test://watched/shared")));
        assertThat(unsubscribed.path("result").isObject())
                .as(unsubscribed.toString())
                .isTrue();
        // The other session still holds it.
        assertThat(subscribedUpstream()).contains("test://watched/shared");

        other.post(request(11, "resources/unsubscribe", "test://watched/shared"));
        assertThat(subscribedUpstream()).doesNotContain("test://watched/shared");

        one.end();
        assertThat(subscribedUpstream()).doesNotContain("test://watched/ended");
        other.end();
    }

    @Test
    void aSubscribeTheRulesDeny_isAnErrorWithTheReason_andNeverReachesTheUpstream() throws Exception {
        Session session = open();

        JsonNode answer = json(session.post(request(20, "resources/subscribe", "test://watched/secret")));

        assertThat(answer.has("result")).as(answer.toString()).isFalse();
        assertThat(answer.path("error").path("message").asString())
                .contains("denied mcp.watched.resources.subscribe")
                .contains("nobody watches the secret");
        assertThat(subscribedUpstream()).doesNotContain("test://watched/secret");
        session.end();
    }

    @Test
    void aSubscribeWithoutASession_isRefused() throws Exception {
        HttpResponse<String> answer = rpc(null, request(30, "resources/subscribe", "test://watched/notes"));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("needs a session");
    }

    /** One session opened by hand, with its event stream (GET) read into a queue of updated URIs. */
    private final class Session {
        private final String id;
        private final BlockingQueue<String> updates = new LinkedBlockingQueue<>();
        private final CompletableFuture<HttpResponse<Stream<String>>> stream;
        private int next = 100;

        Session(String id) {
            this.id = id;
            this.stream = HTTP.sendAsync(
                    HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/mcp"))
                            .header("Authorization", "Bearer " + agent)
                            .header("Accept", "text/event-stream")
                            .header("Mcp-Session-Id", id)
                            .header("MCP-Protocol-Version", "2025-06-18")
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofLines());
            stream.thenAccept(response -> Thread.ofVirtual().start(() -> response.body()
                    .filter(line -> line.startsWith("data:"))
                    .map(line -> parse(line.substring("data:".length()).strip()))
                    .filter(message -> "notifications/resources/updated"
                            .equals(message.path("method").asString("")))
                    .forEach(message ->
                            updates.add(message.path("params").path("uri").asString()))));
        }

        void subscribe(String uri) throws Exception {
            JsonNode answer = json(post(request(next++, "resources/subscribe", uri)));
            assertThat(answer.path("result").isObject()).as(answer.toString()).isTrue();
        }

        /** Touches {@code uri} until its update comes through (the event stream is open), then forgets what came. */
        void awaitStream(String uri) throws Exception {
            long until = System.nanoTime() + PATIENCE.toNanos();
            while (System.nanoTime() < until) {
                touch(uri);
                if (uri.equals(updates.poll(500, TimeUnit.MILLISECONDS))) {
                    Thread.sleep(200);
                    updates.clear();
                    return;
                }
            }
            throw new AssertionError("no update of " + uri + " reached session " + id + " in " + PATIENCE);
        }

        String next() throws InterruptedException {
            String uri = updates.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(uri).as("an update on session " + id).isNotNull();
            return uri;
        }

        HttpResponse<String> post(String body) throws Exception {
            return rpc(id, body);
        }

        void end() throws Exception {
            HttpResponse<String> ended = HTTP.send(
                    HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/mcp"))
                            .header("Authorization", "Bearer " + agent)
                            .header("Mcp-Session-Id", id)
                            .header("MCP-Protocol-Version", "2025-06-18")
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ended.statusCode()).isEqualTo(200);
            stream.cancel(true);
        }
    }

    private Session open() throws Exception {
        HttpResponse<String> initialized = rpc(null, initialize());
        assertThat(initialized.statusCode()).as(initialized.body()).isEqualTo(200);
        String id = initialized.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(rpc(id, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                        .statusCode())
                .isEqualTo(202);
        return new Session(id);
    }

    private void touch(String uri) throws Exception {
        Session caller = open();
        String answer = caller.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
                        + "\"touch\",\"arguments\":{\"uri\":\"" + uri + "\"}}}")
                .body();
        assertThat(answer).contains("touched " + uri);
        caller.end();
    }

    private JsonNode state() throws Exception {
        Session caller = open();
        String body = caller.post(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"state\","
                                + "\"arguments\":{}}}")
                .body();
        caller.end();
        JsonNode answer = json(body);
        return McpTestGateway.MAPPER.readTree(
                answer.path("result").path("content").get(0).path("text").asString());
    }

    private String subscribedUpstream() throws Exception {
        return state().path("subscribed").toString();
    }

    private static String initialize() {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"by-hand\",\"version\":\"1\"}}}";
    }

    private static String request(int id, String method, String uri) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":{\"uri\":\"" + uri
                + "\"}}";
    }

    private HttpResponse<String> rpc(String session, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/mcp"))
                .header("Authorization", "Bearer " + agent)
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

    /** A POST's answer: JSON, or the one message of an event stream. */
    private static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    private static JsonNode json(String body) {
        String text = body.strip();
        if (!text.startsWith("{")) {
            text = text.lines()
                    .filter(line -> line.startsWith("data:"))
                    .map(line -> line.substring("data:".length()).strip())
                    .reduce((first, last) -> last)
                    .orElse(text);
        }
        return parse(text);
    }

    private static JsonNode parse(String text) {
        return McpTestGateway.MAPPER.readTree(text);
    }
}
