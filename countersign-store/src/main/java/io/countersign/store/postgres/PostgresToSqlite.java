package io.countersign.store.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.store.StoreException;
import io.countersign.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Copies a PostgreSQL store, as one consistent snapshot, into a new SQLite store: the reverse of
 * {@link SqliteToPostgres}, table for table and row for row, so that a backup of a PostgreSQL store
 * is a SQLite file like a data folder's backup, that verifies offline and restores into either
 * store. The snapshot is one read-only REPEATABLE READ transaction, the one pg_dump takes: gateways
 * keep writing meanwhile and the copy holds no row of a transaction that committed after it began.
 * The audit leaves, nodes and checkpoints are bytes copied as they are, so the tree and the
 * signatures are the same on both sides.
 */
public final class PostgresToSqlite {
    private PostgresToSqlite() {}

    /**
     * @param source the PostgreSQL store to read (only read)
     * @param dataDirectory an empty folder for the new SQLite store ({@code countersign.db} is created there)
     * @return the number of rows copied per table, in copy order
     */
    public static Map<String, Long> copy(PostgresSettings source, Path dataDirectory) {
        requireNonNull(source, "source is null");
        requireNonNull(dataDirectory, "dataDirectory is null");
        if (Files.exists(dataDirectory.resolve("countersign.db"))) {
            throw new IllegalStateException(dataDirectory + " already has a countersign.db; copy into a new folder");
        }
        Path file;
        try (SqliteStore target = SqliteStore.open(dataDirectory)) { // the current schema, empty
            file = target.file();
        }
        Map<String, Long> copied = new LinkedHashMap<>();
        try (Connection from = source.connect();
                Connection to = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            from.setAutoCommit(false);
            from.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            from.setReadOnly(true);
            to.setAutoCommit(false);
            for (String table : SqliteToPostgres.TABLES) {
                copied.put(table, TableCopy.copy(from, to, table));
            }
            to.commit();
            try (Statement checkpoint = to.createStatement()) {
                // Everything into the database file itself: the backup carries that file alone, no -wal beside it.
                checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            from.rollback();
        } catch (SQLException e) {
            throw new StoreException("copying " + source.describe() + " to " + file + " failed: " + e.getMessage(), e);
        }
        return copied;
    }
}
