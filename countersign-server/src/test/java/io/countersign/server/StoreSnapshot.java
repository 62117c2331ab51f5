package io.countersign.server;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every row of every table of a data folder's SQLite database, as text, read through its own
 * read-only connection: two snapshots are equal exactly when nothing was written in between.
 * Left out: the checkpoints the background signer adds on its own, and when a credential was
 * last used (authentication records it, whatever the request then does).
 */
final class StoreSnapshot {
    private static final Set<String> SKIPPED_TABLES = Set.of("audit_checkpoints", "flyway_schema_history");
    private static final Set<String> SKIPPED_COLUMNS = Set.of("last_used_at");

    private StoreSnapshot() {}

    static Map<String, List<String>> of(Path dataFolder) {
        Map<String, List<String>> tables = new LinkedHashMap<>();
        try (Connection connection = DriverManager.getConnection(
                        "jdbc:sqlite:file:" + dataFolder.resolve("countersign.db") + "?mode=ro");
                Statement statement = connection.createStatement()) {
            List<String> names = new ArrayList<>();
            try (ResultSet rows =
                    statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            for (String table : names) {
                if (SKIPPED_TABLES.contains(table) || table.startsWith("sqlite_")) {
                    continue;
                }
                List<String> lines = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery("SELECT * FROM \"" + table + "\"")) {
                    ResultSetMetaData meta = rows.getMetaData();
                    while (rows.next()) {
                        StringBuilder line = new StringBuilder();
                        for (int column = 1; column <= meta.getColumnCount(); column++) {
                            if (SKIPPED_COLUMNS.contains(meta.getColumnName(column))) {
                                continue;
                            }
                            Object value = rows.getObject(column);
                            line.append(meta.getColumnName(column))
                                    .append('=')
                                    .append(
                                            value instanceof byte[] bytes
                                                    ? Base64.getEncoder().encodeToString(bytes)
                                                    : String.valueOf(value))
                                    .append(' ');
                        }
                        lines.add(line.toString());
                    }
                }
                lines.sort(null); // some tables have no rowid; as a multiset of rows, order doesn't matter
                tables.put(table, lines);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading " + dataFolder + " failed: " + e.getMessage(), e);
        }
        return tables;
    }

    static long auditSize(Path dataFolder) {
        return of(dataFolder).getOrDefault("audit_entries", List.of()).size();
    }
}
