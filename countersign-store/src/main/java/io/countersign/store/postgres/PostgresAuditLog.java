package io.countersign.store.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.store.AuditLeafSink;
import io.countersign.store.StoredCheckpoint;
import io.countersign.store.sql.AuditTable;
import io.countersign.store.sql.SqlAuditLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log's tree and checkpoints in PostgreSQL. Every node reads and serves them; the one
 * that holds the signer lock (a session advisory lock on a connection of its own, which the
 * database frees when that node or its connection dies) signs.
 *
 * <p>A node that only froze (a stopped process, a long pause) or lost the network keeps its
 * session open as far as its kernel is concerned, so the lock's connection has an
 * {@code idle_session_timeout} of {@value #SIGNER_IDLE_MILLIS} ms: the database ends the
 * session, and frees the lock, once the node stopped talking for that long. While it signs, a
 * heartbeat every {@value #HEARTBEAT_MILLIS} ms keeps the session busy; while it doesn't, the
 * same heartbeat tries the lock, so a standby takes over within about a second and a half of the
 * signer freezing and signs at its next checkpointer tick.
 */
final class PostgresAuditLog extends SqlAuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresAuditLog.class);

    static final int HEARTBEAT_MILLIS = 250;
    static final int SIGNER_IDLE_MILLIS = 1_000;

    private final PostgresSettings settings;
    private Connection signer; // guarded by this; holds SIGNER_LOCK while not null
    private boolean closed; // guarded by this
    private @Nullable ScheduledExecutorService heartbeat; // guarded by this; started by the first isSigner

    PostgresAuditLog(Reads reads, AuditTable entries, PostgresSettings settings) {
        super(reads, entries);
        this.settings = requireNonNull(settings, "settings is null");
    }

    @Override
    public boolean addCheckpoint(StoredCheckpoint checkpoint) {
        requireNonNull(checkpoint, "checkpoint is null");
        // The tree only grows and its nodes never change, so no lock is needed to check the root.
        return reads.read("keep the audit checkpoint of size " + checkpoint.size(), connection -> insertMatchingCheckpoint(connection, checkpoint));
    }

    @Override
    public void scanEntries(long start, AuditLeafSink sink) throws IOException {
        requireNonNull(sink, "sink is null");
        try {
            reads.read("scan audit entries from " + start, connection -> {
                connection.setAutoCommit(false); // one snapshot, fetched in chunks
                try {
                    entries.scan(connection, start, sink);
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // crosses the lambda; unwrapped just below
                } finally {
                    connection.rollback();
                }
                return null;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Whether this node holds the signer lock, taking it when it is free. Checked at every
     * checkpointer tick: a node whose connection broke gives the role up, and another node takes
     * it at its next tick once the database noticed (at once for a killed process).
     */
    @Override
    public synchronized boolean isSigner() {
        if (closed) {
            return false;
        }
        if (heartbeat == null) {
            // Only a node that signs when it can (a gateway's checkpointer) ever takes the lock; a command-line tool never does.
            heartbeat = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("audit-signer-heartbeat").factory());
            heartbeat.scheduleWithFixedDelay(this::beat, HEARTBEAT_MILLIS, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
        }
        return holdOrTake();
    }

    private void beat() {
        try {
            isSigner();
        } catch (RuntimeException e) {
            LOG.warn("the audit signer heartbeat failed: {}", e.getMessage());
        }
    }

    private synchronized boolean holdOrTake() {
        try {
            if (signer != null) {
                if (signer.isValid(2)) {
                    return true;
                }
                LOG.warn("lost the connection that holds the audit signer lock; another node may sign now");
                closeSigner();
            }
            Connection connection = settings.connectForSigner();
            boolean locked;
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                lock.setLong(1, PostgresStore.SIGNER_LOCK);
                try (ResultSet rows = lock.executeQuery()) {
                    rows.next();
                    locked = rows.getBoolean(1);
                }
            }
            if (locked) {
                signer = connection;
                LOG.info("this node signs the audit checkpoints now");
                return true;
            }
            connection.close();
            return false;
        } catch (SQLException e) {
            LOG.warn("taking the audit signer lock failed: {}", e.getMessage());
            closeSigner();
            return false;
        }
    }

    /** Gives the signer role up (the lock goes with the session). */
    @Override
    public synchronized void close() {
        closed = true;
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        closeSigner();
    }

    private void closeSigner() {
        if (signer != null) {
            try {
                signer.close();
            } catch (SQLException e) {
                LOG.debug("closing the signer connection failed", e);
            }
            signer = null;
        }
    }
}
