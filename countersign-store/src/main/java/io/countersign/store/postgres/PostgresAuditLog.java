package io.countersign.store.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.store.AuditLeafSink;
import io.countersign.store.AuditLog;
import io.countersign.store.StoreException;
import io.countersign.store.StoredCheckpoint;
import io.countersign.store.sql.AuditCheckpointTable;
import io.countersign.store.sql.AuditNodeTable;
import io.countersign.store.sql.AuditTable;
import io.countersign.store.sql.SqlCall;
import io.countersign.tlog.tree.HashReader;
import io.countersign.tlog.tree.TreeReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log's tree and checkpoints in PostgreSQL. Every node reads and serves them; the one
 * that holds the signer lock (a session advisory lock on a connection of its own, which the
 * database frees when that node or its connection dies) signs.
 */
final class PostgresAuditLog implements AuditLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresAuditLog.class);

    /** Runs SQL on a pooled connection, wrapping errors as {@link StoreException}. */
    @FunctionalInterface
    interface Reads {
        <T> T read(String operation, SqlCall<T> call);
    }

    private final Reads reads;
    private final AuditTable entries;
    private final PostgresSettings settings;
    private final AuditNodeTable nodes = new AuditNodeTable();
    private final AuditCheckpointTable checkpoints = new AuditCheckpointTable();
    private final HashReader hashes;
    private Connection signer; // guarded by this; holds SIGNER_LOCK while not null
    private boolean closed; // guarded by this

    PostgresAuditLog(Reads reads, AuditTable entries, PostgresSettings settings) {
        this.reads = reads;
        this.entries = entries;
        this.settings = settings;
        this.hashes = ids -> reads.read("read " + ids.size() + " audit tree nodes", connection -> nodes.read(connection, ids));
    }

    @Override
    public long treeSize() {
        return reads.read("read the audit tree size", nodes::treeSize);
    }

    @Override
    public HashReader hashes() {
        return hashes;
    }

    @Override
    public byte[] root(long size) {
        return new TreeReader(hashes).rootAt(size);
    }

    @Override
    public Optional<StoredCheckpoint> latestCheckpoint() {
        return reads.read("read the latest audit checkpoint", checkpoints::latest);
    }

    @Override
    public void eachCheckpoint(Consumer<StoredCheckpoint> sink) {
        requireNonNull(sink, "sink is null");
        reads.read("read the audit checkpoints", connection -> {
            checkpoints.each(connection, sink);
            return null;
        });
    }

    @Override
    public boolean addCheckpoint(StoredCheckpoint checkpoint) {
        requireNonNull(checkpoint, "checkpoint is null");
        // The tree only grows and its nodes never change, so no lock is needed to check the root.
        return reads.read("keep the audit checkpoint of size " + checkpoint.size(), connection -> {
            long size = nodes.treeSize(connection);
            if (checkpoint.size() > size) {
                throw new IllegalArgumentException("checkpoint of size " + checkpoint.size() + " is beyond the audit tree's size " + size);
            }
            byte[] root = new TreeReader(nodes.reader(connection)).rootAt(checkpoint.size());
            if (!MessageDigest.isEqual(root, checkpoint.root())) {
                throw new IllegalArgumentException("checkpoint of size " + checkpoint.size() + " has another root than the audit tree");
            }
            return checkpoints.insert(connection, checkpoint);
        });
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
