package io.countersign.store.sqlite;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import io.countersign.store.EntryMacs;
import io.countersign.store.StoreException;
import io.countersign.store.internal.RequestCodec;
import io.countersign.store.sql.OutboxTable;
import io.countersign.store.sql.SqlCall;
import io.countersign.store.sql.SqlGatewayStore;
import io.countersign.store.sql.SqlTables;
import io.countersign.workflow.Transaction;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;

/**
 * The embedded store: one SQLite file, {@code countersign.db} in the data directory. The reads
 * and the writes outside {@code transact} are {@link SqlGatewayStore}'s; this class holds the
 * connections, the writer and the transactions.
 *
 * <p>Writes ({@link #transact}, {@link #create}) go through one writer thread that commits the
 * work of concurrent callers together, one fsync per batch; each returns once its batch is
 * durable. Reads go to a small pool of read-only connections and never wait for the writer.
 *
 * <p>Errors of the database surface as {@link StoreException}; a write that fails keeps nothing.
 * Other processes may open the same file (the command line does), though one server per file is
 * the intended setup.
 */
public final class SqliteStore extends SqlGatewayStore {

    private final Path file;
    private final GroupCommitWriter writer;
    private final HikariDataSource readers;
    private final SqliteAuditLog auditLog;

    private SqliteStore(Path file, GroupCommitWriter writer, HikariDataSource readers, SqlTables tables) {
        super(tables, OutboxTable.sqlite());
        this.file = file;
        this.writer = writer;
        this.readers = readers;
        this.auditLog = new SqliteAuditLog(this::read, writer, tables.audit());
    }

    /**
     * Opens the store in {@code dataDirectory}, creating the directory and the database if needed
     * and bringing the schema up to date.
     *
     * @throws StoreException when the directory or the database can't be opened or migrated
     */
    public static SqliteStore open(Path dataDirectory) {
        return open(dataDirectory, GroupCommitWriter.DEFAULT_MAX_BATCH);
    }

    /**
     * With batches of at most {@code maxBatch} transactions; 1 turns group commit off. For
     * measurements: {@link #open(Path)} is what a gateway uses.
     */
    public static SqliteStore open(Path dataDirectory, int maxBatch) {
        requireNonNull(dataDirectory, "dataDirectory is null");
        Path file = SqliteFiles.prepare(dataDirectory);
        SqliteFiles.migrate(file);
        EntryMacs macs = EntryMacs.inDataFolder(dataDirectory);
        Connection connection = null;
        GroupCommitWriter writer = null;
        try {
            connection = SqliteFiles.openWriter(file);
            writer = GroupCommitWriter.start(connection, file.toString(), maxBatch);
            return new SqliteStore(file, writer, SqliteFiles.openReaders(file), SqlTables.of(new RequestCodec(), macs));
        } catch (SQLException | RuntimeException e) {
            if (writer != null) {
                writer.close();
            } else if (connection != null) {
                closeQuietly(connection, e);
            }
            if (e instanceof StoreException storeException) {
                throw storeException;
            }
            throw new StoreException("opening " + file + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The work runs on the writer thread, in a savepoint of a batch shared with other callers.
     * It must be short and must not wait for anything, nor call {@code transact} itself (that
     * fails at once with {@link IllegalStateException}); the transaction must not outlive it.
     */
    @Override
    public <T> T transact(Function<Transaction, T> work) {
        requireNonNull(work, "work is null");
        requireOpen();
        SqlTables tables = tables();
        return writer.submit(batch -> {
            SqliteTransaction transaction = new SqliteTransaction(batch, tables);
            try {
                return work.apply(transaction);
            } finally {
                transaction.end();
            }
        });
    }

    /** The audit log's Merkle tree and signed checkpoints. */
    @Override
    public SqliteAuditLog audit() {
        return auditLog;
    }

    @Override
    public String describe() {
        return file.toString();
    }

    /** The database file, for messages and the command line. */
    public Path file() {
        return file;
    }

    /** Runs every write queued so far, then closes the connections. Later calls do nothing. */
    @Override
    public void close() {
        if (writer.isWriterThread()) {
            // Checked before anything is marked closed: the writer can't wait for itself to finish.
            throw new IllegalStateException(
                    "the store was closed from inside a transaction's work; close it after transact returns");
        }
        if (markClosed()) {
            try {
                writer.close();
            } finally {
                readers.close();
            }
        }
    }

    /** How many batches the writer committed; for tests that check transactions share commits. */
    long batchesCommitted() {
        return writer.batchesCommitted();
    }

    /** How many transactions wait for the writer; for tests that line up a batch. */
    int queuedTransactions() {
        return writer.queued();
    }

    /** A pooled read-only connection; reads never wait for the writer. */
    @Override
    protected <T> T read(String operation, SqlCall<T> call) {
        requireOpen();
        try (Connection connection = readers.getConnection()) {
            return call.run(connection);
        } catch (SQLException e) {
            throw new StoreException(operation + " in " + file + " failed: " + e.getMessage(), e);
        }
    }

    /** A batch of the group-commit writer, like a transaction: durable when it returns. */
    @Override
    protected <T> T write(String operation, SqlCall<T> call) {
        requireOpen();
        return writer.submit(batch -> batch.sql(operation, call));
    }

    private static void closeQuietly(Connection connection, Exception failure) {
        try {
            connection.close();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }
}
