package io.countersign.client;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The server's view of one request, as of the answer that carried it.
 *
 * @param id the request id, {@code req_...}
 * @param status where the request is in its life
 * @param action the action as the server recorded it (its idempotency key is always empty)
 * @param agent the agent that asked
 * @param decision what the policy decided
 * @param grant present while the request is approved and its grant unused
 * @param approval present when the policy required approval
 * @param votes the humans' votes, in the order they were cast
 * @param createdAt when the request was made
 * @param decidedAt when it left {@code pending}, if it has
 * @param decidedBy who decided it (a human, or the server for an expiry), if anyone did
 * @param execution the agent's execution report, once made
 */
public record ActionStatus(
        String id,
        RequestStatus status,
        ActionRequest action,
        String agent,
        Decision decision,
        Optional<Grant> grant,
        Optional<Approval> approval,
        List<Vote> votes,
        Instant createdAt,
        Optional<Instant> decidedAt,
        Optional<String> decidedBy,
        Optional<Execution> execution) {

    public ActionStatus {
        requireNonNull(id, "id is null");
        requireNonNull(status, "status is null");
        requireNonNull(action, "action is null");
        requireNonNull(agent, "agent is null");
        requireNonNull(decision, "decision is null");
        requireNonNull(grant, "grant is null");
        requireNonNull(approval, "approval is null");
        requireNonNull(votes, "votes is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(decidedAt, "decidedAt is null");
        requireNonNull(decidedBy, "decidedBy is null");
        requireNonNull(execution, "execution is null");
        votes = List.copyOf(votes);
    }

    /** True while nobody has decided yet. */
    public boolean isPending() {
        return status == RequestStatus.PENDING;
    }
}
