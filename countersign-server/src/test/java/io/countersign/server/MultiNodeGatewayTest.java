package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.server.Http.Response;
import io.countersign.server.audit.AuditConfig;
import io.countersign.server.config.DatabaseConfig;
import io.countersign.server.config.ServerConfig;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.postgres.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three gateway nodes in this JVM on one embedded PostgreSQL, sharing their keys (grant.key and
 * the audit signing key, in one data folder) as a deployment shares them.
 */
class MultiNodeGatewayTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private PostgresSettings database;
    private final List<Gateway> nodes = new ArrayList<>();
    private final List<Http> http = new ArrayList<>();
    private String reporter;
    private String alice;

    @BeforeEach
    void startThreeNodes() throws IOException {
        database = PostgresSettings.of(TestPostgres.newDatabase());
        Path policy = dir.resolve("policy.yaml");
        try (InputStream in = MultiNodeGatewayTest.class.getResourceAsStream("/e2e-policy.yaml")) {
            Files.write(policy, in.readAllBytes());
        }
        ServerConfig config = ServerConfig.defaults()
                .withDataDirectory(dir.resolve("data"))
                .withPolicyFile(policy)
                .withPort(0)
                .withDatabase(DatabaseConfig.postgres(database))
                .withAudit(AuditConfig.defaults().withPublicEntries(true)); // entries read anonymously below
        for (int i = 0; i < 3; i++) {
            Gateway node = Gateway.start(config, Clock.systemUTC()); // the first makes the keys, the others read them
            nodes.add(node);
            http.add(new Http(node.baseUrl()));
        }
        reporter = issue(new Agent("reporter", Map.of("team", "test")));
        alice = issue(new Human("alice", "alice@example.com", Set.of("data-owners")));
    }

    @AfterEach
    void stopNodes() {
        nodes.reversed().forEach(Gateway::close);
    }

    @Test
    void requestCreatedThroughA_approvedThroughB_wakesTheAgentWaitingOnAWithin200ms() throws Exception {
        Response pending = http.get(0)
                .post(
                        "/v1/actions",
                        reporter,
                        Http.json(
                                "action",
                                "db.export",
                                "resource",
                                "db/prod/customers",
                                "reason",
                                "quarterly churn report"));
        assertThat(pending.status()).as(pending.body()).isEqualTo(202);
        String id = pending.text("id");

        CompletableFuture<Response> poll =
                CompletableFuture.supplyAsync(() -> http.get(0).get("/v1/actions/" + id + "?wait=30s", reporter));
        Thread.sleep(300); // let the long-poll park on node A
        assertThat(poll).isNotDone();
        Response approved = http.get(1).post("/v1/actions/" + id + "/approve", alice, "{\"comment\":\"fine\"}");
        long approvedAt = System.nanoTime();
        Response woken = poll.get(5, TimeUnit.SECONDS);
        long wokeAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - approvedAt);

        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(woken.text("status")).isEqualTo("approved");
        assertThat(woken.json().path("grant").path("token").asString())
                .as("node A derives the grant with the shared key")
                .startsWith("cgr_" + id);
        assertThat(wokeAfterMillis)
                .as("node A's long-poll woke %d ms after node B answered", wokeAfterMillis)
                .isLessThan(200);
    }

    @Test
    void concurrentLoadOnAllNodes_leavesAnAuditLogWithNoGapNoDuplicate_thatVerifies() throws Exception {
        AtomicInteger allowed = new AtomicInteger();
        try (ExecutorService agents = Executors.newFixedThreadPool(12)) {
            List<CompletableFuture<?>> done = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                Http node = http.get(i % 3);
                boolean export = i % 5 == 0;
                done.add(CompletableFuture.runAsync(
                        () -> {
                            Response answer = node.post(
                                    "/v1/actions",
                                    reporter,
                                    export
                                            ? Http.json(
                                                    "action",
                                                    "db.export",
                                                    "resource",
                                                    "db/prod/orders",
                                                    "reason",
                                                    "load")
                                            : Http.json(
                                                    "action",
                                                    "db.query",
                                                    "resource",
                                                    "db/prod/orders",
                                                    "reason",
                                                    "load"));
                            if (answer.status() == 200 && "approved".equals(answer.text("status"))) {
                                allowed.incrementAndGet();
                            }
                        },
                        agents));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
        }
        assertThat(allowed).hasValue(240);

        List<Long> seqs = new ArrayList<>();
        for (String line :
                http.get(2).get("/v1/audit/entries?start=0", null).body().split("\n")) {
            if (!line.isBlank()) {
                seqs.add(JSON.readTree(line).path("seq").asLong());
            }
        }
        assertThat(new HashSet<>(seqs)).as("no duplicate").hasSize(seqs.size());
        for (int i = 0; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).as("entry %d", i).isEqualTo(i);
        }
        Thread.sleep(1_500); // one checkpoint interval: the signer covers the load
        for (int i = 0; i < nodes.size(); i++) {
            Cli.Run verify = Cli.run(
                    "audit",
                    "verify",
                    "--server",
                    nodes.get(i).baseUrl(),
                    "--trust-on-first-use",
                    "--state",
                    dir.resolve("state-" + i).toString());
            assertThat(verify.exitCode()).as(verify.all()).isZero();
        }
    }

    @Test
    void aRequestDueOnEveryNode_expiresOnce() throws Exception {
        Response pending = http.get(0)
                .post("/v1/actions", reporter, Http.json("action", "demo.expire", "resource", "x", "reason", "expire"));
        String id = pending.text("id");

        Response after = http.get(2).get("/v1/actions/" + id + "?wait=10s", reporter);
        Thread.sleep(600); // two more sweeps on every node

        assertThat(after.text("status")).isEqualTo("expired");
        long expiredEntries = 0;
        for (String line :
                http.get(1).get("/v1/audit/entries?start=0", null).body().split("\n")) {
            JsonNode entry = line.isBlank() ? null : JSON.readTree(line);
            if (entry != null
                    && id.equals(entry.path("request").asString())
                    && entry.path("type").asString().equals("request.expired")) {
                expiredEntries++;
            }
        }
        assertThat(expiredEntries).isEqualTo(1);
    }

    private String issue(Principal principal) {
        try (PostgresStore store = PostgresStore.open(database)) {
            return new ApiTokens(store, Clock.systemUTC()).issue(principal).reveal();
        }
    }
}
