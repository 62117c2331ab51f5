package io.countersign.store.sqlite;

import io.countersign.store.StoreException;
import io.countersign.store.sql.AuditTree;
import io.countersign.tlog.tree.CompactRange;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes, and the one connection it writes with (group commit).
 *
 * <p>Callers queue their work and block. The thread takes everything queued, up to
 * {@code maxBatch}, opens one transaction ({@code BEGIN IMMEDIATE}), runs each caller's work in
 * its own savepoint, and commits once: with {@code synchronous=FULL} that is one fsync for the
 * whole batch instead of one per caller, which is where the throughput comes from. A work that
 * throws is rolled back to its savepoint and its caller gets the exception; the others in the
 * batch are unaffected. Nobody returns before the commit is done; if the commit fails, every
 * caller of the batch gets an exception and nothing of the batch is kept.
 *
 * <p>The audit log's Merkle tree ({@link AuditTree}) is part of every batch: the nodes of the
 * entries the batch appended are inserted just before COMMIT, so entries and tree are durable
 * together, in the same fsync, and never disagree.
 *
 * <p>Work runs one after the other on this thread, so transactions are serial: the strongest
 * isolation there is. Work must be short and must not wait for anything, or the whole batch waits.
 */
final class GroupCommitWriter implements AutoCloseable {
    static final int DEFAULT_MAX_BATCH = 512;

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** What a caller runs on the writer thread. */
    @FunctionalInterface
    interface Work<T> {
        T run(WriteBatch batch);
    }

    private final Connection connection;
    private final String database;
    private final int maxBatch;
    private final BlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final ReentrantLock admission = new ReentrantLock();
    /** The marker close() queues last; the loop takes it out of its batch, so it never runs. */
    private final Job<Void> stop = new Job<>(batch -> {
        throw new IllegalStateException("bug: the writer ran its stop marker");
    });

    private final AtomicLong batchesCommitted = new AtomicLong();
    private final AuditTree tree = new AuditTree(); // writer thread only
    private final Thread thread;
    private final Statement control; // writer thread only, once started
    private boolean closed; // guarded by admission

    private GroupCommitWriter(Connection connection, Statement control, String database, int maxBatch) {
        this.connection = connection;
        this.control = control;
        this.database = database;
        this.maxBatch = maxBatch;
        // A platform thread: it spends its time in native code (SQLite, fsync), which would pin a
        // virtual thread anyway. A daemon, because nothing it holds is acknowledged before COMMIT.
        this.thread = Thread.ofPlatform()
                .name("countersign-sqlite-writer")
                .daemon(true)
                .unstarted(this::loop);
    }

