package io.countersign.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.countersign.store.AuditLeafSink;
import io.countersign.store.AuditLog;
import io.countersign.store.StoreException;
import io.countersign.store.sql.AuditCheckpointTable;
import io.countersign.store.sql.AuditNodeTable;
import io.countersign.store.sql.AuditTable;
import io.countersign.store.sql.SqlCall;
import io.countersign.store.StoredCheckpoint;
import io.countersign.tlog.tree.HashReader;
import io.countersign.tlog.tree.TreeReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The audit log's Merkle tree and signed checkpoints in the SQLite store: what the server's
 * proofs, checkpointer and verifier read, and where signed checkpoints are kept. Reads use the
 * store's read-only connections; writes go through its group-commit writer. Thread-safe.
 */
public final class SqliteAuditLog implements AuditLog {
    /** Runs SQL on a pooled read-only connection, wrapping errors as {@link StoreException}. */
    @FunctionalInterface
    interface Reads {
        <T> T read(String operation, SqlCall<T> call);
    }

    private final Reads reads;
    private final GroupCommitWriter writer;
    private final AuditTable entries;
    private final AuditNodeTable nodes = new AuditNodeTable();
    private final AuditCheckpointTable checkpoints = new AuditCheckpointTable();
    private final HashReader hashes;

    SqliteAuditLog(Reads reads, GroupCommitWriter writer, AuditTable entries) {
        this.reads = reads;
        this.writer = writer;
        this.entries = entries;
        this.hashes = ids -> reads.read("read " + ids.size() + " audit tree nodes", connection -> nodes.read(connection, ids));
    }

    /** The number of entries the Merkle tree covers; equal to the log's size once the writer ran. */
    @Override
    public long treeSize() {
        return reads.read("read the audit tree size", nodes::treeSize);
    }

    /**
     * The stored tree's nodes, one query per {@link HashReader#readHashes} call: for
     * {@code ProofBuilder} and {@code TreeReader}. Asking for a node beyond the tree throws
     * {@link StoreException}.
     */
    @Override
    public HashReader hashes() {
        return hashes;
    }

    /** The RFC 6962 root of the first {@code size} entries, from at most 63 stored nodes. */
    @Override
    public byte[] root(long size) {
        return new TreeReader(hashes).rootAt(size);
    }

    @Override
    public Optional<StoredCheckpoint> latestCheckpoint() {
        return reads.read("read the latest audit checkpoint", checkpoints::latest);
    }

    /** Hands every stored checkpoint to {@code sink}, smallest size first, from one snapshot. */
    @Override
    public void eachCheckpoint(Consumer<StoredCheckpoint> sink) {
        requireNonNull(sink, "sink is null");
        reads.read("read the audit checkpoints", connection -> {
            checkpoints.each(connection, sink);
            return null;
        });
    }

    /**
     * Keeps a signed checkpoint, durably when this returns. Refused when its root is not this
     * tree's root at its size, or its size is beyond the tree: the store never keeps a checkpoint
     * its own entries contradict.
     *
     * @return false when a checkpoint of that size was already kept (the new one is dropped)
     * @throws IllegalArgumentException when the size or root does not match the tree
     */
    @Override
    public boolean addCheckpoint(StoredCheckpoint checkpoint) {
        requireNonNull(checkpoint, "checkpoint is null");
        return writer.submit(batch -> batch.sql("keep the audit checkpoint of size " + checkpoint.size(), connection -> {
            long size = nodes.treeSize(connection);
            if (checkpoint.size() > size) {
                throw new IllegalArgumentException("checkpoint of size " + checkpoint.size() + " is beyond the audit tree's size " + size);
            }
            byte[] root = new TreeReader(nodes.reader(connection)).rootAt(checkpoint.size());
            if (!MessageDigest.isEqual(root, checkpoint.root())) {
                throw new IllegalArgumentException("checkpoint of size " + checkpoint.size() + " has another root than the audit tree");
            }
            return checkpoints.insert(connection, checkpoint);
        }));
    }

    /**
     * Hands every stored entry with {@code seq >= start} to {@code sink} in sequence order, from
     * one snapshot, exactly as stored: no check for gaps, so that a verifier sees a damaged log
     * as it is.
     *
     * @throws IOException when the sink throws it
     */
    @Override
    public void scanEntries(long start, AuditLeafSink sink) throws IOException {
        requireNonNull(sink, "sink is null");
        try {
            reads.read("scan audit entries from " + start, connection -> {
                try {
                    entries.scan(connection, start, sink);
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // crosses the lambda; unwrapped just below
                }
                return null;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
