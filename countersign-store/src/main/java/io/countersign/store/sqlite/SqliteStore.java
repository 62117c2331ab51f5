package io.countersign.store.sqlite;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import io.countersign.breaker.TrippedBreaker;
import io.countersign.identity.StoredCredential;
import io.countersign.identity.Suspension;
import io.countersign.store.AuditLeafSink;
import io.countersign.store.EntryMacs;
import io.countersign.store.GatewayStore;
import io.countersign.store.StoreException;
import io.countersign.store.internal.RequestCodec;
import io.countersign.store.sql.AuditTable;
import io.countersign.store.sql.BreakerTable;
import io.countersign.store.sql.CredentialTable;
import io.countersign.store.sql.OutboxTable;
import io.countersign.store.sql.RequestTable;
import io.countersign.store.sql.SqlCall;
import io.countersign.store.sql.SqlOutbox;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.Transaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The embedded store: one SQLite file, {@code countersign.db} in the data directory.
 *
 * <p>Writes ({@link #transact}, {@link #create}) go through one writer thread that commits the
 * work of concurrent callers together, one fsync per batch; each returns once its batch is
 * durable. Reads go to a small pool of read-only connections and never wait for the writer.
 *
 * <p>Errors of the database surface as {@link StoreException}; a write that fails keeps nothing.
 * Other processes may open the same file (the command line does), though one server per file is
 * the intended setup.
 */
public final class SqliteStore implements GatewayStore {

    private final Path file;
    private final GroupCommitWriter writer;
    private final HikariDataSource readers;
    private final RequestTable requests;
    private final AuditTable audit;
    private final CredentialTable credentials;
    private final SqliteAuditLog auditLog;
    private final SqlOutbox outbox;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SqliteStore(
            Path file, GroupCommitWriter writer, HikariDataSource readers, RequestCodec codec, EntryMacs macs) {
        this.file = file;
        this.audit = new AuditTable(macs);
        this.writer = writer;
        this.readers = readers;
        this.requests = new RequestTable(codec);
        this.credentials = new CredentialTable(codec);
        this.auditLog = new SqliteAuditLog(this::read, writer, audit);
        this.outbox = new SqlOutbox(
                new SqlOutbox.Runner() {
                    @Override
                    public <T> T write(String operation, SqlCall<T> call) {
                        requireOpen();
                        return writer.submit(batch -> batch.sql(operation, call));
                    }

                    @Override
                    public <T> T read(String operation, SqlCall<T> call) {
                        return SqliteStore.this.read(operation, call);
                    }
                },
                OutboxTable.sqlite());
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
            return new SqliteStore(file, writer, SqliteFiles.openReaders(file), new RequestCodec(), macs);
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
        return writer.submit(batch -> {
            SqliteTransaction transaction = new SqliteTransaction(batch, requests, audit, credentials);
            try {
                return work.apply(transaction);
            } finally {
                transaction.end();
            }
        });
    }

    @Override
    public Optional<ApprovalRequest> find(RequestId id) {
        requireNonNull(id, "id is null");
        return read("find request " + id, connection -> requests.find(connection, id));
    }

    @Override
    public List<ApprovalRequest> findPending() {
        return read("find pending requests", requests::findPending);
    }

    @Override
    public List<ApprovalRequest> requestsCreatedBetween(Instant from, Instant to) {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        return read(
                "find requests created in [" + from + ", " + to + ")",
                connection -> requests.findCreatedBetween(connection, from, to));
    }

    /** {@inheritDoc} Soonest expiry first. */
    @Override
    public List<ApprovalRequest> findExpired(Instant now) {
        requireNonNull(now, "now is null");
        return read("find requests expired at " + now, connection -> requests.findExpired(connection, now));
    }

    /** Durable when it returns, like a transaction. */
    @Override
    public void create(StoredCredential credential) {
        requireNonNull(credential, "credential is null");
        requireOpen();
        writer.submit(batch ->
                batch.sql("create credential for " + credential.principal().auditName(), connection -> {
                    credentials.insert(connection, credential);
                    return null;
                }));
    }

    @Override
    public Optional<StoredCredential> findByTokenId(String tokenId) {
        requireNonNull(tokenId, "tokenId is null");
        return read("find credential '" + tokenId + "'", connection -> credentials.findByTokenId(connection, tokenId));
    }

    @Override
    public List<StoredCredential> list() {
        return read("list credentials", credentials::list);
    }

    /** Durable when it returns. */
    @Override
    public int revokeAgent(String name, Instant at) {
        requireNonNull(name, "name is null");
        requireNonNull(at, "at is null");
        requireOpen();
        return writer.submit(batch -> batch.sql(
                "revoke the keys of agent '" + name + "'",
                connection -> credentials.revokeAgent(connection, name, at)));
    }

    @Override
    public int revokeHuman(String name, Instant at) {
        requireNonNull(name, "name is null");
        requireNonNull(at, "at is null");
        requireOpen();
        return writer.submit(batch -> batch.sql(
                "revoke the tokens of human '" + name + "'",
                connection -> credentials.revokeHuman(connection, name, at)));
    }

    @Override
    public int changeHumanGroups(String name, java.util.Set<String> groups) {
        requireNonNull(name, "name is null");
        java.util.Set<String> copy = java.util.Set.copyOf(groups);
        requireOpen();
        return writer.submit(batch -> batch.sql(
                "change the groups of human '" + name + "'",
                connection -> credentials.changeHumanGroups(connection, name, copy)));
    }

    @Override
    public void touch(String tokenId, Instant at) {
        requireNonNull(tokenId, "tokenId is null");
        requireNonNull(at, "at is null");
        requireOpen();
        writer.submit(batch -> batch.sql("record the use of credential '" + tokenId + "'", connection -> {
            credentials.touch(connection, tokenId, at);
            return null;
        }));
    }

    @Override
    public Optional<Suspension> suspensionOf(String agentName) {
        requireNonNull(agentName, "agentName is null");
        return read(
                "find the suspension of agent '" + agentName + "'",
                connection -> credentials.findSuspension(connection, agentName));
    }

    /** Durable when it returns. */
    @Override
    public boolean suspend(Suspension suspension) {
        requireNonNull(suspension, "suspension is null");
        requireOpen();
        return writer.submit(batch -> batch.sql(
                "suspend agent '" + suspension.agent() + "'",
                connection -> credentials.suspend(connection, suspension)));
    }

    /** Durable when it returns. */
    @Override
    public boolean resume(String agentName) {
        requireNonNull(agentName, "agentName is null");
        requireOpen();
        return writer.submit(batch ->
                batch.sql("resume agent '" + agentName + "'", connection -> credentials.resume(connection, agentName)));
    }

    @Override
    public List<Suspension> suspended() {
        return read("list suspended agents", credentials::suspensions);
    }

    /** The number of committed audit entries; entry sequence numbers are 0 to size - 1. */
    @Override
    public long auditSize() {
        return read("read the audit log size", audit::size);
    }

    /**
     * The leaf bytes of audit entries [start, end), at most {@link #MAX_LEAVES_PER_READ} of them.
     *
     * @throws IllegalArgumentException when the range is malformed, too long, or reaches past the log's end
     */
    @Override
    public List<byte[]> auditLeaves(long start, long end) {
        return read(
                "read audit entries [" + start + ", " + end + ")", connection -> audit.leaves(connection, start, end));
    }

    /**
     * Hands the leaves of audit entries [start, end) to {@code sink} in order, from one consistent
     * snapshot, without a size limit: for exports and offline verification. Holding the snapshot
     * keeps the write-ahead log from being folded back into the file until the export is done.
     *
     * @throws IllegalArgumentException when the range is malformed or reaches past the log's end
     * @throws IOException when the sink throws it
     */
    @Override
    public void exportAudit(long start, long end, AuditLeafSink sink) throws IOException {
        requireNonNull(sink, "sink is null");
        try {
            read("export audit entries [" + start + ", " + end + ")", connection -> {
                try {
                    audit.stream(connection, start, end, sink);
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // crosses the lambda; unwrapped just below
                }
                return null;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The audit log's Merkle tree and signed checkpoints. */
    @Override
    public SqliteAuditLog audit() {
        return auditLog;
    }

    @Override
    public SqlOutbox outbox() {
        return outbox;
    }

    @Override
    public List<TrippedBreaker> trippedBreakers() {
        return read("list tripped breakers", BreakerTable::list);
    }

    @Override
    public List<io.countersign.insights.Dismissal> dismissals() {
        return read("list insight dismissals", io.countersign.store.sql.DismissalTable::list);
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
        if (closed.compareAndSet(false, true)) {
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

    private <T> T read(String operation, SqlCall<T> call) {
        requireOpen();
        try (Connection connection = readers.getConnection()) {
            return call.run(connection);
        } catch (SQLException e) {
            throw new StoreException(operation + " in " + file + " failed: " + e.getMessage(), e);
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the store " + file + " is closed");
        }
    }

    private static void closeQuietly(Connection connection, Exception failure) {
        try {
            connection.close();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }
}
