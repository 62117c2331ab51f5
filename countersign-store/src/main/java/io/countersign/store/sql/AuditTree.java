package io.countersign.store.sql;

import io.countersign.store.StoreException;
import io.countersign.tlog.tree.CompactRange;
import io.countersign.tlog.tree.TreeAppend;
import io.countersign.tlog.tree.TreeHasher;
import io.countersign.tlog.tree.TreeWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's side of the audit log's Merkle tree: hashes the entries each batch appends and,
 * just before the batch commits, inserts the tree nodes they complete, so entries and tree are
 * durable together, with the batch's one fsync.
 *
 * <p>The tree's right border ({@link CompactRange}, one hash per set bit of the size) stays in
 * memory between batches, so an append reads nothing. It is checked against the number of
 * entries at the start of every batch, under the write lock: when another process (the command
 * line) appended since, or a failed batch left it unsure, it is read again from the stored
 * nodes. Writer thread only.
 */
public final class AuditTree {
    private static final Logger LOG = LoggerFactory.getLogger(AuditTree.class);
    private static final int CATCH_UP_CHUNK = 10_000;

    private final AuditNodeTable nodes = new AuditNodeTable();
    private final TreeHasher hasher = TreeHasher.create();
    private final List<byte[]> pending = new ArrayList<>();
    private @Nullable CompactRange border; // the committed tree's border; null when it must be read again
    private long batchStart;

    /**
     * Starts a batch whose first entry gets {@code entries} as sequence number, and makes sure
     * the tree covers exactly the entries before it.
     *
     * @throws StoreException when the stored tree is larger than the log: entries were removed
     *     outside Countersign, and appending would hide it
     */
    public void begin(Connection connection, long entries) throws SQLException {
        pending.clear();
        batchStart = entries;
        if (border == null || border.size() != entries) {
            border = load(connection, entries);
        }
    }

    /** Entry {@code seq} with these leaf bytes was inserted in the running batch. */
    public void appended(long seq, byte[] leaf) {
        if (seq != batchStart + pending.size()) {
            throw new IllegalStateException(
                    "bug: audit entry " + seq + " appended, want " + (batchStart + pending.size()));
        }
        pending.add(hasher.hashLeaf(leaf));
    }

    /** A savepoint was rolled back: entries from {@code seq} on are gone again. */
    public void discardFrom(long seq) {
        int keep = (int) (seq - batchStart);
        if (keep < pending.size()) {
            pending.subList(keep, pending.size()).clear();
        }
    }

    /**
     * Inserts the nodes of this batch's entries; the returned border takes effect only through
     * {@link #committed}, once COMMIT succeeded. Null when the batch appended nothing.
     */
    public @Nullable CompactRange write(Connection connection) throws SQLException {
        if (pending.isEmpty()) {
            return null;
        }
        CompactRange committed = border;
        if (committed == null) {
            throw new IllegalStateException("bug: the audit tree was written outside a batch (begin was not called)");
        }
        CompactRange next = committed.copy();
        TreeAppend append = TreeWriter.append(next, pending);
        nodes.insert(connection, append.nodes());
        return next;
    }

    /** COMMIT succeeded: {@code next}, what {@link #write} returned (null when nothing was appended), takes effect. */
    public void committed(@Nullable CompactRange next) {
        if (next != null) {
            border = next;
        }
        pending.clear();
    }

    /** The batch was rolled back: what this object knows about the disk may be wrong now. */
    public void abandon() {
        border = null;
        pending.clear();
    }

    private CompactRange load(Connection connection, long entries) throws SQLException {
        long treeSize = nodes.treeSize(connection);
        if (treeSize > entries) {
            throw new StoreException("the audit tree covers " + treeSize + " entries but the log has only " + entries
                    + ": entries were removed outside Countersign. Writes are refused; run 'countersign audit verify'");
        }
        CompactRange range = CompactRange.load(nodes.reader(connection), treeSize);
        if (treeSize < entries) {
            catchUp(connection, range, entries);
        }
        return range;
    }

    /**
     * Adds the nodes of entries the tree does not cover yet: entries written before schema 2
     * (SQL can't hash, so the migration leaves it to the first write). Runs in the batch's
     * transaction; if the batch fails, the next one does it again.
     */
    private void catchUp(Connection connection, CompactRange range, long entries) throws SQLException {
        long from = range.size();
        LOG.info("adding the Merkle tree nodes of audit entries [{}, {})", from, entries);
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT seq, leaf FROM audit_entries WHERE seq >= ? AND seq < ? ORDER BY seq")) {
            for (long start = from; start < entries; start += CATCH_UP_CHUNK) {
                long end = Math.min(entries, start + CATCH_UP_CHUNK);
                select.setLong(1, start);
                select.setLong(2, end);
                List<byte[]> hashes = new ArrayList<>((int) (end - start));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long seq = rows.getLong(1);
                        if (seq != start + hashes.size()) {
                            throw new StoreException("the audit log has no entry " + (start + hashes.size())
                                    + "; the database was modified outside Countersign");
                        }
                        hashes.add(hasher.hashLeaf(rows.getBytes(2)));
                    }
                }
                if (hashes.size() != end - start) {
                    throw new StoreException("the audit log has no entry " + (start + hashes.size())
                            + "; the database was modified outside Countersign");
                }
                nodes.insert(connection, TreeWriter.append(range, hashes).nodes());
            }
        }
    }
}
