package io.countersign.store.postgres;

import static java.util.Objects.requireNonNullElse;

import io.countersign.store.StoreException;
import io.countersign.store.StoreUnavailableException;
import io.countersign.store.sql.AuditTree;
import io.countersign.store.sql.SqlErrors;
import io.countersign.store.sql.SqlTables;
import io.countersign.tlog.tree.CompactRange;
import io.countersign.workflow.Transaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's group-commit writer on PostgreSQL: one thread and one connection that run the work
 * of concurrent callers in one transaction, each in a savepoint, and commit them together; the
 * batch's audit entries and notifications go in just before COMMIT ({@link PostgresTransaction}). Each
 * transaction first takes the audit lock (a transaction-level advisory lock), so batches of all
 * nodes are serialized, audit sequence numbers are exact, and one WAL flush serves a batch instead
 * of one per caller: the audit lock is held through COMMIT, so without batching the nodes'
 * throughput would be one fsync per request.
 */
final class PostgresWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresWriter.class);
    private static final int MAX_BATCH = 256;

    /** One caller's work, its result once the work ran, and where the outcome goes after COMMIT. */
    private static final class Job<T> {
        final Function<Transaction, T> work;
        final CompletableFuture<T> outcome = new CompletableFuture<>();

        @Nullable
        T result; // writer thread only; handed over at COMMIT

        Job(Function<Transaction, T> work) {
            this.work = work;
        }

        Function<Transaction, T> work() {
            return work;
        }

        CompletableFuture<T> outcome() {
            return outcome;
        }

        void succeed() {
            outcome.complete(result);
        }
    }

    private static final Job<Void> STOP = new Job<>(tx -> null);

    private final PostgresSettings settings;
    private final SqlTables tables;
    private final AuditTree tree = new AuditTree(); // writer thread only
    private final BlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private @Nullable Connection connection; // writer thread only
    private volatile boolean closed;

    PostgresWriter(PostgresSettings settings, SqlTables tables) {
        this.settings = settings;
        this.tables = tables;
        this.thread = Thread.ofPlatform()
                .name("countersign-postgres-writer")
                .daemon(true)
                .unstarted(this::loop);
        thread.start();
    }

    boolean isWriterThread() {
        return Thread.currentThread() == thread;
    }

    <T> T submit(Function<Transaction, T> work) {
        if (isWriterThread()) {
            throw new IllegalStateException(
                    "transact was called from inside a transaction's work; it would wait for itself");
        }
        if (closed) {
            throw new IllegalStateException("the store " + settings.describe() + " is closed");
        }
        Job<T> job = new Job<>(work);
        queue.add(job);
        try {
            return job.outcome().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(
                    "interrupted while waiting for a write to " + settings.describe() + "; it may or may not be kept",
                    e);
        } catch (ExecutionException e) {
            // The writer completes outcomes only with a cause; the wrapper stands in should one lack it.
            Throwable cause = requireNonNullElse(e.getCause(), e);
            if (cause instanceof RuntimeException runtime) {
                throw runtime; // unchanged, as the Store contract says
            }
            if (cause instanceof Error error) {
                throw error;
            }
            // A checked exception thrown sneakily by the work; its message, or its class when it has none.
            throw new StoreException(Objects.toString(cause.getMessage(), cause.toString()), cause);
        }
    }

    private void loop() {
        while (true) {
            List<Job<?>> jobs = new ArrayList<>();
            try {
                jobs.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(jobs, MAX_BATCH - 1);
            boolean stop = jobs.remove(STOP);
            if (!jobs.isEmpty()) {
                run(jobs);
            }
            if (stop) {
                closeConnection();
                // A caller that slipped in after close() began gets an answer rather than waiting forever.
                List<Job<?>> late = new ArrayList<>();
                queue.drainTo(late);
                late.forEach(job -> job.outcome()
                        .completeExceptionally(
                                new IllegalStateException("the store " + settings.describe() + " is closed")));
                return;
            }
        }
    }

    private void run(List<Job<?>> jobs) {
        List<Job<?>> ran = new ArrayList<>();
        try {
            Connection locked = lockAuditLog();
            long next = tables.audit().size(locked);
            tree.begin(locked, next);
            PostgresTransaction.Batch batch = new PostgresTransaction.Batch(next, tree);
            for (Job<?> job : jobs) {
                if (runAlone(locked, batch, job)) {
                    ran.add(job);
                }
            }
            batch.flush(locked, tables.audit());
            CompactRange border = tree.write(locked);
            locked.commit();
            tree.committed(border);
        } catch (SQLException | RuntimeException e) {
            tree.abandon();
            try {
                Connection current = connection; // null when connecting failed
                if (current != null) {
                    current.rollback();
                }
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
                closeConnection(); // a fresh one for the next batch
            }
            String message =
                    "a write batch on " + settings.describe() + " failed, nothing of it was kept: " + e.getMessage();
            StoreException failure =
                    switch (e) {
                        case StoreException storeException -> storeException;
                        case SQLException sql
                        when SqlErrors.isUnavailable(sql) -> new StoreUnavailableException(message, e);
                        default -> new StoreException(message, e);
                    };
            LOG.warn("a write batch of {} transaction(s) failed: {}", jobs.size(), e.getMessage());
            jobs.stream().filter(job -> !job.outcome().isDone()).forEach(job -> job.outcome()
                    .completeExceptionally(failure));
            return;
        }
        ran.forEach(Job::succeed); // a caller returns only once its work is durable
    }

    /**
     * Begins the batch's transaction with the audit lock. The lock is the batch's first
     * statement, so when it fails on a broken connection (the database restarted since the last
     * batch) nothing was done yet: the writer connects afresh and tries once more, and no write
     * fails for an old connection. The wait for the lock is bounded by {@code lock_timeout}; a
     * node that holds it and froze loses it to {@code idle_in_transaction_session_timeout}.
     * Returns the connection the lock was taken on, the batch's.
     */
    private Connection lockAuditLog() throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                Connection current = connection;
                if (current == null) {
                    current = settings.connectForWrites();
                    connection = current;
                    current.setAutoCommit(false);
                }
                try (PreparedStatement lock = current.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, PostgresStore.AUDIT_LOCK);
                    lock.execute();
                }
                return current;
            } catch (SQLException e) {
                Connection current = connection;
                boolean stale = current != null && !current.isValid(1);
                if (!stale || attempt > 1) {
                    throw e;
                }
                LOG.info("the writer's connection broke since its last batch ({}); connecting again", e.getMessage());
                closeConnection();
            }
        }
    }

    /**
     * Runs one caller's work; on failure undoes it alone (its savepoint, when it issued any
     * statement, and its audit entries) and fails its caller. Returns whether it succeeded.
     */
    private <T> boolean runAlone(Connection connection, PostgresTransaction.Batch batch, Job<T> job)
            throws SQLException {
        long seqBefore = batch.nextSeq();
        PostgresTransaction transaction = new PostgresTransaction(connection, tables, batch);
        T result;
        try {
            result = job.work().apply(transaction);
        } catch (RuntimeException | Error e) {
            transaction.undo(seqBefore);
            job.outcome().completeExceptionally(e);
            return false;
        }
        transaction.keep();
        job.result = result;
        return true;
    }

    private void closeConnection() {
        Connection open = connection;
        if (open != null) {
            try {
                open.close();
            } catch (SQLException e) {
                LOG.debug("closing the writer connection failed", e);
            }
            connection = null;
        }
    }

    /** Runs what is queued, then stops the thread and closes its connection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
