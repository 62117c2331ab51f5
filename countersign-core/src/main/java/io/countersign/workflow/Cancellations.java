package io.countersign.workflow;

import static io.countersign.workflow.RequestGuards.requirePendingAt;
import static io.countersign.workflow.RequestGuards.requireRequester;
import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.outbox.NotificationType;
import java.time.Instant;
import java.util.Optional;

/** A pending request withdrawn before anyone decides it: by its agent, or by the system when the agent is gone. */
final class Cancellations {
    private final Store store;
    private final MillisClock clock;
    private final ChangeNotices notices;
    private final SafeListener listener;

    Cancellations(Store store, MillisClock clock, ChangeNotices notices, SafeListener listener) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.notices = requireNonNull(notices, "notices is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    /** See {@link Workflow#cancel}. */
    ApprovalRequest cancel(Agent agent, RequestId id) {
        Instant now = clock.now();
        ApprovalRequest after = store.transact(tx -> {
            ApprovalRequest request = tx.find(id).orElseThrow(() -> new WorkflowException.NotFound(id));
            requireRequester(agent, request);
            requirePendingAt(request, now);
            ApprovalRequest cancelled =
                    request.decided(RequestStatus.CANCELLED, now, agent.auditName(), Optional.empty());
            tx.update(cancelled);
            tx.append(RequestEvents.resolved(cancelled));
            notices.enqueue(tx, NotificationType.REQUEST_DECIDED, cancelled, now);
            return cancelled;
        });
        listener.changed(after);
        return after;
    }

    /** See {@link Workflow#abandon}. */
    ApprovalRequest abandon(RequestId id, String why) {
        requireNonNull(why, "why is null");
        Instant now = clock.now();
        ApprovalRequest after = store.transact(tx -> {
            ApprovalRequest request = tx.find(id).orElseThrow(() -> new WorkflowException.NotFound(id));
            if (!request.isPending()) {
                return request;
            }
            ApprovalRequest cancelled =
                    request.decided(RequestStatus.CANCELLED, now, "system", Optional.empty(), Optional.of(why));
            tx.update(cancelled);
            tx.append(RequestEvents.resolved(cancelled));
            notices.enqueue(tx, NotificationType.REQUEST_DECIDED, cancelled, now);
            return cancelled;
        });
        if (after.status() == RequestStatus.CANCELLED) {
            listener.changed(after);
        }
        return after;
    }
}
