package io.countersign.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** Copies one table's rows, column for column, between the two stores' schemas (which name their columns alike). */
final class TableCopy {
    private static final int BATCH = 1_000;

    private TableCopy() {}

    /** Copies every row of {@code table}; returns how many. Runs inside the callers' transactions. */
    static long copy(Connection from, Connection to, String table) throws SQLException {
        try (Statement select = from.createStatement()) {
            select.setFetchSize(
                    BATCH); // a cursor where the driver has one: a large log is streamed, not held in memory
            try (ResultSet rows = select.executeQuery("SELECT * FROM " + table)) {
                ResultSetMetaData meta = rows.getMetaData();
                List<String> columns = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    columns.add(meta.getColumnName(i));
                }
                String sql = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                        + String.join(", ", columns.stream().map(column -> "?").toList()) + ")";
                long count = 0;
                try (PreparedStatement insert = to.prepareStatement(sql)) {
                    while (rows.next()) {
                        for (int i = 1; i <= columns.size(); i++) {
                            bind(insert, i, rows.getObject(i));
                        }
                        insert.addBatch();
                        if (++count % BATCH == 0) {
                            insert.executeBatch();
                        }
                    }
                    insert.executeBatch();
                }
                return count;
            }
        }
    }

    private static void bind(PreparedStatement insert, int index, Object value) throws SQLException {
        if (value == null) {
            insert.setNull(index, Types.NULL);
        } else if (value instanceof Integer number) {
            // SQLite's INTEGER comes back as Integer or Long; PostgreSQL's BIGINT wants Long.
            insert.setObject(index, number.longValue());
        } else {
            insert.setObject(index, value);
        }
    }
}
