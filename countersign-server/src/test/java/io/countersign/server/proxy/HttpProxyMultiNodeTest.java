package io.countersign.server.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.server.Gateway;
import io.countersign.server.config.ConfigFile;
import io.countersign.server.config.DatabaseConfig;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.postgres.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two gateway nodes with {@code proxies.http} on one embedded PostgreSQL: the retries of one held
 * request, approved, race on both nodes at once, and exactly one of them reaches the upstream. The
 * claim is the grant's, consumed in the shared store before anything goes upstream; a node's own
 * memory can't see the other node's retry.
 */
class HttpProxyMultiNodeTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String SECRET = "upstream-secret-multi";
    private static final int RETRIES_PER_NODE = 4;

    @TempDir
    Path directory;

    private PostgresSettings database;
    private RecordingUpstream upstream;
    private final List<Gateway> nodes = new ArrayList<>();
    private String agentKey;
    private String maintainer;

    @BeforeEach
    void startTwoNodes() throws Exception {
        upstream = new RecordingUpstream();
        database = PostgresSettings.of(TestPostgres.newDatabase());
        Files.writeString(
                directory.resolve("policy.yaml"),
                new String(
                        HttpProxyMultiNodeTest.class
                                .getResourceAsStream("/http-proxy-policy.yaml")
                                .readAllBytes(),
                        StandardCharsets.UTF_8));
        Path config = directory.resolve("countersign.yaml");
        Files.writeString(config, """
                server: {port: 0}
                data: ./data
                policy: ./policy.yaml
                proxies:
                  http:
                    - name: github
                      upstream: http://127.0.0.1:%d/api
                      credentials: {header: Authorization, prefix: "Bearer ", valueEnv: UPSTREAM_TOKEN}
                """.formatted(upstream.port()));
        for (int i = 0; i < 2; i++) {
            // One data folder: the nodes share the grant and audit keys, as a deployment does.
            nodes.add(Gateway.start(
                    ConfigFile.load(config).withDatabase(DatabaseConfig.postgres(database)),
                    Clock.systemUTC(),
                    name -> name.equals("UPSTREAM_TOKEN") ? Optional.of(SECRET) : Optional.empty()));
        }
        agentKey = issue(Agent.named("coder"));
        maintainer = issue(new Human("mia", "mia@example.com", Set.of("maintainers")));
    }

    @AfterEach
    void stopNodes() {
        nodes.reversed().forEach(Gateway::close);
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void retriesOfOneApprovedRequestRacingOnTwoNodes_runItExactlyOnce() throws Exception {
        String path = "/proxy/github/repos/acme/api/delayed/merge";
        String body = "{\"merge_method\": \"squash\"}";
        HttpResponse<String> held = put(0, path, body, Map.of("Prefer", "wait=0"));
        assertThat(held.statusCode()).as(held.body()).isEqualTo(202);
        String id = held.headers().firstValue("Countersign-Request").orElseThrow();
        HttpResponse<String> approved = HTTP.send(
                HttpRequest.newBuilder(URI.create(nodes.get(1).baseUrl() + "/v1/actions/" + id + "/approve"))
                        .header("Authorization", "Bearer " + maintainer)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"comment\": \"ship it\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);

        List<HttpResponse<String>> answers = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService agents = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<HttpResponse<String>>> retries = new ArrayList<>();
            for (int i = 0; i < 2 * RETRIES_PER_NODE; i++) {
                int node = i % 2;
                retries.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                start.await();
                                return put(node, path, body, Map.of("Countersign-Request", id));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        agents));
            }
            start.countDown();
            for (CompletableFuture<HttpResponse<String>> retry : retries) {
                answers.add(retry.get(60, TimeUnit.SECONDS));
            }
        }

        assertThat(answers)
                .as(
                        "answers: %s",
                        answers.stream()
                                .map(a -> a.statusCode() + " " + a.body())
                                .toList())
                .filteredOn(answer -> answer.statusCode() == 200)
                .hasSize(1);
        assertThat(answers).filteredOn(answer -> answer.statusCode() != 200).allSatisfy(answer -> {
            assertThat(answer.statusCode()).isEqualTo(409);
            assertThat(answer.headers().firstValue("content-type")).hasValue("application/problem+json");
        });
        assertThat(upstream.received())
                .as("the upstream received the approved PUT once")
                .singleElement()
                .satisfies(received -> assertThat(received.method()).isEqualTo("PUT"));
        JsonNode request = awaitExecuted(id);
        assertThat(request.path("status").asString()).isEqualTo("executed");
    }

    private JsonNode awaitExecuted(String id) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode request = JSON.missingNode();
        while (System.nanoTime() < until) {
            HttpResponse<String> read = HTTP.send(
                    HttpRequest.newBuilder(URI.create(nodes.get(1).baseUrl() + "/v1/actions/" + id))
                            .header("Authorization", "Bearer " + maintainer)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            request = JSON.readTree(read.body());
            if (!request.path("status").asString().equals("approved")) {
                return request;
            }
            Thread.sleep(100);
        }
        return request;
    }

    private HttpResponse<String> put(int node, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(nodes.get(node).baseUrl() + path))
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + agentKey)
                .header("Content-Type", "application/json");
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String issue(Principal principal) {
        try (PostgresStore store = PostgresStore.open(database)) {
            return new ApiTokens(store, Clock.systemUTC()).issue(principal).reveal();
        }
    }
}