    /** Starts the writer; it owns {@code connection} from now on and closes it when the writer is closed. */
    static GroupCommitWriter start(Connection connection, String database, int maxBatch) throws SQLException {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch is " + maxBatch + ", want at least 1");
        }
        GroupCommitWriter writer = new GroupCommitWriter(connection, connection.createStatement(), database, maxBatch);
        writer.thread.start();
        return writer;
    }

    /**
     * Runs {@code work} in the next batch and returns its result once the batch is durable. An
     * exception thrown by the work reaches the caller unchanged.
     */
    <T> T submit(Work<T> work) {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException(
                    "transact was called from inside a transaction's work: the writer thread would wait for itself"
                            + " forever. Do both writes in one work, or the second one after transact returns");
        }
        Job<T> job = new Job<>(work);
        // The lock makes "not closed" and "queued" one step, so close() can't slip its stop marker
        // in between and leave this job queued behind it with nobody to run it.
        admission.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the store " + database + " is closed");
            }
            queue.add(job);
        } finally {
            admission.unlock();
        }
        return job.await();
    }

    boolean isWriterThread() {
        return Thread.currentThread() == thread;
    }

    /** How many callers wait for their work to start: the writer's backlog. */
    int queued() {
        return queue.size();
    }

    /** How many batches were committed: with group commit, fewer than the transactions. */
    long batchesCommitted() {
        return batchesCommitted.get();
    }

    /** Runs everything queued so far, then stops the thread and closes the connection. */
    @Override
    public void close() {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException(
                    "the store was closed from inside a transaction's work; close it after transact returns");
        }
        admission.lock();
        try {
            if (!closed) {
                closed = true;
                queue.add(stop);
            }
        } finally {
            admission.unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            boolean stopping = false;
            while (!stopping) {
                List<Job<?>> batch = new ArrayList<>(maxBatch);
                batch.add(take());
                queue.drainTo(batch, maxBatch - 1);
                // close() queues the stop marker last and admits nothing after it: once it is taken,
                // this batch is the last one.
                stopping = batch.remove(stop);
                while (!batch.isEmpty()) {
                    batch = runGuarded(batch);
                }
            }
        } finally {
            try {
                control.close();
                connection.close();
            } catch (SQLException e) {
                LOG.warn("closing the write connection to {} failed", database, e);
            }
        }
    }

    private Job<?> take() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                // Nobody is meant to interrupt this thread; close() stops it through the queue.
                LOG.warn("the writer of {} was interrupted; it stops only when the store is closed", database);
            }
        }
    }

    /** Runs a batch; returns the jobs that did not get to run because the batch was aborted. */
    private List<Job<?>> runGuarded(List<Job<?>> jobs) {
        try {
            return run(jobs);
        } catch (RuntimeException | Error e) {
            // A bug in this class. The thread must survive it: if it died, every later caller would wait forever.
            LOG.error("bug: the writer of {} failed outside any transaction's work", database, e);
            rollbackQuietly();
            tree.abandon();
            failAll(jobs, () -> new StoreException("bug: the writer of " + database + " failed: " + e, e));
            return List.of();
        }
    }

    private List<Job<?>> run(List<Job<?>> jobs) {
        WriteBatch batch;
        try {
            control.execute("BEGIN IMMEDIATE");
            long nextSeq = nextSeq();
            tree.begin(connection, nextSeq);
            batch = new WriteBatch(connection, thread, nextSeq, tree);
        } catch (SQLException e) {
            rollbackQuietly();
            tree.abandon();
            failAll(
                    jobs,
                    () -> new StoreException(
                            "starting a write transaction on " + database + " failed: " + e.getMessage(), e));
            return List.of();
        } catch (StoreException e) {
            // The stored tree and the log disagree (see AuditTree.begin); nothing may be appended.
            rollbackQuietly();
            tree.abandon();
            LOG.error("refusing writes to {}: {}", database, e.getMessage());
            failAll(jobs, () -> new StoreException("refused a write to " + database + ": " + e.getMessage(), e));
            return List.of();
        }
        List<Job<?>> ran = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            Job<?> job = jobs.get(i);
            runInSavepoint(batch, job);
            if (!job.isDone()) {
                ran.add(job);
            }
            SQLException cause = batch.fatal();
            if (cause != null) {
                rollbackQuietly();
                tree.abandon();
                failAll(
                        ran,
                        () -> new StoreException(
                                "the write batch on " + database + " was rolled back after an error, nothing of this"
                                        + " transaction was kept: " + cause.getMessage(),
                                cause));
                // The rest never ran; they go into a fresh batch.
                return new ArrayList<>(jobs.subList(i + 1, jobs.size()));
            }
        }
        CompactRange border;
        try {
            border = tree.write(connection);
        } catch (SQLException e) {
            rollbackQuietly();
            tree.abandon();
            failAll(
                    ran,
                    () -> new StoreException(
                            "writing the audit tree nodes of a batch of " + ran.size() + " transaction(s) to "
                                    + database + " failed, none of them was kept: " + e.getMessage(),
                            e));
            return List.of();
        }
        try {
            control.execute("COMMIT");
        } catch (SQLException e) {
            rollbackQuietly();
            tree.abandon();
            failAll(
                    ran,
                    () -> new StoreException(
                            "committing a batch of " + ran.size() + " transaction(s) to " + database
                                    + " failed, none of them was kept: " + e.getMessage(),
                            e));
            return List.of();
        }
        tree.committed(border);
        batchesCommitted.incrementAndGet();
        ran.forEach(Job::succeed);
        return List.of();
    }

    private void runInSavepoint(WriteBatch batch, Job<?> job) {
        long seqBefore = batch.nextSeq();
        if (!execute(batch, "SAVEPOINT work")) {
            return;
        }
        Throwable failure = null;
        try {
            job.run(batch);
        } catch (Throwable t) {
            failure = t;
        }
        if (failure == null) {
            execute(batch, "RELEASE work");
            return;
        }
        // Undo this caller's writes and give back its sequence numbers; the rest of the batch stays.
        if (execute(batch, "ROLLBACK TO work") && execute(batch, "RELEASE work")) {
            batch.resetSeq(seqBefore);
        }
        job.fail(failure);
    }

    private boolean execute(WriteBatch batch, String sql) {
        try {
            control.execute(sql);
            return true;
        } catch (SQLException e) {
            batch.markFatal(e);
            return false;
        }
    }

    /**
     * Read under the write lock that BEGIN IMMEDIATE took, so it is exact even if another process
     * (the command line on the same data directory) appended since the last batch. One B-tree seek
     * per batch; within the batch the number is kept here.
     */
    private long nextSeq() throws SQLException {
        try (ResultSet rows = control.executeQuery("SELECT COALESCE(MAX(seq) + 1, 0) FROM audit_entries")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private void rollbackQuietly() {
        try {
            control.execute("ROLLBACK");
        } catch (SQLException e) {
            // Expected when SQLite already rolled the transaction back by itself after an I/O error.
            LOG.debug("rollback on {}: {}", database, e.getMessage());
        }
    }

    private static void failAll(List<Job<?>> jobs, Supplier<StoreException> failure) {
        // One exception per caller: callers rethrow it on their own threads, and may add to it.
        jobs.stream().filter(job -> !job.isDone()).forEach(job -> job.fail(failure.get()));
    }
}
