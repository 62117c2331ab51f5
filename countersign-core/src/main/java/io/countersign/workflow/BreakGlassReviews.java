package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Human;
import java.time.Instant;
import java.util.Optional;

/**
 * The follow-up review a break-glass approval opens: closed by another human than the one who
 * broke the glass, in one transaction that logs who acknowledged it.
 */
final class BreakGlassReviews {
    private final Store store;
    private final MillisClock clock;

    BreakGlassReviews(Store store, MillisClock clock) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** See {@link Workflow#acknowledgeBreakGlass}. */
    ApprovalRequest acknowledge(Human human, RequestId id, Optional<String> comment) {
        requireNonNull(human, "human is null");
        Instant now = clock.now();
        return store.transact(tx -> {
            ApprovalRequest request = tx.find(id).orElseThrow(() -> new WorkflowException.NotFound(id));
            BreakGlass breakGlass = request.breakGlass()
                    .orElseThrow(() -> new WorkflowException.Conflict(
                            "request " + id + " was not approved by break-glass; there is no review to acknowledge"));
            if (!breakGlass.reviewOpen()) {
                throw new WorkflowException.Conflict("the break-glass review of request " + id + " was acknowledged by "
                        + breakGlass.acknowledgedBy().orElseThrow() + " at "
                        + breakGlass.acknowledgedAt().orElseThrow());
            }
            boolean breaker = breakGlass.usedBy().equals(human.name())
                    || request.votes().stream()
                            .anyMatch(vote -> vote.voter().equals(breakGlass.usedBy())
                                    && !vote.email().isBlank()
                                    && vote.email().equalsIgnoreCase(human.email()));
            if (breaker) {
                throw new WorkflowException.Forbidden(human.name() + " used break-glass on request " + id
                        + "; another human must acknowledge the review");
            }
            ApprovalRequest acknowledged = request.withBreakGlass(
                    breakGlass.acknowledged(human.name(), now, comment.filter(c -> !c.isBlank())));
            tx.update(acknowledged);
            tx.append(RequestEvents.breakGlassReviewAcknowledged(acknowledged, human));
            return acknowledged;
        });
    }
}
