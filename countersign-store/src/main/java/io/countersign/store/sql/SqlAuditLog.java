package io.countersign.store.sql;

import static java.util.Objects.requireNonNull;

import io.countersign.store.AuditLog;
import io.countersign.store.StoreException;
import io.countersign.store.StoredCheckpoint;
import io.countersign.tlog.tree.HashReader;
import io.countersign.tlog.tree.TreeReader;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * What both stores' audit logs share: reading the Merkle tree and the signed checkpoints, and
 * the check that a checkpoint matches the stored tree before it is kept. How a store gets a
 * connection for writes and snapshot scans, and who signs, stays with each store.
 */
public abstract class SqlAuditLog implements AuditLog {
    /** Runs SQL on a pooled connection, wrapping errors as {@link StoreException}. */
    @FunctionalInterface
    public interface Reads {
        <T> T read(String operation, SqlCall<T> call);
    }

    protected final Reads reads;
    protected final AuditTable entries;
    private final AuditNodeTable nodes = new AuditNodeTable();
    private final AuditCheckpointTable checkpoints = new AuditCheckpointTable();
    protected final AuditCosignatureTable cosignatures = new AuditCosignatureTable();
    private final HashReader hashes;

    protected SqlAuditLog(Reads reads, AuditTable entries) {
        this.reads = requireNonNull(reads, "reads is null");
        this.entries = requireNonNull(entries, "entries is null");
        this.hashes = ids ->
                reads.read("read " + ids.size() + " audit tree nodes", connection -> nodes.read(connection, ids));
    }

    @Override
    public Optional<Long> firstUnauthenticated(long from, long to) {
        return reads.read(
                "check the MACs of audit entries [" + from + ", " + to + ")",
                connection -> entries.firstUnauthenticated(connection, from, to));
    }

    /** The number of entries the Merkle tree covers; equal to the log's size once the writer ran. */
    @Override
    public final long treeSize() {
        return reads.read("read the audit tree size", nodes::treeSize);
    }

    /**
     * The stored tree's nodes, one query per {@link HashReader#readHashes} call: for
     * {@code ProofBuilder} and {@code TreeReader}. Asking for a node beyond the tree throws
     * {@link StoreException}.
     */
    @Override
    public final HashReader hashes() {
        return hashes;
    }

    /** The RFC 6962 root of the first {@code size} entries, from at most 63 stored nodes. */
    @Override
    public final byte[] root(long size) {
        return new TreeReader(hashes).rootAt(size);
    }

    @Override
    public final Optional<StoredCheckpoint> latestCheckpoint() {
        return reads.read("read the latest audit checkpoint", connection -> {
            Optional<StoredCheckpoint> latest = checkpoints.latest(connection);
            if (latest.isEmpty()) {
                return latest;
            }
            return Optional.of(cosigned(
                    latest.get(), cosignatures.lines(connection, latest.get().size())));
        });
    }

    /** Hands every stored checkpoint to {@code sink}, smallest size first, from one snapshot. */
    @Override
    public final void eachCheckpoint(Consumer<StoredCheckpoint> sink) {
        requireNonNull(sink, "sink is null");
        reads.read("read the audit checkpoints", SqlCall.effect(connection -> {
            List<StoredCheckpoint> all = new ArrayList<>();
            checkpoints.each(connection, all::add);
            for (StoredCheckpoint checkpoint : all) {
                sink.accept(cosigned(checkpoint, cosignatures.lines(connection, checkpoint.size())));
            }
        }));
    }

    @Override
    public final OptionalLong latestCosigned(String witness) {
        requireNonNull(witness, "witness is null");
        return reads.read(
                "read the latest cosignature of witness " + witness,
                connection -> cosignatures.latestSize(connection, witness));
    }

    /** The checkpoint's note with the kept cosignature lines appended, each once. */
    private static StoredCheckpoint cosigned(StoredCheckpoint checkpoint, List<String> lines) {
        if (lines.isEmpty()) {
            return checkpoint;
        }
        StringBuilder note = new StringBuilder(checkpoint.note());
        for (String line : lines) {
            if (!checkpoint.note().contains("\n" + line + "\n")) {
                note.append(line).append('\n');
            }
        }
        return new StoredCheckpoint(checkpoint.size(), checkpoint.root(), note.toString(), checkpoint.createdAt());
    }

    /** Keeps a cosignature on {@code connection} when a checkpoint of its size is kept. */
    protected final boolean insertCosignature(
            Connection connection, long size, String witness, String line, java.time.Instant receivedAt)
            throws SQLException {
        if (!checkpoints.exists(connection, size)) {
            throw new IllegalArgumentException("no audit checkpoint of size " + size + " is kept to cosign");
        }
        return cosignatures.insert(connection, size, witness, line, receivedAt);
    }

    /**
     * Keeps a signed checkpoint on {@code connection}. Refused when its root is not this tree's
     * root at its size, or its size is beyond the tree: the store never keeps a checkpoint its
     * own entries contradict.
     *
     * @return false when a checkpoint of that size was already kept (the new one is dropped)
     * @throws IllegalArgumentException when the size or root does not match the tree
     */
    protected final boolean insertMatchingCheckpoint(Connection connection, StoredCheckpoint checkpoint)
            throws SQLException {
        long size = nodes.treeSize(connection);
        if (checkpoint.size() > size) {
            throw new IllegalArgumentException(
                    "checkpoint of size " + checkpoint.size() + " is beyond the audit tree's size " + size);
        }
        byte[] root = new TreeReader(nodes.reader(connection)).rootAt(checkpoint.size());
        if (!MessageDigest.isEqual(root, checkpoint.root())) {
            throw new IllegalArgumentException(
                    "checkpoint of size " + checkpoint.size() + " has another root than the audit tree");
        }
        return checkpoints.insert(connection, checkpoint);
    }
}
