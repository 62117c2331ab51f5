package io.countersign.store.postgres;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.countersign.store.AuditLog;
import io.countersign.store.EntryMacs;
import io.countersign.store.StoreException;
import io.countersign.store.internal.RequestCodec;
import io.countersign.store.sql.OutboxTable;
import io.countersign.store.sql.SqlCall;
import io.countersign.store.sql.SqlErrors;
import io.countersign.store.sql.SqlGatewayStore;
import io.countersign.store.sql.SqlTables;
import io.countersign.workflow.RequestListener;
import io.countersign.workflow.Transaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;

/**
 * The store of several gateway nodes: one PostgreSQL database they share.
 *
 * <p>{@link #transact} runs on this node's group-commit writer ({@link PostgresWriter}): the work
 * of concurrent callers shares one PostgreSQL transaction, each in a savepoint. That transaction
 * first takes a transaction-level advisory lock, the audit lock, held until COMMIT. So the writes
 * of all nodes are serialized
 * (which is what the {@link io.countersign.workflow.Store} contract asks for requests, and more),
 * audit sequence numbers are read as {@code max(seq) + 1} under the lock and have no gap and no
 * duplicate across nodes, and the Merkle nodes of a transaction's entries are written in it.
 * COMMIT returns once the WAL is flushed ({@code synchronous_commit = on}, set on every
 * connection). A transaction also sends {@code NOTIFY countersign_requests} for every request
 * it wrote, delivered to the nodes only once it committed.
 *
 * <p>Reads, and writes outside {@code transact} (credentials, suspensions, the outbox), are
 * {@link SqlGatewayStore}'s, each on a pooled connection in autocommit mode.
 *
 * <p>A statement that breaks a constraint only undoes itself (the driver's {@code autosave}), so
 * work that catches the resulting {@link IllegalArgumentException} may go on, as with SQLite.
 */
public final class PostgresStore extends SqlGatewayStore {
    /** The advisory lock key (an arbitrary 64-bit constant) that serializes audit appends. */
    static final long AUDIT_LOCK = 0x436f756e74657201L;
    /** The session advisory lock key of the node that signs checkpoints. */
    static final long SIGNER_LOCK = 0x436f756e74657202L;

    static final String CHANNEL = "countersign_requests";

    private final PostgresSettings settings;
    private final HikariDataSource pool;
    private final PostgresWriter writer;
    private final PostgresAuditLog auditLog;
    private volatile @Nullable NodeListener nodeListener;

    private PostgresStore(PostgresSettings settings, HikariDataSource pool, SqlTables tables) {
        super(tables, OutboxTable.postgres());
        this.settings = settings;
        this.pool = pool;
        this.auditLog = new PostgresAuditLog(this::read, tables.audit(), settings);
        this.writer = new PostgresWriter(settings, tables);
    }

    /**
     * Connects to the database, brings its schema up to date (Flyway, {@code db/migration/postgres})
     * and opens a pool of connections.
     *
     * @throws StoreException when the database can't be reached or migrated
     */
    public static PostgresStore open(PostgresSettings settings) {
        return open(settings, EntryMacs.unkeyed());
    }

