package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.NotificationType;
import io.countersign.policy.ApprovalRequirement;
import java.time.Instant;
import java.util.Optional;

/**
 * What time does to pending requests, swept periodically: expiry at the timeout, escalation after
 * a rule's {@code escalate.after}. Each request's change is one transaction that checks again, so
 * nodes sweeping at once change it once.
 */
final class Sweeps {
    private final Store store;
    private final MillisClock clock;
    private final ChangeNotices notices;
    private final SafeListener listener;

    Sweeps(Store store, MillisClock clock, ChangeNotices notices, SafeListener listener) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.notices = requireNonNull(notices, "notices is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    /** See {@link Workflow#expireDue}. */
    int expireDue() {
        int expired = 0;
        for (ApprovalRequest due : store.findExpired(clock.now())) {
            Instant now = clock.now();
            Optional<ApprovalRequest> after = store.transact(tx -> tx.find(due.id())
                    .filter(request -> request.isPending()
                            && !request.expiresAt().orElseThrow().isAfter(now))
                    .map(request -> {
                        ApprovalRequest expiredRequest =
                                request.decided(RequestStatus.EXPIRED, now, "system", Optional.empty());
                        tx.update(expiredRequest);
                        tx.append(RequestEvents.resolved(expiredRequest));
                        notices.enqueue(tx, NotificationType.REQUEST_DECIDED, expiredRequest, now);
                        return expiredRequest;
                    }));
            if (after.isPresent()) {
                expired++;
                listener.changed(after.get());
            }
        }
        return expired;
    }

    /** See {@link Workflow#escalateDue}. */
    int escalateDue() {
        int escalated = 0;
        Instant sweep = clock.now();
        for (ApprovalRequest due : store.findPending()) {
            if (due.escalationsDue(sweep).isEmpty()) {
                continue;
            }
            Instant now = clock.now();
            Optional<ApprovalRequest> after = store.transact(tx -> tx.find(due.id())
                    .filter(request -> !request.escalationsDue(now).isEmpty()
                            && request.expiresAt().orElseThrow().isAfter(now))
                    .map(request -> {
                        ApprovalRequest result = request;
                        for (ApprovalRequirement requirement : request.escalationsDue(now)) {
                            result = result.withEscalated(requirement.rule());
                            tx.append(RequestEvents.escalated(result, requirement, now));
                        }
                        tx.update(result);
                        notices.enqueue(tx, NotificationType.REQUEST_ESCALATED, result, now);
                        return result;
                    }));
            if (after.isPresent()) {
                escalated++;
                listener.changed(after.get());
            }
        }
        return escalated;
    }
}
