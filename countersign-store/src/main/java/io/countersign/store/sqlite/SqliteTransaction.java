package io.countersign.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.countersign.audit.AuditEvent;
import io.countersign.breaker.TrippedBreaker;
import io.countersign.identity.StoredCredential;
import io.countersign.identity.Suspension;
import io.countersign.outbox.OutboxEvent;
import io.countersign.store.sql.AuditTable;
import io.countersign.store.sql.BreakerTable;
import io.countersign.store.sql.CredentialTable;
import io.countersign.store.sql.OutboxTable;
import io.countersign.store.sql.RequestTable;
import io.countersign.store.sql.SqlCall;
import io.countersign.store.sql.SqlTables;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.Transaction;
import java.sql.Connection;
import java.time.Instant;
import java.util.Optional;

/**
 * One caller's work inside a write batch. Valid only on the writer thread and only while the
 * work runs: a transaction kept and used later would write outside its savepoint, or from
 * another thread on a connection that isn't meant to be shared.
 */
final class SqliteTransaction implements Transaction {
    private final WriteBatch batch;
    private final RequestTable requests;
    private final AuditTable audit;
    private final CredentialTable credentials;
    private boolean open = true; // writer thread only

    SqliteTransaction(WriteBatch batch, SqlTables tables) {
        this.batch = batch;
        this.requests = tables.requests();
        this.audit = tables.audit();
        this.credentials = tables.credentials();
    }

    @Override
    public Optional<ApprovalRequest> find(RequestId id) {
        requireNonNull(id, "id is null");
        requireUsable();
        return batch.sql("find request " + id, connection -> requests.find(connection, id));
    }

    @Override
    public Optional<ApprovalRequest> findByIdempotencyKey(String agentName, String idempotencyKey) {
        requireNonNull(agentName, "agentName is null");
        requireNonNull(idempotencyKey, "idempotencyKey is null");
        requireUsable();
        return batch.sql(
                "find agent '" + agentName + "' request by idempotency key",
                connection -> requests.findByIdempotencyKey(connection, agentName, idempotencyKey));
    }

    @Override
    public void insert(ApprovalRequest request) {
        requireNonNull(request, "request is null");
        requireUsable();
        batch.sql("insert request " + request.id(), SqlCall.effect(connection -> requests.insert(connection, request)));
    }

    @Override
    public void update(ApprovalRequest request) {
        requireNonNull(request, "request is null");
        requireUsable();
        batch.sql("update request " + request.id(), SqlCall.effect(connection -> requests.update(connection, request)));
    }

    @Override
    public long append(AuditEvent event) {
        requireNonNull(event, "event is null");
        requireUsable();
        long seq = batch.nextSeq();
        byte[] leaf = batch.sql(
                "append audit entry " + seq + " (" + event.type().wireName() + ")",
                connection -> audit.insert(connection, seq, event));
        // Taken only once the row is in: a failed append (caught by the work) leaves no gap.
        batch.appended(leaf);
        return seq;
    }

    @Override
    public void enqueue(OutboxEvent event) {
        requireNonNull(event, "event is null");
        requireUsable();
        batch.sql(
                "enqueue " + event.type().wireName() + " for " + event.channel(),
                SqlCall.effect(connection -> OutboxTable.insert(connection, event)));
    }

    @Override
    public Optional<TrippedBreaker> trippedBreaker(String agent, String breaker) {
        requireNonNull(agent, "agent is null");
        requireNonNull(breaker, "breaker is null");
        requireUsable();
        return batch.sql(
                "find the trip of breaker '" + breaker + "' for agent " + agent,
                connection -> BreakerTable.find(connection, agent, breaker));
    }

    @Override
    public boolean tripBreaker(TrippedBreaker tripped) {
        requireNonNull(tripped, "tripped is null");
        requireUsable();
        return batch.sql(
                "trip breaker '" + tripped.breaker() + "' for agent " + tripped.agent(),
                connection -> BreakerTable.trip(connection, tripped));
    }

    @Override
    public Optional<TrippedBreaker> resetBreaker(String agent, String breaker) {
        requireNonNull(agent, "agent is null");
        requireNonNull(breaker, "breaker is null");
        requireUsable();
        return batch.sql(
                "reset breaker '" + breaker + "' for agent " + agent,
                connection -> BreakerTable.reset(connection, agent, breaker));
    }

    @Override
    public void createCredential(StoredCredential credential) {
        requireNonNull(credential, "credential is null");
        requireUsable();
        batch.sql(
                "create credential for " + credential.principal().auditName(),
                SqlCall.effect(connection -> credentials.insert(connection, credential)));
    }

    @Override
    public int revokeAgent(String agentName, Instant at) {
        requireNonNull(agentName, "agentName is null");
        requireNonNull(at, "at is null");
        requireUsable();
        return batch.sql(
                "revoke the keys of agent '" + agentName + "'",
                connection -> credentials.revokeAgent(connection, agentName, at));
    }

    @Override
    public boolean suspend(Suspension suspension) {
        requireNonNull(suspension, "suspension is null");
        requireUsable();
        return batch.sql(
                "suspend agent '" + suspension.agent() + "'",
                connection -> credentials.suspend(connection, suspension));
    }

    @Override
    public boolean resume(String agentName) {
        requireNonNull(agentName, "agentName is null");
        requireUsable();
        return batch.sql("resume agent '" + agentName + "'", connection -> credentials.resume(connection, agentName));
    }

    void end() {
        open = false;
    }

    /** For tests that need to provoke failures the port can't express, such as a failing COMMIT. */
    Connection connection() {
        requireUsable();
        return batch.connection();
    }

    private void requireUsable() {
        if (!batch.isWriterThread()) {
            throw new IllegalStateException("a transaction was used from thread '"
                    + Thread.currentThread().getName()
                    + "'; only the work it was given to may use it, on the thread that runs the work");
        }
        if (!open) {
            throw new IllegalStateException("a transaction was used after its work returned; keep no reference to it");
        }
    }

    @Override
    public void dismiss(io.countersign.insights.Dismissal dismissal) {
        requireNonNull(dismissal, "dismissal is null");
        requireUsable();
        batch.sql(
                "dismiss insight " + dismissal.item(),
                SqlCall.effect(connection -> io.countersign.store.sql.DismissalTable.put(connection, dismissal)));
    }

    @Override
    public boolean restore(String item) {
        requireNonNull(item, "item is null");
        requireUsable();
        return batch.sql(
                "restore insight " + item,
                connection -> io.countersign.store.sql.DismissalTable.restore(connection, item));
    }
}
