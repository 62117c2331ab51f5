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
import java.sql.Savepoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One caller's work in the writer's batch (a PostgreSQL transaction that holds the audit lock).
 * Valid only on the calling thread and only while the work runs.
 *
 * <p>Each statement is a round trip to the database, taken while the batch holds the audit lock
 * that every node waits for, so the work issues as few as it can: its audit entries and its
 * notifications are kept in the batch and sent with the batch's just before COMMIT, and the
 * savepoint that lets its work fail alone is set only before its first statement and never
 * released. A work that only appends costs the batch no round trip of its own; one that records
 * a request, two (SAVEPOINT and the INSERT).
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
    private @Nullable Savepoint savepoint; // set before the work's first statement
    private @Nullable SQLException broken; // setting the savepoint failed: the whole batch must fail
    private final int noticesBefore;

    /**
     * The state of the writer's batch that its transactions share: the next audit sequence
     * number, the entries to insert before COMMIT, and the tree.
     */
    static final class Batch {
        private final AuditTree tree;
        private final List<AuditTable.Row> entries = new ArrayList<>();
        private final List<String> notices = new ArrayList<>(); // payloads for the request channel
        private long nextSeq;

        Batch(long nextSeq, AuditTree tree) {
            this.nextSeq = nextSeq;
            this.tree = tree;
        }

        long nextSeq() {
            return nextSeq;
        }

        /**
         * Inserts the entries the batch's works appended (in sequence order) and sends their
         * notifications: two round trips for the whole batch, just before COMMIT.
         */
        void flush(Connection connection, AuditTable audit) throws SQLException {
            audit.insertAll(connection, entries);
            if (!notices.isEmpty()) {
                try (PreparedStatement notify = connection.prepareStatement("SELECT pg_notify('"
                        + PostgresStore.CHANNEL + "', payload) FROM unnest(?::text[]) WITH ORDINALITY AS n (payload, i)"
                        + " ORDER BY i")) {
                    notify.setArray(1, connection.createArrayOf("text", notices.toArray()));
                    notify.execute();
                }
            }
        }

        /** A work failed: its numbers are given back, so the log keeps no gaps; its entries, leaves and notices are dropped. */
        void reset(long seq, int noticesBefore) {
            nextSeq = seq;
            entries.removeIf(row -> row.seq() >= seq);
            notices.subList(noticesBefore, notices.size()).clear();
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
        this.noticesBefore = batch.notices.size();
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
        checkUsable();
        long seq = batch.nextSeq;
        AuditTable.Row row = audit.row(seq, event);
        // Taken only once the row is made: a failed append (caught by the work) leaves no gap.
        batch.entries.add(row);
        tree.appended(seq, row.leaf());
        batch.nextSeq++;
        return seq;
    }

    /**
     * Tells every node (on COMMIT; dropped with the work if it fails) that the request changed,
     * with its new status, so their long-polls wake. Sent with the batch's, just before COMMIT.
     */
    private void notifyChange(ApprovalRequest request) {
        checkUsable();
        batch.notices.add(request.id().value() + " " + request.status().wireName());
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

    /**
     * The work returned: what it did stays in the batch. Throws when its savepoint could not be
     * set. The savepoint is not released: COMMIT releases it, and RELEASE would be one more round
     * trip per caller while the lock is held (the next caller's savepoint nests in it, and is
     * the only one a failure of that caller rolls back to).
     */
    void keep() throws SQLException {
        open = false;
        if (broken != null) {
            throw broken;
        }
    }

    /** The work failed: what it did leaves the batch. Throws when its savepoint could not be set or rolled back to. */
    void undo(long seqBefore) throws SQLException {
        open = false;
        if (broken != null) {
            throw broken;
        }
        if (savepoint != null) {
            connection.rollback(savepoint);
        }
        batch.reset(seqBefore, noticesBefore);
    }

    private <T> T sql(String operation, SqlCall<T> call) {
        checkUsable();
        if (savepoint == null) {
            try {
                savepoint = connection.setSavepoint();
            } catch (SQLException e) {
                broken = e;
                throw SqlErrors.failed(operation, e);
            }
        }
        try {
            return call.run(connection);
        } catch (SQLException e) {
            throw SqlErrors.failed(operation, e);
        }
    }

    private void checkUsable() {
        if (Thread.currentThread() != owner) {
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
