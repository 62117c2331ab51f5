package io.countersign.store.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.store.StoreException;
import io.countersign.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies a SQLite store into an empty PostgreSQL database, row for row: requests and votes,
 * the audit entries with their Merkle nodes and signed checkpoints, credentials,
 * suspensions and tripped breakers. The audit leaves are bytes copied as they are, so the trees, roots and the
 * checkpoints' signatures are the same on both sides. One PostgreSQL transaction: all or
 * nothing. The SQLite store is brought up to the current schema first and only read.
 */
public final class SqliteToPostgres {
    /** In dependency order (votes refer to requests); every table of the schema, so nothing stays behind. */
    static final List<String> TABLES = List.of(
            "requests",
            "votes",
            "audit_entries",
            "audit_nodes",
            "audit_checkpoints",
            "audit_cosignatures",
            "credentials",
            "agent_suspensions",
            "outbox",
            "channel_messages",
            "breaker_trips",
            "insight_dismissals");

    private SqliteToPostgres() {}

    /**
     * @param dataDirectory the SQLite store's data folder (holding {@code countersign.db})
     * @return the number of rows copied per table, in copy order
     * @throws IllegalStateException when the target already holds requests, audit entries or credentials
     */
    public static Map<String, Long> copy(Path dataDirectory, PostgresSettings target) {
        requireNonNull(dataDirectory, "dataDirectory is null");
        requireNonNull(target, "target is null");
        Path file;
        try (SqliteStore source = SqliteStore.open(dataDirectory)) { // migrates the source to the current schema
            file = source.file();
        }
        PostgresStore.open(target).close(); // creates the target's schema
        Map<String, Long> copied = new LinkedHashMap<>();
        try (Connection from = DriverManager.getConnection("jdbc:sqlite:" + file);
                Connection to = target.connect()) {
            from.setAutoCommit(false); // one read transaction: one snapshot of every table
            to.setAutoCommit(false);
            PostgresStore.execute(to, "SET synchronous_commit = on");
            for (String table : TABLES) {
                if (!table.equals("votes")
                        && !table.equals("audit_nodes")
                        && !table.equals("audit_checkpoints")
                        && !table.equals("audit_cosignatures")
                        && count(to, table) > 0) {
                    throw new IllegalStateException("the target database " + target.describe() + " already has rows in "
                            + table + "; migrate into an empty database");
                }
            }
            for (String table : TABLES) {
                copied.put(table, TableCopy.copy(from, to, table));
            }
            // The ids were copied as they were; new deliveries continue after them.
            try (Statement sequence = to.createStatement()) {
                sequence.execute(
                        "SELECT setval(pg_get_serial_sequence('outbox', 'id'), coalesce(max(id), 0) + 1, false) FROM outbox");
            }
            to.commit();
            from.rollback();
        } catch (SQLException e) {
            throw new StoreException("copying " + file + " to " + target.describe() + " failed: " + e.getMessage(), e);
        }
        return copied;
    }

    private static long count(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
