package io.countersign.store.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** The SQL of {@code audit_cosignatures}, on a connection the caller owns. */
public final class AuditCosignatureTable {

    /** Inserts unless the witness has a cosignature for that size; returns whether it did. */
    public boolean insert(Connection connection, long size, String witness, String line, Instant receivedAt)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO audit_cosignatures (size, witness, line, received_at) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (size, witness) DO NOTHING")) {
            insert.setLong(1, size);
            insert.setString(2, witness);
            insert.setString(3, line);
            insert.setLong(4, receivedAt.toEpochMilli());
            return insert.executeUpdate() == 1;
        }
    }

    /** The lines kept for the checkpoint of {@code size}, by witness name. */
    public List<String> lines(Connection connection, long size) throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("SELECT line FROM audit_cosignatures WHERE size = ? ORDER BY witness")) {
            select.setLong(1, size);
            try (ResultSet rows = select.executeQuery()) {
                List<String> lines = new ArrayList<>();
                while (rows.next()) {
                    lines.add(rows.getString(1));
                }
                return lines;
            }
        }
    }

    public OptionalLong latestSize(Connection connection, String witness) throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("SELECT MAX(size) FROM audit_cosignatures WHERE witness = ?")) {
            select.setString(1, witness);
            try (ResultSet rows = select.executeQuery()) {
                if (rows.next()) {
                    long size = rows.getLong(1);
                    return rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(size);
                }
                return OptionalLong.empty();
            }
        }
    }
}