    /**
     * As {@link #open(PostgresSettings)}, appending entries with their MAC under {@code macs}'
     * key: how a gateway node opens it, with the key of its data folder ({@link EntryMacs}).
     * Without a key ({@link #open(PostgresSettings)}: reading, migrating), appended entries
     * carry no MAC and no gateway signs past them.
     */
    public static PostgresStore open(PostgresSettings settings, EntryMacs macs) {
        requireNonNull(settings, "settings is null");
        requireNonNull(macs, "macs is null");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.url());
        settings.user().ifPresent(config::setUsername);
        settings.password().ifPresent(config::setPassword);
        config.setPoolName("countersign-postgres");
        config.setMaximumPoolSize(settings.poolSize());
        // A fixed-size pool (Hikari's advice): opening a connection costs a backend fork, which a
        // call waiting at most 1.5 s for one should not have to pay under load.
        config.setMinimumIdle(settings.poolSize());
        // While the database is away a caller learns it within 1.5 s (a 503), rather than queueing for 10.
        config.setConnectionTimeout(1_500);
        config.setValidationTimeout(1_000);
        // Idle connections are checked now and then, and on borrowing after half a second idle
        // (Hikari's default), so one broken by a database restart is replaced, not handed out.
        config.setKeepaliveTime(30_000);
        // Acknowledged means on disk, whatever the server's default (invariant 6); and every
        // statement, lock wait and transaction is bounded on the server's side.
        PostgresSettings.SessionBounds.POOL
                .properties()
                .forEach((key, value) -> config.addDataSourceProperty((String) key, value));
        // A failed statement rolls back to a savepoint taken just before it, not the whole transaction.
        config.addDataSourceProperty("autosave", "always");
        config.addDataSourceProperty("cleanupSavepoints", "true");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("connecting to " + settings.describe() + " failed: " + e.getMessage(), e);
        }
        try {
            Flyway.configure(PostgresStore.class.getClassLoader())
                    .dataSource(pool)
                    .locations("classpath:db/migration/postgres")
                    .failOnMissingLocations(true)
                    .cleanDisabled(true)
                    .loggers("slf4j")
                    .load()
                    .migrate();
            return new PostgresStore(settings, pool, SqlTables.of(new RequestCodec(), macs));
        } catch (RuntimeException e) { // FlywayException among them
            pool.close();
            throw new StoreException(
                    "migrating the schema of " + settings.describe() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The work runs on this node's writer thread, in a savepoint of a batch shared with other
     * callers (see {@link PostgresWriter}). It must be short and must not wait for anything, nor
     * call {@code transact} itself (that fails at once with {@link IllegalStateException}).
     */
    @Override
    public <T> T transact(Function<Transaction, T> work) {
        requireNonNull(work, "work is null");
        requireOpen();
        return writer.submit(work);
    }

    @Override
    public AuditLog audit() {
        return auditLog;
    }

    @Override
    public String describe() {
        return settings.describe();
    }

    /**
     * Starts listening for {@code NOTIFY countersign_requests} on a connection of its own: every
     * request another node (or this one) decided is read and handed to {@code listener}. Once
     * per store.
     */
    @Override
    public synchronized void listenForOtherNodes(RequestListener listener) {
        requireNonNull(listener, "listener is null");
        requireOpen();
        if (nodeListener != null) {
            throw new IllegalStateException("the store already has a listener for other nodes");
        }
        nodeListener = NodeListener.start(settings, id -> find(id), listener);
    }

    /** Stops the listener and the signer lock, then closes the pool. Later calls do nothing. */
    @Override
    public void close() {
        if (writer.isWriterThread()) {
            throw new IllegalStateException(
                    "the store was closed from inside a transaction's work; close it after transact returns");
        }
        if (markClosed()) {
            try {
                writer.close();
                NodeListener listening = nodeListener;
                if (listening != null) {
                    listening.close();
                }
                auditLog.close();
            } finally {
                pool.close();
            }
        }
    }

    /** A pooled connection answers a round trip within a second (the pool waits at most 1.5 s for one). */
    @Override
    public boolean reachable() {
        try {
            return read("check the database is reachable", connection -> connection.isValid(1));
        } catch (StoreException e) {
            return false;
        }
    }

    /** A server setting as a pooled connection sees it; for tests. */
    String setting(String name) {
        return read("show " + name, connection -> {
            try (PreparedStatement show = connection.prepareStatement("SELECT current_setting(?)")) {
                show.setString(1, name);
                try (java.sql.ResultSet rows = show.executeQuery()) {
                    rows.next();
                    return rows.getString(1);
                }
            }
        });
    }

    /** A pooled connection in autocommit mode. */
    @Override
    protected <T> T read(String operation, SqlCall<T> call) {
        requireOpen();
        try (Connection connection = pool.getConnection()) {
            return call.run(connection);
        } catch (SQLException e) {
            throw SqlErrors.failed(operation + " in " + settings.describe(), e);
        }
    }

    /**
     * One autocommitted statement on a pooled connection, durable at its COMMIT
     * ({@code synchronous_commit = on}); an outbox claim locks its rows (SKIP LOCKED) only while
     * it runs.
     */
    @Override
    protected <T> T write(String operation, SqlCall<T> call) {
        return read(operation, call);
    }

    /** In a transaction, so that the driver fetches the rows in chunks instead of all at once. */
    @Override
    protected <T> T readSnapshot(String operation, SqlCall<T> call) {
        return read(operation, connection -> {
            connection.setAutoCommit(false);
            try {
                return call.run(connection);
            } finally {
                connection.rollback();
            }
        });
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
