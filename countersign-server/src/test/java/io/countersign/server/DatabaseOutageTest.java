package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway nodes on a PostgreSQL of their own that the test stops and starts again: while it is
 * away every call is a 503 problem with Retry-After, soon, never a 500; /healthz stays up, /readyz
 * says not ready, /metrics answers; a long-poll spanning the outage ends normally or with a 503;
 * after the restart no write fails because of a connection from before it.
 */
class DatabaseOutageTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private EmbeddedPostgres postgres;
    private int port;
    private final List<Gateway> nodes = new ArrayList<>();

    private record Answer(int status, String contentType, String retryAfter, String body, long millis) {}

    @AfterEach
    void stop() throws Exception {
        nodes.reversed().forEach(Gateway::close);
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Timeout(240)
    void
            whileTheDatabaseIsAway_callsAre503WithRetryAfter_readyzIs503_healthzAndMetricsAnswer_andAfterItsRestartNoWriteFails()
                    throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        startPostgres();
        PostgresSettings database =
                PostgresSettings.of("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres");
        Path policy = dir.resolve("policy.yaml");
        try (InputStream in = DatabaseOutageTest.class.getResourceAsStream("/e2e-policy.yaml")) {
            Files.write(policy, in.readAllBytes());
        }
        ServerConfig config = ServerConfig.defaults()
                .withDataDirectory(dir.resolve("data"))
                .withPolicyFile(policy)
                .withPort(0)
                .withDatabase(DatabaseConfig.postgres(database));
        for (int i = 0; i < 2; i++) {
            nodes.add(Gateway.start(config, Clock.systemUTC()));
        }
        String agent = issue(database, new Agent("reporter", Map.of("team", "test")));
        String alice = issue(database, new Human("alice", "alice@example.com", Set.of("data-owners")));
        for (Gateway node : nodes) {
            assertThat(post(node, "/v1/actions", agent, query("before")).status())
                    .isEqualTo(200);
            assertThat(get(node, "/readyz", null).status()).isEqualTo(200);
        }
        Answer pending = post(
                nodes.get(0),
                "/v1/actions",
                agent,
                Http.json("action", "db.export", "resource", "db/prod/customers", "reason", "quarterly report"));
        assertThat(pending.status()).as(pending.body()).isEqualTo(202);
        String id = new Http.Response(pending.status(), pending.contentType(), pending.body()).text("id");
        CompletableFuture<Answer> longPoll =
                CompletableFuture.supplyAsync(() -> get(nodes.get(1), "/v1/actions/" + id + "?wait=6s", agent));
        Thread.sleep(500);

        postgres.close(); // pg_ctl stop -m fast: sessions end, new connections are refused
        postgres = null;
        List<Long> answerMillis = new ArrayList<>();
        for (Gateway node : nodes) {
            for (Answer answer : List.of(
                    post(node, "/v1/actions", agent, query("during")),
                    get(node, "/v1/actions/" + id, agent),
                    post(node, "/v1/actions/" + id + "/approve", alice, "{}"))) {
                assertThat(answer.status()).as(answer.body()).isEqualTo(503);
                assertThat(answer.contentType()).startsWith("application/problem+json");
                assertThat(answer.body()).contains("urn:countersign:problem:unavailable");
                assertThat(answer.retryAfter()).isEqualTo("2");
                answerMillis.add(answer.millis());
            }
            assertThat(get(node, "/healthz", null).status()).isEqualTo(200);
            Answer ready = get(node, "/readyz", null);
            assertThat(ready.status()).as(ready.body()).isEqualTo(503);
            assertThat(ready.contentType()).startsWith("application/problem+json");
            Answer metrics = get(node, "/metrics", null);
            assertThat(metrics.status()).isEqualTo(200);
            answerMillis.add(metrics.millis());
        }
        Answer polled = longPoll.get(60, TimeUnit.SECONDS);
        System.out.println("database outage: answers took " + answerMillis + " ms; the long-poll spanning it answered "
                + polled.status() + " after " + polled.millis() + " ms");
        assertThat(polled.status()).as(polled.body()).isIn(200, 503);
        // Bounded by the pool's 1.5 s wait for a connection; generous here for a loaded test machine.
        assertThat(answerMillis).allSatisfy(millis -> assertThat(millis).isLessThan(8_000L));

        startPostgres();
        for (Gateway node : nodes) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (get(node, "/readyz", null).status() != 200 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(get(node, "/readyz", null).status()).isEqualTo(200);
        }
        for (Gateway node : nodes) { // the first write on each node after the restart, on the writer's old connection
            Answer after = post(node, "/v1/actions", agent, query("after"));
            assertThat(after.status()).as(after.body()).isEqualTo(200);
        }
        Answer approved = post(nodes.get(1), "/v1/actions/" + id + "/approve", alice, "{}");
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
    }

    private void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dir.resolve("pgdata"))
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("fsync", "on")
                .start();
    }

    private static String query(String reason) {
        return Http.json("action", "db.query", "resource", "db/prod/t", "reason", reason);
    }

    private static String issue(PostgresSettings database, Principal principal) {
        try (PostgresStore store = PostgresStore.open(database)) {
            return new ApiTokens(store, Clock.systemUTC()).issue(principal).reveal();
        }
    }

    private static Answer get(Gateway node, String path, String token) {
        return send(HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).GET(), token);
    }

    private static Answer post(Gateway node, String path, String token, String body) {
        return send(
                HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)),
                token);
    }

    private static Answer send(HttpRequest.Builder builder, String token) {
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        long start = System.nanoTime();
        try {
            HttpResponse<String> response =
                    HTTP.send(builder.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.headers().firstValue("Retry-After").orElse(""),
                    response.body(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
