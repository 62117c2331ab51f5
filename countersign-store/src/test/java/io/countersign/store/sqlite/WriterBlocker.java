package io.countersign.store.sqlite;

import io.countersign.workflow.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Holds the writer thread inside a work until released, so that other transactions queue up
 * behind it and then run together in the next batch: how the tests line up a batch on purpose.
 */
final class WriterBlocker implements AutoCloseable {
    private final SqliteStore store;
    private final CountDownLatch running = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CompletableFuture<Object> done;

    WriterBlocker(SqliteStore store) throws InterruptedException {
        this.store = store;
        this.done = onOwnThread(() -> store.transact(tx -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        running.await();
    }

    /**
     * Submits {@code count} transactions, each from a thread of its own, and returns once all of
     * them wait in the writer's queue; they run as one batch after {@link #release}.
     */
    <T> List<CompletableFuture<T>> queue(int count, IntFunction<Function<Transaction, T>> work)
            throws InterruptedException {
        List<CompletableFuture<T>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Function<Transaction, T> one = work.apply(i);
            futures.add(onOwnThread(() -> store.transact(one)));
        }
        while (store.queuedTransactions() < count) {
            Thread.sleep(1);
        }
        return futures;
    }

    void release() {
        release.countDown();
    }

    @Override
    public void close() {
        release();
        done.join();
    }

    /**
     * Runs on a thread of its own. Not the common pool: on a two-core machine it has one thread,
     * which a blocked writer would hold.
     */
    static <T> CompletableFuture<T> onOwnThread(Supplier<T> supplier) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                future.complete(supplier.get());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        return future;
    }
}
