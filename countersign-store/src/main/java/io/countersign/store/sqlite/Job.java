package io.countersign.store.sqlite;

import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/** One caller's work, queued for the {@link GroupCommitWriter}, and its outcome. */
final class Job<T> {
    private final GroupCommitWriter.Work<T> work;
    private final CountDownLatch done = new CountDownLatch(1);
    // Written by the writer thread before done.countDown(), read by the caller after done.await():
    // the latch orders the two, so these need no volatile.
    private @Nullable Returned<T> returned;
    private @Nullable Throwable failure;
    private boolean finished; // writer thread only

    /**
     * What the work returned, boxed: no box means the work has not run (or its batch failed),
     * whatever the value in it. The store hands that value back unchanged, as {@code transact}
     * promises, even a null from a caller's {@code Function} outside the annotated code.
     */
    private record Returned<T>(T value) {}

    Job(GroupCommitWriter.Work<T> work) {
        this.work = work;
    }

    void run(WriteBatch batch) {
        returned = new Returned<>(work.run(batch));
    }

    boolean isDone() {
        return finished;
    }

    void succeed() {
        finished = true;
        done.countDown();
    }

    void fail(Throwable cause) {
        failure = cause;
        returned = null;
        finished = true;
        done.countDown();
    }

    T await() {
        // Uninterruptible: once queued, the work may be committed any moment. Giving up on an
        // interrupt would report as failed a write that is, or is about to be, durable.
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure == null) {
            if (returned == null) {
                throw new IllegalStateException("bug: a write job succeeded without running its work");
            }
            return returned.value();
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        throw new UndeclaredThrowableException(failure, "transaction work threw a checked exception");
    }
}
