package io.countersign.bench.audit;

import io.countersign.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durable audit appends per second: many concurrent callers, each {@code transact} appending one
 * event (an entry plus its Merkle tree nodes, fsynced before it returns), with group commit
 * (batches up to 512) and, as the baseline, with batches of one. A timed harness, not JMH: the
 * quantity is throughput under contention.
 *
 * <pre>java -cp countersign-bench/target/benchmarks.jar io.countersign.bench.audit.AuditAppendThroughput [seconds] [callers...]</pre>
 */
public final class AuditAppendThroughput {
    private AuditAppendThroughput() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int[] callers = args.length > 1
                ? java.util.Arrays.stream(args, 1, args.length)
                        .mapToInt(Integer::parseInt)
                        .toArray()
                : new int[] {64, 256};
        System.out.printf("%-8s %-9s %14s%n", "callers", "maxBatch", "appends/s");
        for (int n : callers) {
            run(n, 512, seconds);
            run(n, 1, seconds);
        }
    }

    private static void run(int callers, int maxBatch, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("countersign-audit-append-");
        try (SqliteStore store = SqliteStore.open(dir, maxBatch)) {
            LongAdder done = new LongAdder();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                // Virtual threads: a caller blocked on its batch's fsync costs no OS thread, as with HTTP handlers.
                threads.add(Thread.ofVirtual().start(() -> {
                    long i2 = 0;
                    while (running.get()) {
                        long n = i2++;
                        store.transact(tx -> tx.append(AuditBenchSupport.event(n)));
                        done.increment();
                    }
                }));
            }
            Thread.sleep(1_500); // warm-up: JIT, page cache, WAL growth
            long startCount = done.sum();
            long start = System.nanoTime();
            Thread.sleep(seconds * 1_000L);
            long appends = done.sum() - startCount;
            double elapsed = (System.nanoTime() - start) / 1e9;
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
            long size = store.auditSize();
            long treeSize = store.audit().treeSize();
            if (treeSize != size) {
                throw new IllegalStateException("tree covers " + treeSize + " of " + size + " entries");
            }
            System.out.printf("%-8d %-9d %14.0f%n", callers, maxBatch, appends / elapsed);
        } finally {
            AuditBenchSupport.delete(dir);
        }
    }
}
