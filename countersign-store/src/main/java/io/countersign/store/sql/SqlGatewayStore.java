package io.countersign.store.sql;

import static java.util.Objects.requireNonNull;

import io.countersign.breaker.TrippedBreaker;
import io.countersign.identity.StoredCredential;
import io.countersign.identity.Suspension;
import io.countersign.insights.Dismissal;
import io.countersign.store.AuditLeafSink;
import io.countersign.store.GatewayStore;
import io.countersign.store.StoreException;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the SQLite and the PostgreSQL store share: every read and every write outside a
 * transaction is one call to a table of {@link SqlTables}, the same SQL in both dialects. A store
 * supplies only what differs: where a read gets its connection ({@link #read}), where a write
 * outside {@code transact} runs ({@link #write}), a snapshot read for exports
 * ({@link #readSnapshot}), and its transactions, writer, audit log and closing.
 *
 * <p>Writes outside a transaction (credentials, suspensions, the outbox) are durable when they
 * return. Errors of the database surface as {@link StoreException} naming the operation.
 */
public abstract class SqlGatewayStore implements GatewayStore {
    private final SqlTables tables;
    private final SqlOutbox outbox;
    private final CredentialCache credentialCache;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** With {@code outboxTable}, the outbox's SQL in the store's dialect. */
    protected SqlGatewayStore(SqlTables tables, OutboxTable outboxTable) {
        this.tables = requireNonNull(tables, "tables is null");
        this.credentialCache = new CredentialCache(tables.credentials());
        this.outbox = new SqlOutbox(
                new SqlOutbox.Runner() {
                    @Override
                    public <T> T write(String operation, SqlCall<T> call) {
                        return SqlGatewayStore.this.write(operation, call);
                    }

                    @Override
                    public <T> T read(String operation, SqlCall<T> call) {
                        return SqlGatewayStore.this.read(operation, call);
                    }
                },
                outboxTable);
    }

    /**
     * Runs {@code call} on a connection for reads, after {@link #requireOpen}; a failure becomes
     * a {@link StoreException} that names {@code operation} and the database.
     */
    protected abstract <T> T read(String operation, SqlCall<T> call);

    /** Runs {@code call} as one write of its own, durable when this returns, after {@link #requireOpen}. */
    protected abstract <T> T write(String operation, SqlCall<T> call);

    /**
     * Runs {@code call}, which reads many rows, on one consistent snapshot: for exports. As
     * {@link #read} unless the dialect needs more to stream rows.
     */
    protected <T> T readSnapshot(String operation, SqlCall<T> call) {
        return read(operation, call);
    }

    /** The tables this store's reads, writer and transactions go through. */
    protected final SqlTables tables() {
        return tables;
    }

    /** @throws IllegalStateException once the store was closed */
    protected final void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the store " + describe() + " is closed");
        }
    }

    /** Marks the store closed; true for the one call that did, so that it alone releases what the store holds. */
    protected final boolean markClosed() {
        return closed.compareAndSet(false, true);
    }

    @Override
    public final Optional<ApprovalRequest> find(RequestId id) {
        requireNonNull(id, "id is null");
        return read("find request " + id, connection -> tables.requests().find(connection, id));
    }

    @Override
    public final List<ApprovalRequest> findPending() {
        return read("find pending requests", tables.requests()::findPending);
    }

    @Override
    public final List<ApprovalRequest> requestsCreatedBetween(Instant from, Instant to) {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        return read("find requests created in [" + from + ", " + to + ")", connection -> tables.requests()
                .findCreatedBetween(connection, from, to));
    }

    /** {@inheritDoc} Soonest expiry first. */
    @Override
    public final List<ApprovalRequest> findExpired(Instant now) {
        requireNonNull(now, "now is null");
        return read("find requests expired at " + now, connection -> tables.requests()
                .findExpired(connection, now));
    }

    @Override
    public final void create(StoredCredential credential) {
        requireNonNull(credential, "credential is null");
        write(
                "create credential for " + credential.principal().auditName(),
                SqlCall.effect(connection -> tables.credentials().insert(connection, credential)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>From the {@link CredentialCache} while the change counter stands still, so a request
     * reads one counter row instead of the credential; the credential's {@code lastUsedAt} may
     * then lag behind {@link #list()}.
     */
    @Override
    public final Optional<StoredCredential> findByTokenId(String tokenId) {
        requireNonNull(tokenId, "tokenId is null");
        return read("find credential '" + tokenId + "'", connection -> credentialCache.credential(connection, tokenId));
    }

    @Override
    public final List<StoredCredential> list() {
        return read("list credentials", tables.credentials()::list);
    }

    @Override
    public final int revokeAgent(String name, Instant at) {
        requireNonNull(name, "name is null");
        requireNonNull(at, "at is null");
        return write("revoke the keys of agent '" + name + "'", connection -> tables.credentials()
                .revokeAgent(connection, name, at));
    }

    @Override
    public final int revokeHuman(String name, Instant at) {
        requireNonNull(name, "name is null");
        requireNonNull(at, "at is null");
        return write("revoke the tokens of human '" + name + "'", connection -> tables.credentials()
                .revokeHuman(connection, name, at));
    }

    @Override
    public final int changeHumanGroups(String name, Set<String> groups) {
        requireNonNull(name, "name is null");
        Set<String> copy = Set.copyOf(groups);
        return write("change the groups of human '" + name + "'", connection -> tables.credentials()
                .changeHumanGroups(connection, name, copy));
    }

    @Override
    public final void touch(String tokenId, Instant at) {
        requireNonNull(tokenId, "tokenId is null");
        requireNonNull(at, "at is null");
        write("record the use of credential '" + tokenId + "'", SqlCall.effect(connection -> tables.credentials()
                .touch(connection, tokenId, at)));
    }

    /** {@inheritDoc} From the {@link CredentialCache} while the change counter stands still. */
    @Override
    public final Optional<Suspension> suspensionOf(String agentName) {
        requireNonNull(agentName, "agentName is null");
        return read(
                "find the suspension of agent '" + agentName + "'",
                connection -> credentialCache.suspension(connection, agentName));
    }

    /** How many changes to credentials and suspensions the database has counted (schema 11). */
    @Override
    public final long credentialChanges() {
        return read("read the credential change counter", tables.credentials()::changes);
    }

    @Override
    public final boolean suspend(Suspension suspension) {
        requireNonNull(suspension, "suspension is null");
        return write("suspend agent '" + suspension.agent() + "'", connection -> tables.credentials()
                .suspend(connection, suspension));
    }

    @Override
    public final boolean resume(String agentName) {
        requireNonNull(agentName, "agentName is null");
        return write("resume agent '" + agentName + "'", connection -> tables.credentials()
                .resume(connection, agentName));
    }

    @Override
    public final List<Suspension> suspended() {
        return read("list suspended agents", tables.credentials()::suspensions);
    }

    @Override
    public final long auditSize() {
        return read("read the audit log size", tables.audit()::size);
    }

    @Override
    public final List<byte[]> auditLeaves(long start, long end) {
        return read("read audit entries [" + start + ", " + end + ")", connection -> tables.audit()
                .leaves(connection, start, end));
    }

    /**
     * {@inheritDoc}
     *
     * <p>From one snapshot ({@link #readSnapshot}); on SQLite, holding it keeps the write-ahead
     * log from being folded back into the file until the export is done.
     */
    @Override
    public final void exportAudit(long start, long end, AuditLeafSink sink) throws IOException {
        requireNonNull(sink, "sink is null");
        try {
            readSnapshot("export audit entries [" + start + ", " + end + ")", SqlCall.effect(connection -> {
                try {
                    tables.audit().stream(connection, start, end, sink);
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // crosses the lambda; unwrapped just below
                }
            }));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public final SqlOutbox outbox() {
        return outbox;
    }

    @Override
    public final List<TrippedBreaker> trippedBreakers() {
        return read("list tripped breakers", BreakerTable::list);
    }

    @Override
    public final List<Dismissal> dismissals() {
        return read("list insight dismissals", DismissalTable::list);
    }
}
