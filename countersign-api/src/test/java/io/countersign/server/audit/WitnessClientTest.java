package io.countersign.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.store.AuditLeafSink;
import io.countersign.store.AuditLog;
import io.countersign.store.StoredCheckpoint;
import io.countersign.store.sqlite.SqliteStore;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.cosignature.Cosignature;
import io.countersign.tlog.cosignature.WitnessKey;
import io.countersign.tlog.note.NoteSigner;
import io.countersign.tlog.proof.ProofBuilder;
import io.countersign.tlog.tree.HashReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The gateway as a c2sp.org/tlog-witness client, against {@link SpecWitness}, a witness written
 * from the spec's text: what it posts, how it reads a 409, and what it does with cosignatures.
 */
class WitnessClientTest {
    private static final String ORIGIN = "countersign.test/witnessed";

    @TempDir
    Path dir;

    @Test
    void everyCheckpoint_isCosigned_andTheVerifiedCosignatureIsKeptAndServedUnderTheCheckpoint() throws Exception {
        NoteSigner key = NoteSigner.generate(ORIGIN);
        try (SqliteStore store = SqliteStore.open(dir);
                SpecWitness witness =
                        new SpecWitness("witness.test/w1", key.verifier().format())) {
            WitnessConfig config = WitnessConfig.of(witness.url(), witness.vkey());
            AuditMetrics metrics = new AuditMetrics();
            try (Witnesses witnesses = start(store, config, metrics)) {
                for (int round = 0; round < 3; round++) {
                    append(store, 3);
                    SignedCheckpoint signed = checkpoint(store, key);
                    witnesses.offer(signed);
                    awaitCosigned(store, config, signed.checkpoint().size());
                }
            }
            assertThat(witness.refused()).isEmpty();
            assertThat(witness.cosigned()).containsExactly(3L, 6L, 9L);
            assertThat(witness.oldSizes()).as("old sizes posted").containsExactly(0L, 3L, 6L);

            StoredCheckpoint latest = store.audit().latestCheckpoint().orElseThrow();
            SignedCheckpoint served = SignedCheckpoint.parse(latest.note());
            assertThat(served.verify(key.verifier()).size()).isEqualTo(9);
            Optional<Cosignature> cosignature =
                    config.key().find(served.checkpoint(), served.note().signatures());
            assertThat(cosignature)
                    .as("the witness's cosignature under the served checkpoint")
                    .isPresent();
            assertThat(cosignature.get().time())
                    .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
            assertThat(metrics.scrape())
                    .contains("countersign_audit_witness_size{witness=")
                    .contains("} 9.0");
        }
    }

    @Test
    void afterARestart_theOldSizeIsTheOneTheWitnessCosigned_notZero() throws Exception {
        NoteSigner key = NoteSigner.generate(ORIGIN);
        try (SqliteStore store = SqliteStore.open(dir);
                SpecWitness witness =
                        new SpecWitness("witness.test/w1", key.verifier().format())) {
            WitnessConfig config = WitnessConfig.of(witness.url(), witness.vkey());
            try (Witnesses first = start(store, config, new AuditMetrics())) {
                append(store, 4);
                first.offer(checkpoint(store, key));
                awaitCosigned(store, config, 4);
            }
            try (Witnesses restarted = start(store, config, new AuditMetrics())) {
                append(store, 2);
                restarted.offer(checkpoint(store, key));
                awaitCosigned(store, config, 6);
            }
            assertThat(witness.oldSizes()).containsExactly(0L, 4L);
            assertThat(witness.conflicts()).isZero();
            assertThat(witness.refused()).isEmpty();
        }
    }

    @Test
    void aWitnessAheadOfWhatTheStoreKept_answers409_andTheCheckpointGoesAgainWithTheProofFromItsSize()
            throws Exception {
        NoteSigner key = NoteSigner.generate(ORIGIN);
        try (SqliteStore store = SqliteStore.open(dir);
                SpecWitness witness =
                        new SpecWitness("witness.test/w1", key.verifier().format())) {
            WitnessConfig config = WitnessConfig.of(witness.url(), witness.vkey());
            // The gateway died between the witness's answer and keeping the cosignature.
            AuditLog forgetful = new CosignaturesLost(store.audit());
            try (Witnesses first = Witnesses.start(
                    List.of(config),
                    new ProofBuilder(store.audit().hashes()),
                    forgetful,
                    Clock.systemUTC(),
                    new AuditMetrics())) {
                append(store, 5);
                first.offer(checkpoint(store, key));
                await(() -> witness.size() == 5, "the witness cosigned size 5");
            }
            assertThat(store.audit().latestCosigned(config.key().name())).isEmpty();

            try (Witnesses restarted = start(store, config, new AuditMetrics())) {
                append(store, 3);
                restarted.offer(checkpoint(store, key));
                awaitCosigned(store, config, 8);
            }
            assertThat(witness.oldSizes()).containsExactly(0L, 0L, 5L);
            assertThat(witness.conflicts()).isEqualTo(1);
            assertThat(witness.refused()).isEmpty();
        }
    }

