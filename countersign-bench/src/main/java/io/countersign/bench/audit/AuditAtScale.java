package io.countersign.bench.audit;

import io.countersign.server.audit.AuditMetrics;
import io.countersign.server.audit.Checkpointer;
import io.countersign.server.audit.verify.DataFolderSource;
import io.countersign.server.audit.verify.ExportFile;
import io.countersign.server.audit.verify.ExportSource;
import io.countersign.server.audit.verify.LogVerifier;
import io.countersign.server.audit.verify.VerifierState;
import io.countersign.store.sqlite.SqliteStore;
import io.countersign.tlog.note.NoteSigner;
import io.countersign.tlog.proof.ProofBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit log at 1,000,000 entries (or the size given): builds a SQLite store once in a temp
 * directory, then measures (1) inclusion and consistency proof generation from SQLite, one
 * batched node query each, as latency percentiles over random indexes and sizes, and (2)
 * exporting the log and {@code audit verify --export} of the export file.
 *
 * <pre>java -cp countersign-bench/target/benchmarks.jar io.countersign.bench.audit.AuditAtScale [entries] [proofs]</pre>
 */
public final class AuditAtScale {
    private AuditAtScale() {}

    public static void main(String[] args) throws Exception {
        long entries = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int proofs = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        Path dir = Files.createTempDirectory("countersign-audit-scale-");
        try {
            Path data = dir.resolve("data");
            NoteSigner key = NoteSigner.generate("countersign.bench/audit");
            long t0 = System.nanoTime();
            try (SqliteStore store = SqliteStore.open(data)) {
                AuditBenchSupport.fill(store, entries, 2_000);
                Checkpointer.start(
                                store.audit(), key, Clock.systemUTC(), Duration.ofHours(1), c -> {}, new AuditMetrics())
                        .close();
                System.out.printf(
                        "built %,d entries in %.1f s (%,d bytes on disk)%n",
                        entries, (System.nanoTime() - t0) / 1e9, Files.size(data.resolve("countersign.db")));

                ProofBuilder builder = new ProofBuilder(store.audit().hashes());
                SplittableRandom random = new SplittableRandom(42);
                measure("inclusion proof", proofs, () -> {
                    long size = entries - random.nextLong(1_000);
                    builder.inclusion(random.nextLong(size), size);
                });
                measure("consistency proof", proofs, () -> {
                    long to = entries - random.nextLong(1_000);
                    builder.consistency(1 + random.nextLong(to - 1), to);
                });
            }

            Path export = dir.resolve("audit.export");
            long t1 = System.nanoTime();
            try (DataFolderSource source = DataFolderSource.open(data)) {
                ExportFile.write(source, key.verifier(), export);
            }
            System.out.printf("export: %.1f s, %,d bytes%n", (System.nanoTime() - t1) / 1e9, Files.size(export));

            for (int run = 1; run <= 3; run++) {
                long t2 = System.nanoTime();
                LogVerifier.Outcome outcome;
                try (ExportSource source = ExportFile.open(export)) {
                    outcome = new LogVerifier(JsonMapper.builder().build())
                            .verify(
                                    source,
                                    new LogVerifier.Trust(Optional.of(key.verifier()), false),
                                    origin -> VerifierState.at(dir.resolve("state")));
                }
                System.out.printf(
                        "verify --export run %d: %.2f s, %s%n",
                        run,
                        (System.nanoTime() - t2) / 1e9,
                        outcome instanceof LogVerifier.Verified ? "verified" : outcome);
            }
        } finally {
            AuditBenchSupport.delete(dir);
        }
    }

    private static void measure(String what, int count, Runnable proof) {
        for (int i = 0; i < count / 4; i++) {
            proof.run(); // warm-up
        }
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            proof.run();
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf(
                "%-18s n=%,d  p50 %6.1f us  p90 %6.1f us  p99 %6.1f us  p99.9 %7.1f us  max %7.1f us%n",
                what,
                count,
                nanos[count / 2] / 1e3,
                nanos[count * 9 / 10] / 1e3,
                nanos[count * 99 / 100] / 1e3,
                nanos[count * 999 / 1000] / 1e3,
                nanos[count - 1] / 1e3);
    }
}
