package io.countersign.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.store.StoredCheckpoint;
import io.countersign.store.sqlite.SqliteStore;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.note.NoteSigner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;

/** Invariant 7's time bound: every appended entry is covered by a signed checkpoint within about one interval. */
class CheckpointerTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);
    /** One interval, a signature and a commit, and scheduling noise on a loaded 2-core machine (0.72 s seen). */
    private static final Duration BOUND = INTERVAL.plusMillis(1_900);

    @TempDir
    Path dir;

    @Test
    void underSteadyAppends_everyEntryIsCoveredWithinTheBound_withAtMostOneSignaturePerInterval() throws Exception {
        NoteSigner key = NoteSigner.generate("countersign.test/cadence");
        ConcurrentLinkedQueue<Covered> signed = new ConcurrentLinkedQueue<>();
        List<Appended> appended = new ArrayList<>();
        try (SqliteStore store = SqliteStore.open(dir);
                Checkpointer checkpointer = Checkpointer.start(
                        store.audit(),
                        key,
                        Clock.systemUTC(),
                        INTERVAL,
                        checkpoint ->
                                signed.add(new Covered(checkpoint.checkpoint().size(), System.nanoTime())),
                        new AuditMetrics())) {
            long start = System.nanoTime();
            while (System.nanoTime() - start < Duration.ofMillis(1_500).toNanos()) {
                long seq = append(store);
                appended.add(new Appended(seq, System.nanoTime()));
                Thread.sleep(3);
            }
            long runNanos = System.nanoTime() - start;
            Thread.sleep(BOUND.toMillis());

            for (Appended entry : appended) {
                Optional<Covered> first =
                        signed.stream().filter(c -> c.size > entry.seq).findFirst();
                assertThat(first)
                        .as("a checkpoint covering entry %d", entry.seq)
                        .isPresent();
                assertThat(Duration.ofNanos(first.get().at - entry.at))
                        .as("time until entry %d was covered", entry.seq)
                        .isLessThanOrEqualTo(BOUND);
            }
            long maxSignatures = runNanos / INTERVAL.toNanos() + 3;
            assertThat(signed.size())
                    .as("signatures while appending for %d ms", runNanos / 1_000_000)
                    .isBetween(5, (int) maxSignatures);
            StoredCheckpoint latest = store.audit().latestCheckpoint().orElseThrow();
            Checkpoint verified = SignedCheckpoint.open(latest.note(), key.verifier());
            assertThat(verified.size()).isEqualTo(store.auditSize());
            assertThat(verified.rootHash()).isEqualTo(store.audit().root(verified.size()));
        }
    }

    @Test
    void whenIdle_noNewCheckpointIsSigned() throws Exception {
        NoteSigner key = NoteSigner.generate("countersign.test/idle");
        List<SignedCheckpoint> signed = new ArrayList<>();
        try (SqliteStore store = SqliteStore.open(dir)) {
            append(store);
            try (Checkpointer checkpointer = Checkpointer.start(
                    store.audit(), key, Clock.systemUTC(), INTERVAL, signed::add, new AuditMetrics())) {
                Thread.sleep(5 * INTERVAL.toMillis());

                assertThat(signed).hasSize(1);
            }
        }
    }

    @Test
    void entriesAppendedByAnotherProcess_areCoveredToo() throws Exception {
        NoteSigner key = NoteSigner.generate("countersign.test/cli");
        try (SqliteStore server = SqliteStore.open(dir);
                Checkpointer checkpointer = Checkpointer.start(
                        server.audit(), key, Clock.systemUTC(), INTERVAL, c -> {}, new AuditMetrics())) {
            try (SqliteStore commandLine = SqliteStore.open(dir)) {
                append(commandLine);
                append(commandLine);
            }
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (server.audit().latestCheckpoint().orElseThrow().size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }

            assertThat(server.audit().latestCheckpoint().orElseThrow().size()).isEqualTo(2);
        }
    }

    @Test
    void close_coversWhatWasAppendedSinceTheLastTick() {
        NoteSigner key = NoteSigner.generate("countersign.test/close");
        try (SqliteStore store = SqliteStore.open(dir)) {
            Checkpointer checkpointer = Checkpointer.start(
                    store.audit(), key, Clock.systemUTC(), Duration.ofHours(1), c -> {}, new AuditMetrics());
            append(store);
            append(store);

            checkpointer.close();

            assertThat(store.audit().latestCheckpoint().orElseThrow().size()).isEqualTo(2);
        }
    }

    private static long append(SqliteStore store) {
        return store.transact(tx -> tx.append(new AuditEvent(
                AuditEventType.POLICY_LOADED,
                Instant.now(),
                "system",
                Optional.empty(),
                JsonNodeFactory.instance.objectNode().put("file", "policy.yaml"))));
    }

    private record Appended(long seq, long at) {}

    private record Covered(long size, long at) {}
}
