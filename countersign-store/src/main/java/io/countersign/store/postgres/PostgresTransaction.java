package io.countersign.store.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.audit.AuditEvent;
import io.countersign.breaker.TrippedBreaker;
import io.countersign.identity.StoredCredential;
import io.countersign.identity.Suspension;
import io.countersign.outbox.OutboxEvent;
import io.countersign.store.sql.AuditTable;
import io.countersign.store.sql.AuditTree;
import io.countersign.store.sql.BreakerTable;
import io.countersign.store.sql.CredentialTable;
import io.countersign.store.sql.OutboxTable;
import io.countersign.store.sql.RequestTable;
import io.countersign.store.sql.SqlCall;
import io.countersign.store.sql.SqlErrors;
import io.countersign.store.sql.SqlTables;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.Transaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * One caller's work, in a savepoint of the writer's batch (a PostgreSQL transaction that holds the audit lock). Valid only on
 * the calling thread and only while the work runs.
 */
final class PostgresTransaction implements Transaction {
    private final Connection connection;
    private final Thread owner = Thread.currentThread();
    private final RequestTable requests;
    private final AuditTable audit;
    private final AuditTree tree;
    private final Batch batch;
    private final CredentialTable credentials;
    private boolean open = true;

    /** The state of the writer's batch that its transactions share: the next audit sequence number and the tree. */
    static final class Batch {
        private final AuditTree tree;
        private long nextSeq;

        Batch(long nextSeq, AuditTree tree) {
            this.nextSeq = nextSeq;
            this.tree = tree;
        }

        long nextSeq() {
            return nextSeq;
        }

        /** A savepoint was rolled back: its numbers are given back, so the log keeps no gaps, and its leaves leave the tree. */
        void resetSeq(long seq) {
            nextSeq = seq;
            tree.discardFrom(seq);
        }
    }

    PostgresTransaction(Connection connection, SqlTables tables, Batch batch) {
        this.connection = connection;
        this.credentials = tables.credentials();
        this.requests = tables.requests();
        this.audit = tables.audit();
        this.tree = batch.tree;
        this.batch = batch;
    }

    @Override
    public Optional<ApprovalRequest> find(RequestId id) {
        requireNonNull(id, "id is null");
        return sql("find request " + id, c -> requests.find(c, id));
    }

    @Override
    public Optional<ApprovalRequest> findByIdempotencyKey(String agentName, String idempotencyKey) {
        requireNonNull(agentName, "agentName is null");
        requireNonNull(idempotencyKey, "idempotencyKey is null");
        return sql(
                "find agent '" + agentName + "' request by idempotency key",
                c -> requests.findByIdempotencyKey(c, agentName, idempotencyKey));
    }

    @Override
    public void insert(ApprovalRequest request) {
        requireNonNull(request, "request is null");
        sql("insert request " + request.id(), SqlCall.effect(c -> requests.insert(c, request)));
        notifyChange(request);
    }

    @Override
    public void update(ApprovalRequest request) {
        requireNonNull(request, "request is null");
        sql("update request " + request.id(), SqlCall.effect(c -> requests.update(c, request)));
        notifyChange(request);
    }

    @Override
    public long append(AuditEvent event) {
        requireNonNull(event, "event is null");
        long seq = batch.nextSeq;
        byte[] leaf = sql(
                "append audit entry " + seq + " (" + event.type().wireName() + ")", c -> audit.insert(c, seq, event));
        // Taken only once the row is in: a failed append (caught by the work) leaves no gap.
        tree.appended(seq, leaf);
        batch.nextSeq++;
        return seq;
    }

    /**
     * Tells every node (on COMMIT; dropped with the savepoint if the work fails) that the request
     * changed, with its new status, so their long-polls wake.
     */
    private void notifyChange(ApprovalRequest request) {
        sql("notify the change of request " + request.id(), SqlCall.effect(c -> {
            try (PreparedStatement notify =
                    c.prepareStatement("SELECT pg_notify('" + PostgresStore.CHANNEL + "', ?)")) {
                notify.setString(
                        1, request.id().value() + " " + request.status().wireName());
                notify.execute();
            }
        }));
    }

    @Override
    public void enqueue(OutboxEvent event) {
        requireNonNull(event, "event is null");
        sql(
                "enqueue " + event.type().wireName() + " for " + event.channel(),
                SqlCall.effect(connection -> OutboxTable.insert(connection, event)));
    }

    @Override
    public Optional<TrippedBreaker> trippedBreaker(String agent, String breaker) {
        requireNonNull(agent, "agent is null");
        requireNonNull(breaker, "breaker is null");
        return sql(
                "find the trip of breaker '" + breaker + "' for agent " + agent,
                c -> BreakerTable.find(c, agent, breaker));
    }

    @Override
    public boolean tripBreaker(TrippedBreaker tripped) {
        requireNonNull(tripped, "tripped is null");
        return sql(
                "trip breaker '" + tripped.breaker() + "' for agent " + tripped.agent(),
                c -> BreakerTable.trip(c, tripped));
    }

    @Override
    public Optional<TrippedBreaker> resetBreaker(String agent, String breaker) {
        requireNonNull(agent, "agent is null");
        requireNonNull(breaker, "breaker is null");
        return sql("reset breaker '" + breaker + "' for agent " + agent, c -> BreakerTable.reset(c, agent, breaker));
    }

    @Override
    public void createCredential(StoredCredential credential) {
        requireNonNull(credential, "credential is null");
        sql(
                "create credential for " + credential.principal().auditName(),
                SqlCall.effect(c -> credentials.insert(c, credential)));
    }

    @Override
    public int revokeAgent(String agentName, Instant at) {
        requireNonNull(agentName, "agentName is null");
        requireNonNull(at, "at is null");
        return sql("revoke the keys of agent '" + agentName + "'", c -> credentials.revokeAgent(c, agentName, at));
    }

    @Override
    public boolean suspend(Suspension suspension) {
        requireNonNull(suspension, "suspension is null");
        return sql("suspend agent '" + suspension.agent() + "'", c -> credentials.suspend(c, suspension));
    }

    @Override
    public boolean resume(String agentName) {
        requireNonNull(agentName, "agentName is null");
        return sql("resume agent '" + agentName + "'", c -> credentials.resume(c, agentName));
    }

    void end() {
        open = false;
    }

    private <T> T sql(String operation, SqlCall<T> call) {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a transaction was used from thread '"
                    + Thread.currentThread().getName()
                    + "'; only the work it was given to may use it, on the thread that runs the work");
        }
        if (!open) {
            throw new IllegalStateException("a transaction was used after its work returned; keep no reference to it");
        }
        try {
            return call.run(connection);
        } catch (SQLException e) {
            throw SqlErrors.failed(operation, e);
        }
    }

    @Override
    public void dismiss(io.countersign.insights.Dismissal dismissal) {
        requireNonNull(dismissal, "dismissal is null");
        sql(
                "dismiss insight " + dismissal.item(),
                SqlCall.effect(connection -> io.countersign.store.sql.DismissalTable.put(connection, dismissal)));
    }

    @Override
    public boolean restore(String item) {
        requireNonNull(item, "item is null");
        return sql(
                "restore insight " + item,
                connection -> io.countersign.store.sql.DismissalTable.restore(connection, item));
    }
}
