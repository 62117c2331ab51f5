package io.countersign.workflow;

import io.countersign.audit.AuditEvent;
import io.countersign.breaker.TrippedBreaker;
import io.countersign.identity.StoredCredential;
import io.countersign.identity.Suspension;
import io.countersign.outbox.OutboxEvent;
import java.time.Instant;
import java.util.Optional;

/** What one unit of work may do; see {@link Store#transact} for the guarantees. */
public interface Transaction {

    /** The request as this transaction sees it, including its own writes. */
    Optional<ApprovalRequest> find(RequestId id);

    /** The request the agent made earlier with this idempotency key, if any. */
    Optional<ApprovalRequest> findByIdempotencyKey(String agentName, String idempotencyKey);

    /** Stores a new request; its id and (agent, idempotency key) must be new. */
    void insert(ApprovalRequest request);

    /** Replaces a stored request with a later state of itself (votes are only ever added). */
    void update(ApprovalRequest request);

    /** Appends an event to the audit log and returns its sequence number. */
    long append(AuditEvent event);

    /** Writes a notification to the outbox, to be delivered after (and only if) this transaction commits. */
    void enqueue(OutboxEvent event);

    /** The breaker's trip for the agent, while no human has reset it. */
    Optional<TrippedBreaker> trippedBreaker(String agent, String breaker);

    /** Records a trip; returns false, changing nothing, when that breaker is already tripped for the agent. */
    boolean tripBreaker(TrippedBreaker tripped);

    /** Removes the trip and returns it; empty when the breaker was not tripped for the agent. */
    Optional<TrippedBreaker> resetBreaker(String agent, String breaker);

    /**
     * Stores a new credential, as {@link io.countersign.identity.CredentialStore#create} does, in
     * this transaction: with the audit entry that records it, or not at all.
     *
     * @throws IllegalArgumentException when a principal of the same kind and name has a live credential
     */
    void createCredential(StoredCredential credential);

    /** Revokes every live credential of the agent (any case), in this transaction; returns how many. */
    int revokeAgent(String agentName, Instant at);

    /** Records the suspension in this transaction; false, changing nothing, when the agent is already suspended. */
    boolean suspend(Suspension suspension);

    /** Lifts the agent's suspension in this transaction; false when it was not suspended. */
    boolean resume(String agentName);

    /** Records that a human set an insights item aside, replacing an earlier dismissal of it. */
    void dismiss(io.countersign.insights.Dismissal dismissal);

    /** Forgets the item's dismissal; false when it had none. */
    boolean restore(String item);
}
