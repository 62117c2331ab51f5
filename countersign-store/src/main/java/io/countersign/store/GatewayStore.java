package io.countersign.store;

import io.countersign.breaker.TrippedBreaker;
import io.countersign.identity.AgentSuspensions;
import io.countersign.identity.CredentialStore;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestListener;
import io.countersign.workflow.Store;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Every port a gateway needs from its database, and the audit log's reads: what both the
 * embedded SQLite store and the PostgreSQL store implement, so the server picks one by config.
 */
public interface GatewayStore extends Store, CredentialStore, AgentSuspensions {
    /** The most leaves {@link #auditLeaves} returns per call. */
    int MAX_LEAVES_PER_READ = io.countersign.store.sql.AuditTable.MAX_LEAVES_PER_READ;

    /** Every request created in [from, to), oldest first, as stored now (with its votes and outcome). */
    List<ApprovalRequest> requestsCreatedBetween(Instant from, Instant to);

    /** The number of committed audit entries; entry sequence numbers are 0 to size - 1. */
    long auditSize();

    /**
     * The leaf bytes of audit entries [start, end), at most {@link #MAX_LEAVES_PER_READ} of them.
     *
     * @throws IllegalArgumentException when the range is malformed, too long, or reaches past the log's end
     */
    List<byte[]> auditLeaves(long start, long end);

    /**
     * Hands the leaves of audit entries [start, end) to {@code sink} in order, from one consistent
     * snapshot, without a size limit.
     *
     * @throws IllegalArgumentException when the range is malformed or reaches past the log's end
     * @throws IOException when the sink throws it
     */
    void exportAudit(long start, long end, AuditLeafSink sink) throws IOException;

    /** The audit log's Merkle tree and signed checkpoints. */
    AuditLog audit();

    /** The notifications waiting for delivery, which transactions write with {@code enqueue}. */
    io.countersign.outbox.Outbox outbox();

    /** The circuit breakers tripped and not yet reset, oldest trip first; transactions trip and reset them. */
    List<TrippedBreaker> trippedBreakers();

    /** The suggestions and findings humans dismissed or snoozed (over or not), by item; transactions write them. */
    List<io.countersign.insights.Dismissal> dismissals();

    /** Where the data lives, for messages: a file, or a database URL without its password. */
    String describe();

    /**
     * Tells {@code listener} about request changes that other processes committed to the same
     * database, so their decisions wake this process's long-polls. A store only one process
     * writes has nothing to tell and ignores it.
     */
    default void listenForOtherNodes(RequestListener listener) {}

    /**
     * Whether the database answers now, within about two seconds: what {@code /readyz} reports.
     * A store in this process's own file always does.
     */
    default boolean reachable() {
        return true;
    }
}
