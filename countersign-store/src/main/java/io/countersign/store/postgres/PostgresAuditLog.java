package io.countersign.store.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.store.AuditLeafSink;
import io.countersign.store.StoredCheckpoint;
import io.countersign.store.sql.AuditTable;
import io.countersign.store.sql.SqlAuditLog;
import io.countersign.store.sql.SqlCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
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
 * {@code idle_session_timeout} ({@link PostgresSettings.SessionBounds#SIGNER}, 1.5 s): the
 * database ends the session, and frees the lock, once the node stopped talking for that long.
 * From the first {@link #isSigner} on (a gateway's checkpointer; a command-line tool never asks),
 * a heartbeat thread asks again every {@value #HEARTBEAT_MILLIS} ms: that keeps the signer's
 * session busy however long a checkpoint takes, and lets a standby, which keeps its own
 * connection to try the lock on, take over within about 1.75 s of the signer freezing.
 */
final class PostgresAuditLog extends SqlAuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresAuditLog.class);

    static final int HEARTBEAT_MILLIS = 250;

    private final PostgresSettings settings;
    private @Nullable Connection signer; // guarded by this; holds SIGNER_LOCK while not null
    private @Nullable Connection standby; // guarded by this; where a node that doesn't sign tries the lock
    private boolean closed; // guarded by this
    private @Nullable Thread heartbeat; // guarded by this

    PostgresAuditLog(Reads reads, AuditTable entries, PostgresSettings settings) {
        super(reads, entries);
        this.settings = requireNonNull(settings, "settings is null");
    }

    @Override
    public boolean addCheckpoint(StoredCheckpoint checkpoint) {
        requireNonNull(checkpoint, "checkpoint is null");
        // The tree only grows and its nodes never change, so no lock is needed to check the root.
        return reads.read(
                "keep the audit checkpoint of size " + checkpoint.size(),
                connection -> insertMatchingCheckpoint(connection, checkpoint));
    }

    @Override
    public boolean addCosignature(long size, String witness, String line, Instant receivedAt) {
        requireNonNull(witness, "witness is null");
        requireNonNull(line, "line is null");
        requireNonNull(receivedAt, "receivedAt is null");
        return reads.read(
                "keep the cosignature of witness " + witness + " for size " + size,
                connection -> insertCosignature(connection, size, witness, line, receivedAt));
    }

    @Override
    public void scanEntries(long start, AuditLeafSink sink) throws IOException {
        requireNonNull(sink, "sink is null");
        try {
            reads.read("scan audit entries from " + start, SqlCall.effect(connection -> {
                connection.setAutoCommit(false); // one snapshot, fetched in chunks
                try {
                    entries.scan(connection, start, sink);
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // crosses the lambda; unwrapped just below
                } finally {
                    connection.rollback();
                }
            }));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Whether this node holds the signer lock, taking it when it is free. Asked four times a
     * second (by the heartbeat and the checkpointer): a node whose connection broke, or whose
     * session the database ended because it froze, gives the role up, and another node takes it
     * at its next check once the database freed the lock (at once for a killed process, after
     * 1.5 s for a frozen one).
     */
    @Override
    public synchronized boolean isSigner() {
        if (closed) {
            return false;
        }
        if (heartbeat == null) {
            heartbeat =
                    Thread.ofPlatform().daemon().name("audit-signer-heartbeat").start(this::beat);
        }
        try {
            if (signer != null) {
                if (signer.isValid(2)) {
                    return true;
                }
                LOG.warn("lost the connection that holds the audit signer lock; another node may sign now");
                closeSigner();
            }
            if (standby == null || !standby.isValid(1)) {
                closeStandby();
                standby = settings.connectForSigner(); // kept: trying the lock four times a second must not fork a
                // backend each time
            }
            Connection connection = standby;
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
                standby = null;
                LOG.info("this node signs the audit checkpoints now");
                return true;
            }
            return false;
        } catch (SQLException e) {
            LOG.warn("taking the audit signer lock failed: {}", e.getMessage());
            closeSigner();
            closeStandby();
            return false;
        }
    }

    private void beat() {
        while (true) {
            try {
                Thread.sleep(HEARTBEAT_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            try {
                isSigner();
            } catch (RuntimeException e) {
                LOG.warn("the audit signer heartbeat failed: {}", e.getMessage());
            }
        }
    }

    /** Gives the signer role up (the lock goes with the session). */
    @Override
    public synchronized void close() {
        closed = true;
        if (heartbeat != null) {
            heartbeat.interrupt();
        }
        if (signer != null) {
            // Released before the connection closes: the server frees a closed session's locks
            // only once its backend has exited, and a standby asking right now should get it.
            try (PreparedStatement unlock = signer.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                unlock.setLong(1, PostgresStore.SIGNER_LOCK);
                unlock.execute();
            } catch (SQLException e) {
                LOG.debug("releasing the audit signer lock failed; it goes with the session", e);
            }
        }
        closeSigner();
        closeStandby();
    }

    private void closeStandby() {
        if (standby != null) {
            try {
                standby.close();
            } catch (SQLException e) {
                LOG.debug("closing the standby signer connection failed", e);
            }
            standby = null;
        }
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
