package io.countersign.store.sql;

import io.countersign.audit.AuditEntry;
import io.countersign.audit.AuditEvent;
import io.countersign.store.AuditLeafSink;
import io.countersign.store.EntryMacs;
import io.countersign.store.StoreException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of the append-only {@code audit_entries} table, on a connection the caller owns. Each
 * row holds the exact leaf bytes the Merkle tree hashes; the other columns are for queries.
 */
public final class AuditTable {
    /** The most entries one {@link #leaves} call returns, so one HTTP request can't pull the whole log into memory. */
    public static final int MAX_LEAVES_PER_READ = 10_000;

    private static final String INSERT =
            "INSERT INTO audit_entries (seq, time, type, request_id, leaf, mac) VALUES (?, ?, ?, ?, ?, ?)";

    private final EntryMacs macs;

    /** Storing each new entry with its MAC under {@code macs}' key. */
    public AuditTable(EntryMacs macs) {
        this.macs = java.util.Objects.requireNonNull(macs, "macs is null");
    }

    /** An entry ready to insert: its leaf bytes and MAC are computed, no SQL has run yet. */
    public record Row(long seq, AuditEvent event, byte[] leaf, Optional<byte[]> mac) {}

    /** Entry {@code seq} with its leaf bytes and MAC, to insert later with {@link #insertAll}. */
    public Row row(long seq, AuditEvent event) {
        byte[] leaf = new AuditEntry(seq, event).leaf();
        return new Row(seq, event, leaf, macs.mac(leaf));
    }

    /** Inserts entry {@code seq} with its MAC and returns its leaf bytes. */
    public byte[] insert(Connection connection, long seq, AuditEvent event) throws SQLException {
        Row row = row(seq, event);
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            bind(insert, row);
            insert.executeUpdate();
        }
        return row.leaf();
    }

    /** Inserts {@code rows} in one JDBC batch: one round trip to a database across a network, not one per entry. */
    public void insertAll(Connection connection, List<Row> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (Row row : rows) {
                bind(insert, row);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void bind(PreparedStatement insert, Row row) throws SQLException {
        insert.setLong(1, row.seq());
        insert.setLong(2, row.event().time().toEpochMilli());
        insert.setString(3, row.event().type().wireName());
        if (row.event().requestId().isPresent()) {
            insert.setString(4, row.event().requestId().get());
        } else {
            insert.setNull(4, Types.VARCHAR);
        }
        insert.setBytes(5, row.leaf());
        if (row.mac().isPresent()) {
            insert.setBytes(6, row.mac().get());
        } else {
            insert.setNull(6, Types.BINARY);
        }
    }

    /**
     * The first entry in [from, to) whose stored MAC does not verify under this table's key (a
     * row appended by anyone but a gateway node, or a leaf changed since), or none.
     */
    public Optional<Long> firstUnauthenticated(Connection connection, long from, long to) throws SQLException {
        requireRange(from, to);
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT seq, leaf, mac FROM audit_entries WHERE seq >= ? AND seq < ? ORDER BY seq")) {
            select.setLong(1, from);
            select.setLong(2, to);
            try (ResultSet rows = select.executeQuery()) {
                long expected = from;
                while (rows.next()) {
                    long seq = rows.getLong(1);
                    if (seq != expected || !macs.verifies(rows.getBytes(2), Optional.ofNullable(rows.getBytes(3)))) {
                        return Optional.of(expected);
                    }
                    expected++;
                }
                return expected < to ? Optional.of(expected) : Optional.empty();
            }
        }
    }

    /** The number of entries; sequence numbers start at 0 and have no gaps, so it is the last one plus one. */
    public long size(Connection connection) throws SQLException {
        try (PreparedStatement select =
                        connection.prepareStatement("SELECT COALESCE(MAX(seq) + 1, 0) FROM audit_entries");
                ResultSet rows = select.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The leaves of entries [start, end); every one of them must exist. */
    public List<byte[]> leaves(Connection connection, long start, long end) throws SQLException {
        requireRange(start, end);
        if (end - start > MAX_LEAVES_PER_READ) {
            throw new IllegalArgumentException("entries [" + start + ", " + end + ") are " + (end - start)
                    + ", at most " + MAX_LEAVES_PER_READ + " per read");
        }
        List<byte[]> leaves = new ArrayList<>((int) (end - start));
        this.<RuntimeException>select(connection, start, end, (seq, leaf) -> leaves.add(leaf));
        return leaves;
    }

    /**
     * Hands the leaves of entries [start, end) to the sink in order, from one consistent snapshot
     * (one statement), without holding them all in memory.
     */
    public void stream(Connection connection, long start, long end, AuditLeafSink sink)
            throws SQLException, IOException {
        this.<IOException>select(connection, start, end, sink::accept);
    }

    /**
     * Hands every stored row with {@code seq >= start} to the sink ({@link AuditLeafSink#acceptRow}, with
     * the columns beside the leaf), in sequence order, as stored:
     * no check for gaps or for the log's size. For verifiers, which must see a damaged log as it
     * is rather than an exception.
     */
    public void scan(Connection connection, long start, AuditLeafSink sink) throws SQLException, IOException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT seq, time, type, request_id, leaf, mac FROM audit_entries WHERE seq >= ? ORDER BY seq")) {
            select.setLong(1, start);
            select.setFetchSize(
                    1_000); // PostgreSQL: a cursor inside the caller's transaction, so a sink may stop early cheaply
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    sink.acceptRow(
                            rows.getLong(1),
                            rows.getLong(2),
                            rows.getString(3),
                            Optional.ofNullable(rows.getString(4)),
                            rows.getBytes(5),
                            Optional.ofNullable(rows.getBytes(6)));
                }
            }
        }
    }

    /** What a select hands each row to; X lets the list of leaves throw nothing checked and an export's sink its IOException. */
    @FunctionalInterface
    private interface Rows<X extends Exception> {
        void accept(long seq, byte[] leaf) throws X;
    }

    private <X extends Exception> void select(Connection connection, long start, long end, Rows<X> sink)
            throws SQLException, X {
        requireRange(start, end);
        // Checked first so that a bad range fails before the sink got anything. The log only
        // grows, so entries that exist now still exist for the select below.
        long size = size(connection);
        if (end > size) {
            throw new IllegalArgumentException(
                    "entries [" + start + ", " + end + ") asked for, but the log has " + size);
        }
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT seq, leaf FROM audit_entries WHERE seq >= ? AND seq < ? ORDER BY seq")) {
            select.setLong(1, start);
            select.setLong(2, end);
            long expected = start;
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    long seq = rows.getLong(1);
                    if (seq != expected) {
                        // The writer never leaves gaps; a gap means the file was changed behind our back.
                        throw new StoreException("the audit log has no entry " + expected + " (next stored is " + seq
                                + "); the database was modified outside Countersign");
                    }
                    sink.accept(seq, rows.getBytes(2));
                    expected++;
                }
            }
            if (expected != end) {
                throw new StoreException("the audit log has no entry " + expected + " though it has " + size
                        + " entries; the database was modified outside Countersign");
            }
        }
    }

    private static void requireRange(long start, long end) {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException(
                    "entries [" + start + ", " + end + ") is not a range; want 0 <= start <= end");
        }
    }
}
