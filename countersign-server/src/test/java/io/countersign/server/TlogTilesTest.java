package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.server.config.DatabaseConfig;
import io.countersign.server.config.ServerConfig;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.postgres.TestPostgres;
import io.countersign.store.sqlite.SqliteStore;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Issue 20, point 2: the log served as C2SP tlog-tiles, read by {@link TilesSpecClient}, a client
 * written from the spec texts that shares no code with the gateway: it verifies the checkpoint,
 * rebuilds its root from hash tiles (level 1 included: the tree is past 512 entries), matches every
 * entry of the bundles to its leaf hash and checks an inclusion proof built from tiles alone.
 */
class TlogTilesTest {
    private static final String PREFIX = "/v1/audit/tlog";

    @TempDir
    Path directory;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aClientWrittenFromTheSpec_rebuildsTheSignedRootFromTiles_matchesEveryEntry_andChecksAnInclusionProof(
            String database) throws Exception {
        Optional<PostgresSettings> postgres = database.equals("postgresql")
                ? Optional.of(PostgresSettings.of(TestPostgres.newDatabase()))
                : Optional.empty();
        UnaryOperator<ServerConfig> onDatabase = postgres.<UnaryOperator<ServerConfig>>map(
                        settings -> config -> config.withDatabase(DatabaseConfig.postgres(settings)))
                .orElse(UnaryOperator.identity());
        try (TestGateway gateway =
                new TestGateway(directory, IdentityConfig.localOnly(), "/e2e-policy.yaml", onDatabase)) {
            // TestGateway issues credentials into its SQLite file; on PostgreSQL they go into the database.
            Function<Principal, String> issue = postgres.<Function<Principal, String>>map(settings -> principal -> {
                        try (PostgresStore store = PostgresStore.open(settings)) {
                            return new ApiTokens(store, Clock.systemUTC())
                                    .issue(principal)
                                    .reveal();
                        }
                    })
                    .orElse(principal -> principal instanceof Agent a ? gateway.agent(a.name()) : gateway.auditor());
            String agent = issue.apply(new Agent("tiler", Map.of()));
            String auditorToken =
                    issue.apply(new Human("tile-auditor", "tile-auditor@example.com", Set.of(TestGateway.AUDITORS)));
            fill(gateway, agent, 600, 40);
            String vkey = gateway.http.get("/v1/audit/key", null).body();
            TilesSpecClient client = new TilesSpecClient(gateway.baseUrl() + PREFIX, Optional.of(auditorToken));
            TilesSpecClient.Checkpoint checkpoint = client.checkpoint(vkey);
            assertThat(checkpoint.size()).isGreaterThanOrEqualTo(600);

            assertThat(client.rangeHash(0, checkpoint.size())).isEqualTo(checkpoint.root());

            List<byte[]> entries = new ArrayList<>();
            for (long bundle = 0; bundle * 256 < checkpoint.size(); bundle++) {
                entries.addAll(client.entries(bundle));
            }
            assertThat(entries).hasSize((int) checkpoint.size());
            for (int i = 0; i < entries.size(); i++) {
                assertThat(TilesSpecClient.leafHash(entries.get(i)))
                        .as("entry %d against its level-0 tile hash", i)
                        .isEqualTo(client.nodeHash(0, i));
            }
            String served = gateway.http
                    .get("/v1/audit/entries?start=0&end=" + checkpoint.size(), auditorToken)
                    .body();
            assertThat(served)
                    .isEqualTo(String.join(
                                    "\n",
                                    entries.stream()
                                            .map(e -> new String(e, StandardCharsets.UTF_8))
                                            .toList())
                            + "\n");

            for (long index : new long[] {0, 257, checkpoint.size() / 2, checkpoint.size() - 1}) {
                List<byte[]> proof = client.inclusionProof(index);
                assertThat(TilesSpecClient.verifyInclusion(
                                index,
                                checkpoint.size(),
                                TilesSpecClient.leafHash(entries.get((int) index)),
                                proof,
                                checkpoint.root()))
                        .as("inclusion of %d in %d", index, checkpoint.size())
                        .isTrue();
                Http.Response api = gateway.http.get(
                        "/v1/audit/proof/inclusion?index=" + index + "&size=" + checkpoint.size(), null);
                List<String> apiHashes = new ArrayList<>();
                api.json().path("hashes").forEach(h -> apiHashes.add(h.asString()));
                assertThat(apiHashes)
                        .as("the API's proof of %d is the one the tiles give", index)
                        .isEqualTo(proof.stream()
                                .map(Base64.getEncoder()::encodeToString)
                                .toList());
            }
            assertThat(TilesSpecClient.verifyInclusion(
                            3,
                            checkpoint.size(),
                            TilesSpecClient.leafHash(entries.get(4)),
                            client.inclusionProof(3),
                            checkpoint.root()))
                    .as("another entry's hash does not verify")
                    .isFalse();
        }
    }

