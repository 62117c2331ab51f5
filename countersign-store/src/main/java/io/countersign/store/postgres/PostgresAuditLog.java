package io.countersign.store.postgres;

import org.jspecify.annotations.Nullable;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log's tree and checkpoints in PostgreSQL. Every node reads and serves them; the one
 * that holds the signer lock (a session advisory lock on a connection of its own, which the
 * database frees when that node or its connection dies) signs.
 */
final class PostgresAuditLog extends SqlAuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresAuditLog.class);

    private final PostgresSettings settings;
    private @Nullable Connection signer; // guarded by this; holds SIGNER_LOCK while not null
    private boolean closed; // guarded by this

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
        try {
            if (signer != null) {
                if (signer.isValid(2)) {
                    return true;
                }
                LOG.warn("lost the connection that holds the audit signer lock; another node may sign now");
                closeSigner();
            }
            Connection connection = settings.connect();
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