    @Test
    void aCosignatureThatDoesNotVerify_isNotKept_andCountsAsAFailedDelivery() throws Exception {
        NoteSigner key = NoteSigner.generate(ORIGIN);
        try (SqliteStore store = SqliteStore.open(dir);
                SpecWitness witness =
                        new SpecWitness("witness.test/w1", key.verifier().format())) {
            WitnessConfig config = WitnessConfig.of(witness.url(), witness.vkey());
            witness.forgeCosignatures();
            AuditMetrics metrics = new AuditMetrics();
            try (Witnesses witnesses = start(store, config, metrics)) {
                append(store, 2);
                witnesses.offer(checkpoint(store, key));
                await(
                        () -> metrics.scrape().matches("(?s).*deliveries_total\\{outcome=\"failed\"[^}]*} [1-9].*"),
                        "a failed delivery counted");
            }
            assertThat(store.audit().latestCosigned(config.key().name())).isEmpty();
            assertThat(store.audit().latestCheckpoint().orElseThrow().note()).doesNotContain("witness.test/w1");
        }
    }

    @Test
    void aCosignatureFromAnotherKeyOfTheSameName_isNotTakenForTheWitnesses() throws Exception {
        NoteSigner key = NoteSigner.generate(ORIGIN);
        try (SqliteStore store = SqliteStore.open(dir);
                SpecWitness witness =
                        new SpecWitness("witness.test/w1", key.verifier().format());
                SpecWitness impostor =
                        new SpecWitness("witness.test/w1", key.verifier().format())) {
            // Configured with the real witness's key, but the URL answers with the impostor's.
            WitnessConfig config =
                    new WitnessConfig(java.net.URI.create(impostor.url()), WitnessKey.parse(witness.vkey()));
            AuditMetrics metrics = new AuditMetrics();
            try (Witnesses witnesses = start(store, config, metrics)) {
                append(store, 2);
                witnesses.offer(checkpoint(store, key));
                await(() -> impostor.size() == 2, "the impostor answered");
                await(
                        () -> metrics.scrape().matches("(?s).*deliveries_total\\{outcome=\"failed\"[^}]*} [1-9].*"),
                        "a failed delivery counted");
            }
            assertThat(store.audit().latestCosigned(config.key().name())).isEmpty();
        }
    }

    private static Witnesses start(SqliteStore store, WitnessConfig config, AuditMetrics metrics) {
        return Witnesses.start(
                List.of(config), new ProofBuilder(store.audit().hashes()), store.audit(), Clock.systemUTC(), metrics);
    }

    private static SignedCheckpoint checkpoint(SqliteStore store, NoteSigner key) throws Exception {
        List<SignedCheckpoint> signed = new java.util.ArrayList<>();
        try (Checkpointer checkpointer = Checkpointer.start(
                store.audit(), key, Clock.systemUTC(), Duration.ofHours(1), signed::add, new AuditMetrics())) {
            // start() signs at once
        }
        return SignedCheckpoint.parse(
                store.audit().latestCheckpoint().orElseThrow().note());
    }

    private static void append(SqliteStore store, int count) {
        for (int i = 0; i < count; i++) {
            store.transact(tx -> tx.append(new AuditEvent(
                    AuditEventType.POLICY_LOADED,
                    Instant.now(),
                    "system",
                    Optional.empty(),
                    JsonNodeFactory.instance.objectNode().put("file", "policy.yaml"))));
        }
    }

    private static void awaitCosigned(SqliteStore store, WitnessConfig config, long size) throws InterruptedException {
        await(
                () -> store.audit().latestCosigned(config.key().name()).orElse(-1) == size,
                "the witness's cosignature of size " + size + " is kept");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    /** The store, except that keeping a cosignature fails, as when the gateway dies before it commits. */
    private record CosignaturesLost(AuditLog log) implements AuditLog {
        @Override
        public long treeSize() {
            return log.treeSize();
        }

        @Override
        public HashReader hashes() {
            return log.hashes();
        }

        @Override
        public byte[] root(long size) {
            return log.root(size);
        }

        @Override
        public Optional<StoredCheckpoint> latestCheckpoint() {
            return log.latestCheckpoint();
        }

        @Override
        public void eachCheckpoint(Consumer<StoredCheckpoint> sink) {
            log.eachCheckpoint(sink);
        }

        @Override
        public boolean addCheckpoint(StoredCheckpoint checkpoint) {
            return log.addCheckpoint(checkpoint);
        }

        @Override
        public boolean addCosignature(long size, String witness, String line, Instant receivedAt) {
            throw new IllegalStateException("the gateway stopped before keeping the cosignature");
        }

        @Override
        public OptionalLong latestCosigned(String witness) {
            return log.latestCosigned(witness);
        }

        @Override
        public void scanEntries(long start, AuditLeafSink sink) throws IOException {
            log.scanEntries(start, sink);
        }

        @Override
        public Optional<Long> firstUnauthenticated(long from, long to) {
            return log.firstUnauthenticated(from, to);
        }
    }
}