    @Test
    void servesTheSpecsCacheHeaders_publicTilesAndCheckpoint_andBundlesOnlyToAuditors() throws Exception {
        try (TestGateway gateway = new TestGateway(directory)) {
            String tiler = gateway.agent("tiler");
            fill(gateway, tiler, 260, 8);
            String vkey = gateway.http.get("/v1/audit/key", null).body();
            TilesSpecClient anonymous = new TilesSpecClient(gateway.baseUrl() + PREFIX, Optional.empty());
            TilesSpecClient agent = new TilesSpecClient(gateway.baseUrl() + PREFIX, Optional.of(gateway.agent("nosy")));
            TilesSpecClient auditor = new TilesSpecClient(gateway.baseUrl() + PREFIX, Optional.of(gateway.auditor()));
            // How far past 256 entries the log got depends on how far the checkpoint lagged the
            // writes while filling: the last tile is found, not assumed to be the second.
            long size = settledCheckpoint(anonymous, vkey).size();
            while (size % 256 == 0) {
                gateway.http.post(
                        "/v1/actions",
                        tiler,
                        Http.json("action", "db.query", "resource", "db/prod/orders", "reason", "tiles"));
                size = settledCheckpoint(anonymous, vkey).size();
            }
            String last = String.format("%03d", size / 256);
            long width = size % 256;

            HttpResponse<byte[]> note = anonymous.get("/checkpoint");
            assertThat(note.headers().firstValue("Cache-Control")).contains("no-store");
            assertThat(note.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
            assertThat(new String(note.body(), StandardCharsets.UTF_8))
                    .isEqualTo(gateway.http.get("/v1/audit/checkpoint", null).body());

            HttpResponse<byte[]> full = anonymous.get("/tile/0/000");
            assertThat(full.statusCode()).isEqualTo(200);
            assertThat(full.body()).hasSize(8192);
            assertThat(full.headers().firstValue("Cache-Control")).contains("public, max-age=31536000, immutable");
            assertThat(full.headers().firstValue("Content-Type")).contains("application/octet-stream");
            HttpResponse<byte[]> partial = anonymous.get("/tile/0/" + last + ".p/" + width);
            assertThat(partial.statusCode()).isEqualTo(200);
            assertThat(partial.body()).hasSize(32 * (int) width);
            assertThat(anonymous.get("/tile/1/000.p/1").body()).isEqualTo(anonymous.rangeHash(0, 256));

            if (width < 255) {
                assertProblem(
                        anonymous.get("/tile/0/" + last + ".p/" + (width + 1)),
                        404,
                        "not in the tree of the latest checkpoint");
            }
            assertProblem(anonymous.get("/tile/0/" + last), 404, "not in the tree");
            assertProblem(anonymous.get("/tile/0/1"), 404, "not a tile");
            assertProblem(anonymous.get("/tile/0/x000/001"), 404, "canonical");
            assertProblem(anonymous.get("/tile/64/000"), 404, "not a tile");
            assertProblem(anonymous.get("/tile/0/000.p/0"), 404, "not a tile");

            assertProblem(anonymous.get("/tile/entries/000"), 401, "");
            assertProblem(agent.get("/tile/entries/000"), 403, "");
            HttpResponse<byte[]> bundle = auditor.get("/tile/entries/000");
            assertThat(bundle.statusCode()).isEqualTo(200);
            assertThat(bundle.headers().firstValue("Cache-Control")).contains("private, max-age=31536000, immutable");
            assertProblem(auditor.get("/tile/entries/" + last), 404, "not in the tree");
            assertThat(auditor.get("/tile/entries/" + last + ".p/" + width).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void anEntryOver65535Bytes_keepsItsHashInTheTiles_butItsBundleIsRefusedNamingTheEntry() throws Exception {
        try (TestGateway gateway = new TestGateway(directory)) {
            // The API's own limits (params at most 32 KiB, a reason at most 4,000 characters) keep the
            // entries of /v1/actions under 64 KiB, but nothing in the log's format does (adapters,
            // execution details): the entry is appended straight to the store, MAC and all, as a
            // gateway node (or the command line) appends one.
            try (SqliteStore store = SqliteStore.open(gateway.data())) {
                store.transact(tx -> tx.append(new AuditEvent(
                        AuditEventType.ACTION_EXECUTED,
                        Instant.now(),
                        "agent:bulky",
                        Optional.empty(),
                        JsonNodeFactory.instance.objectNode().put("detail", "x".repeat(70_000)))));
            }
            String vkey = gateway.http.get("/v1/audit/key", null).body();
            TilesSpecClient auditor = new TilesSpecClient(gateway.baseUrl() + PREFIX, Optional.of(gateway.auditor()));
            // The answer came after the entries were committed; a checkpoint covers them within a second.
            TilesSpecClient.Checkpoint checkpoint;
            String[] entries;
            int large = -1;
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            do {
                checkpoint = auditor.checkpoint(vkey);
                entries = gateway.http
                        .get("/v1/audit/entries?start=0&end=" + checkpoint.size(), gateway.auditor())
                        .body()
                        .split("\n");
                for (int i = 0; i < entries.length && large < 0; i++) {
                    if (entries[i].getBytes(StandardCharsets.UTF_8).length > 65_535) {
                        large = i;
                    }
                }
                if (large < 0) {
                    Thread.sleep(100);
                }
            } while (large < 0 && Instant.now().isBefore(deadline));
            assertThat(large).as("an entry over 65,535 bytes was logged").isNotNegative();
            assertThat(auditor.rangeHash(0, checkpoint.size())).isEqualTo(checkpoint.root());
            assertThat(auditor.nodeHash(0, large))
                    .isEqualTo(TilesSpecClient.leafHash(entries[large].getBytes(StandardCharsets.UTF_8)));
            HttpResponse<byte[]> refused = auditor.get("/tile/entries/000.p/" + checkpoint.size());
            assertProblem(refused, 422, "entry " + large + " is ");
            assertThat(new String(refused.body(), StandardCharsets.UTF_8))
                    .contains("/v1/audit/entries?start=" + large + "&end=" + (large + 1));
        }
    }

    private static void assertProblem(HttpResponse<byte[]> answer, int status, String detail) {
        String body = new String(answer.body(), StandardCharsets.UTF_8);
        assertThat(answer.statusCode()).as(body).isEqualTo(status);
        assertThat(answer.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(body).contains(detail).doesNotContain("\tat ");
    }

    /**
     * Allowed queries, {@code batch} at a time, until a checkpoint covers at least {@code entries}
     * entries (a little more: the checkpoint lags the last batch by up to a second).
     */
    private static void fill(TestGateway gateway, String agent, long entries, int batch) throws Exception {
        String vkey = gateway.http.get("/v1/audit/key", null).body();
        TilesSpecClient client = new TilesSpecClient(gateway.baseUrl() + PREFIX, Optional.empty());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            while (client.checkpoint(vkey).size() < entries) {
                List<Future<Http.Response>> sent = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    sent.add(pool.submit(() -> gateway.http.post(
                            "/v1/actions",
                            agent,
                            Http.json("action", "db.query", "resource", "db/prod/orders", "reason", "tiles"))));
                }
                for (Future<Http.Response> answer : sent) {
                    assertThat(answer.get().status()).as(answer.get().body()).isEqualTo(200);
                }
            }
        } finally {
            pool.shutdown();
        }
        waitForCheckpoint(client, vkey, entries);
    }

    /** The checkpoint once it has stopped growing for 2.5 s, over two checkpoint intervals (it covers every write made so far). */
    private static TilesSpecClient.Checkpoint settledCheckpoint(TilesSpecClient client, String vkey) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        TilesSpecClient.Checkpoint seen = client.checkpoint(vkey);
        while (Instant.now().isBefore(deadline)) {
            Thread.sleep(2_500);
            TilesSpecClient.Checkpoint now = client.checkpoint(vkey);
            if (now.size() == seen.size()) {
                return now;
            }
            seen = now;
        }
        return seen;
    }

    private static TilesSpecClient.Checkpoint waitForCheckpoint(TilesSpecClient client, String vkey, long size)
            throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            TilesSpecClient.Checkpoint checkpoint = client.checkpoint(vkey);
            if (checkpoint.size() >= size || Instant.now().isAfter(deadline)) {
                assertThat(checkpoint.size()).as("checkpoint size").isGreaterThanOrEqualTo(size);
                return checkpoint;
            }
            Thread.sleep(100);
        }
    }
}
