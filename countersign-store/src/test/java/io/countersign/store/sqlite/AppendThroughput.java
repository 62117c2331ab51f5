package io.countersign.store.sqlite;

import static io.countersign.store.Requests.created;
import static io.countersign.store.Requests.event;
import static io.countersign.store.Requests.pending;

import io.countersign.audit.AuditEventType;
import io.countersign.workflow.ApprovalRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * A measurement, not a test: how many transactions per second (one request insert and two audit
 * appends each) the store acknowledges with 16 and 64 concurrent callers, with group commit
 * (batches up to 512) and without it (batches of 1). Run by hand; see the store's README notes in
 * the report of the issue that added it. Arguments: seconds per run (default 5), data directory
 * parent (default the system temp directory).
 */
public final class AppendThroughput {
    private AppendThroughput() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path parent = args.length > 1 ? Path.of(args[1]) : Path.of(System.getProperty("java.io.tmpdir"));
        System.out.printf("%-8s %-9s %12s %10s %12s%n", "callers", "maxBatch", "tx/s", "batches", "tx/batch");
        for (int callers : new int[] {16, 64}) {
            for (int maxBatch : new int[] {GroupCommitWriter.DEFAULT_MAX_BATCH, 1}) {
                run(parent, callers, maxBatch, seconds);
            }
        }
    }

    private static void run(Path parent, int callers, int maxBatch, int seconds) throws Exception {
        Path dir = Files.createTempDirectory(parent, "countersign-throughput-");
        try (SqliteStore store = SqliteStore.open(dir, maxBatch)) {
            LongAdder done = new LongAdder();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                String agent = "bench-bot-" + i;
                threads.add(Thread.ofPlatform().start(() -> {
                    while (running.get()) {
                        ApprovalRequest request = pending(agent);
                        store.transact(tx -> {
                            tx.insert(request);
                            tx.append(created(request));
                            tx.append(event(AuditEventType.DECISION_MADE, request, request.createdAt()));
                            return null;
                        });
                        done.increment();
                    }
                }));
            }
            Thread.sleep(1_000); // warm-up: JIT, page cache, WAL growth
            long startCount = done.sum();
            long startBatches = store.batchesCommitted();
            long start = System.nanoTime();
            Thread.sleep(seconds * 1_000L);
            long transactions = done.sum() - startCount;
            long batches = store.batchesCommitted() - startBatches;
            double elapsed = (System.nanoTime() - start) / 1e9;
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
            System.out.printf(
                    "%-8d %-9d %12.0f %10d %12.1f%n",
                    callers,
                    maxBatch,
                    transactions / elapsed,
                    batches,
                    batches == 0 ? 0.0 : (double) transactions / batches);
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
