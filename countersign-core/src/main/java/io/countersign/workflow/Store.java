package io.countersign.workflow;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where requests and the audit log live. Implementations: SQLite (embedded) and PostgreSQL.
 *
 * <p>Guarantees the workflow relies on:
 * <ul>
 *   <li>{@link #transact} runs its work in one serializable transaction: no other transaction's
 *       writes to the same request interleave with it, and the audit entries it appends get
 *       consecutive sequence numbers in commit order;</li>
 *   <li>when {@code transact} returns normally, everything the work wrote is durable (it survives
 *       a kill -9 of the process); when the work throws, nothing it wrote is kept and the
 *       exception reaches the caller unchanged;</li>
 *   <li>the reads outside a transaction see committed data only.</li>
 * </ul>
 * Implementations may batch the work of several callers into one commit (group commit), as long
 * as each caller's work is atomic on its own and no caller returns before the batch is durable.
 */
public interface Store extends AutoCloseable {

    <T> T transact(Function<Transaction, T> work);

    Optional<ApprovalRequest> find(RequestId id);

    /** Every pending request, oldest first: for the inbox and for scheduling expiry. */
    List<ApprovalRequest> findPending();

    /** Pending requests whose expiry is at or before {@code now}. */
    List<ApprovalRequest> findExpired(java.time.Instant now);

    @Override
    void close();
}
