package io.countersign.store.sql;

import io.countersign.store.StoredCheckpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/** The SQL of {@code audit_checkpoints}, on a connection the caller owns. */
public final class AuditCheckpointTable {
    private static final String COLUMNS = "SELECT size, root, note, created_at FROM audit_checkpoints";

    /** Inserts unless a checkpoint of that size exists; returns whether it did. */
    public boolean insert(Connection connection, StoredCheckpoint checkpoint) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO audit_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (size) DO NOTHING")) {
            insert.setLong(1, checkpoint.size());
            insert.setBytes(2, checkpoint.root());
            insert.setString(3, checkpoint.note());
            insert.setLong(4, checkpoint.createdAt().toEpochMilli());
            return insert.executeUpdate() == 1;
        }
    }

    public boolean exists(Connection connection, long size) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM audit_checkpoints WHERE size = ?")) {
            select.setLong(1, size);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    public Optional<StoredCheckpoint> latest(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(COLUMNS + " ORDER BY size DESC LIMIT 1");
                ResultSet rows = select.executeQuery()) {
            return rows.next() ? Optional.of(row(rows)) : Optional.empty();
        }
    }

    /** Every checkpoint, smallest size first. */
    public void each(Connection connection, Consumer<StoredCheckpoint> sink) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(COLUMNS + " ORDER BY size");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                sink.accept(row(rows));
            }
        }
    }

    private static StoredCheckpoint row(ResultSet rows) throws SQLException {
        return new StoredCheckpoint(
                rows.getLong(1), rows.getBytes(2), rows.getString(3), Instant.ofEpochMilli(rows.getLong(4)));
    }
}
