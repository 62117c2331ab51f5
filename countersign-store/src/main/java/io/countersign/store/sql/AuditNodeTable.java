package io.countersign.store.sql;

import io.countersign.store.StoreException;
import io.countersign.tlog.tree.HashReader;
import io.countersign.tlog.tree.Node;
import io.countersign.tlog.tree.NodeId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The SQL of {@code audit_nodes}, the stored Merkle tree: every complete node (level, idx, hash),
 * on a connection the caller owns.
 */
public final class AuditNodeTable {
    /** Ids per SELECT; a proof needs about 2 per level, so one query almost always does. */
    private static final int MAX_IDS_PER_QUERY = 250;

    /** The number of leaves in the stored tree: one past the last leaf node (an index seek). */
    public long treeSize(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                        "SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_nodes WHERE level = 0");
                ResultSet rows = select.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    public void insert(Connection connection, List<Node> nodes) throws SQLException {
        if (nodes.isEmpty()) {
            return;
        }
        try (PreparedStatement insert =
                connection.prepareStatement("INSERT INTO audit_nodes (level, idx, hash) VALUES (?, ?, ?)")) {
            for (Node node : nodes) {
                insert.setInt(1, node.id().level());
                insert.setLong(2, node.id().index());
                insert.setBytes(3, node.hash());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** A reader on {@code connection}, for the tree of the transaction running on it. */
    public HashReader reader(Connection connection) {
        return ids -> {
            try {
                return read(connection, ids);
            } catch (SQLException e) {
                throw SqlErrors.failed("reading " + ids.size() + " audit tree nodes", e);
            }
        };
    }

    /**
     * The hashes of {@code ids}, in their order (duplicates allowed), with one query per
     * {@value #MAX_IDS_PER_QUERY} distinct ids.
     *
     * @throws StoreException when a node is not stored: the caller asked beyond the tree, or the
     *     database was modified outside Countersign
     */
    public List<byte[]> read(Connection connection, List<NodeId> ids) throws SQLException {
        List<NodeId> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
        Map<NodeId, byte[]> found = new HashMap<>(2 * distinct.size());
        for (int from = 0; from < distinct.size(); from += MAX_IDS_PER_QUERY) {
            List<NodeId> part = distinct.subList(from, Math.min(distinct.size(), from + MAX_IDS_PER_QUERY));
            // A row-value IN list: SQLite answers it with one primary-key seek per pair.
            StringBuilder sql =
                    new StringBuilder("SELECT level, idx, hash FROM audit_nodes WHERE (level, idx) IN (VALUES ");
            for (int i = 0; i < part.size(); i++) {
                sql.append(i == 0 ? "(?, ?)" : ", (?, ?)");
            }
            sql.append(')');
            try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
                int parameter = 1;
                for (NodeId id : part) {
                    select.setInt(parameter++, id.level());
                    select.setLong(parameter++, id.index());
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        found.put(new NodeId(rows.getInt(1), rows.getLong(2)), rows.getBytes(3));
                    }
                }
            }
        }
        List<byte[]> hashes = new ArrayList<>(ids.size());
        for (NodeId id : ids) {
            byte[] hash = found.get(id);
            if (hash == null) {
                throw new StoreException(
                        "the audit tree has no " + id + "; it was asked beyond the tree's size or the database was"
                                + " modified outside Countersign");
            }
            if (hash.length != 32) {
                throw new StoreException("the audit tree's " + id + " has " + hash.length
                        + " bytes, want 32; the database was modified" + " outside Countersign");
            }
            hashes.add(hash);
        }
        return hashes;
    }
}
