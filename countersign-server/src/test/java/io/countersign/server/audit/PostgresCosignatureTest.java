package io.countersign.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.store.EntryMacs;
import io.countersign.store.StoredCheckpoint;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.postgres.TestPostgres;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.cosignature.Cosignature;
import io.countersign.tlog.note.NoteSigner;
import io.countersign.tlog.proof.ProofBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Issue 20: the witness path on PostgreSQL (audit_cosignatures there), against {@link SpecWitness},
 * the witness written from c2sp.org/tlog-witness: cosignatures are verified, kept, served under
 * the checkpoint by every node of the database, survive a restart as the old size, and are kept
 * once per witness and size.
 */
class PostgresCosignatureTest {
    private static final String ORIGIN = "countersign.test/pg-witnessed";

    @TempDir
    Path data;

    @Test
    void cosignaturesAreKeptInPostgres_servedUnderTheCheckpointByEveryNode_andResumeFromTheCosignedSize()
            throws Exception {
        NoteSigner key = NoteSigner.generate(ORIGIN);
        PostgresSettings database = PostgresSettings.of(TestPostgres.newDatabase());
        // Entries carry the MAC of a gateway node's key, or the checkpointer would not sign past them.
        EntryMacs macs = EntryMacs.inDataFolder(data);
        try (PostgresStore store = PostgresStore.open(database, macs);
                SpecWitness witness =
                        new SpecWitness("witness.test/pg", key.verifier().format())) {
            WitnessConfig config = WitnessConfig.of(witness.url(), witness.vkey());
            try (Witnesses witnesses = start(store, config)) {
                for (int round = 0; round < 2; round++) {
                    append(store, 3);
                    witnesses.offer(checkpoint(store, key));
                    awaitCosigned(store, config, 3L * (round + 1));
                }
            }
            try (Witnesses restarted = start(store, config)) {
                append(store, 2);
                restarted.offer(checkpoint(store, key));
                awaitCosigned(store, config, 8);
            }
            assertThat(witness.oldSizes()).as("old sizes posted").containsExactly(0L, 3L, 6L);
            assertThat(witness.conflicts()).isZero();
            assertThat(witness.refused()).isEmpty();

            try (PostgresStore otherNode = PostgresStore.open(database, macs)) {
                StoredCheckpoint served = otherNode.audit().latestCheckpoint().orElseThrow();
                assertThat(served.size()).isEqualTo(8);
                SignedCheckpoint parsed = SignedCheckpoint.parse(served.note());
                assertThat(parsed.verify(key.verifier()).size()).isEqualTo(8);
                Optional<Cosignature> cosignature =
                        config.key().find(parsed.checkpoint(), parsed.note().signatures());
                assertThat(cosignature)
                        .as("the cosignature another node serves")
                        .isPresent();
                assertThat(otherNode.audit().latestCosigned(config.key().name()))
                        .hasValue(8);

                List<StoredCheckpoint> all = new ArrayList<>();
                otherNode.audit().eachCheckpoint(all::add);
                assertThat(all)
                        .filteredOn(c -> c.note().contains("\u2014 witness.test/pg "))
                        .extracting(StoredCheckpoint::size)
                        .containsExactly(3L, 6L, 8L);
            }

            String line = cosignatureLine(
                    store.audit().latestCheckpoint().orElseThrow().note());
            assertThat(store.audit().addCosignature(8, config.key().name(), line, Instant.now()))
                    .as("a second cosignature of the same witness and size is dropped")
                    .isFalse();
            assertThat(countLines(store.audit().latestCheckpoint().orElseThrow().note(), "\u2014 witness.test/pg "))
                    .isEqualTo(1);
            assertThatThrownBy(
                            () -> store.audit().addCosignature(99, config.key().name(), line, Instant.now()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static Witnesses start(PostgresStore store, WitnessConfig config) {
        return Witnesses.start(
                List.of(config),
                new ProofBuilder(store.audit().hashes()),
                store.audit(),
                Clock.systemUTC(),
                new AuditMetrics());
    }

    private static SignedCheckpoint checkpoint(PostgresStore store, NoteSigner key) throws Exception {
        try (Checkpointer checkpointer = Checkpointer.start(
                store.audit(), key, Clock.systemUTC(), Duration.ofHours(1), signed -> {}, new AuditMetrics())) {
            // start() signs at once
        }
        return SignedCheckpoint.parse(
                store.audit().latestCheckpoint().orElseThrow().note());
    }

    private static void append(PostgresStore store, int count) {
        for (int i = 0; i < count; i++) {
            store.transact(tx -> tx.append(new AuditEvent(
                    AuditEventType.POLICY_LOADED,
                    Instant.now(),
                    "system",
                    Optional.empty(),
                    JsonNodeFactory.instance.objectNode().put("file", "policy.yaml"))));
        }
    }

    private static String cosignatureLine(String note) {
        return note.lines()
                .filter(l -> l.startsWith("\u2014 witness.test/pg "))
                .findFirst()
                .orElseThrow();
    }

    private static long countLines(String note, String prefix) {
        return note.lines().filter(l -> l.startsWith(prefix)).count();
    }

    private static void awaitCosigned(PostgresStore store, WitnessConfig config, long size)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (store.audit().latestCosigned(config.key().name()).orElse(-1) != size) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for the witness's cosignature of size " + size);
            }
            Thread.sleep(20);
        }
    }
}
