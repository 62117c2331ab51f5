package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.identity.AgentSuspensions;
import io.countersign.identity.Suspension;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Suspends and resumes agents. Suspending is a kill switch: from the moment the suspension is
 * stored, every new action of the agent is denied before the policy is asked, its approved grants
 * can't be executed, and its pending requests are denied ({@code decidedBy: system}, reason
 * {@code agent suspended}). Both switches are in the audit log.
 *
 * <p>The suspension row, its audit entry and the denial of the pending requests are one
 * transaction: a suspension that fails (a reason no audit entry can hold) leaves nothing behind.
 */
public final class KillSwitch {
    public static final String REASON = "agent suspended";

    private static final Logger LOG = LoggerFactory.getLogger(KillSwitch.class);

    private final Store store;
    private final AgentSuspensions suspensions;
    private final Clock clock;
    private final RequestListener listener;

    /** {@code listener} hears of each request the switch denies (to wake long-polls); the command line passes NONE. */
    public KillSwitch(Store store, AgentSuspensions suspensions, Clock clock, RequestListener listener) {
        this.store = requireNonNull(store, "store is null");
        this.suspensions = requireNonNull(suspensions, "suspensions is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    /** What suspending did: whether the agent was newly suspended, and which pending requests it denied. */
    public record Suspended(boolean newly, List<ApprovalRequest> denied) {
        public Suspended {
            denied = List.copyOf(requireNonNull(denied, "denied is null"));
        }
    }

    /**
     * Suspends the agent (again denying anything pending, even when it was already suspended).
     *
     * @param by the audit name of who threw the switch
     */
    public Suspended suspend(String agent, String by, String reason) {
        requireNonNull(agent, "agent is null");
        requireNonNull(by, "by is null");
        requireNonNull(reason, "reason is null");
        Instant now = now();
        String why = reason.isBlank() ? REASON : reason;
        List<RequestId> candidates = store.findPending().stream()
                .filter(pending -> pending.agent().name().equalsIgnoreCase(agent))
                .map(ApprovalRequest::id)
                .toList();
        Suspended suspended = store.transact(tx -> {
            boolean newly = tx.suspend(new Suspension(agent, now, by, why));
            if (newly) {
                ObjectNode data = JsonNodeFactory.instance.objectNode();
                data.put("agent", agent);
                data.put("reason", why);
                tx.append(new AuditEvent(AuditEventType.AGENT_SUSPENDED, now, by, Optional.empty(), data));
            }
            List<ApprovalRequest> denied = new ArrayList<>();
            for (RequestId id : candidates) {
                tx.find(id).filter(ApprovalRequest::isPending).ifPresent(request -> {
                    ApprovalRequest deniedRequest =
                            request.decided(RequestStatus.DENIED, now, "system", Optional.empty(), Optional.of(REASON));
                    tx.update(deniedRequest);
                    tx.append(RequestEvents.resolved(deniedRequest));
                    denied.add(deniedRequest);
                });
            }
            return new Suspended(newly, denied);
        });
        suspended.denied().forEach(this::tell);
        // A request submitted between the read above and the commit saw no suspension yet: deny it too.
        List<ApprovalRequest> stragglers = denyPendingOf(agent, now);
        if (stragglers.isEmpty()) {
            return suspended;
        }
        List<ApprovalRequest> all = new ArrayList<>(suspended.denied());
        all.addAll(stragglers);
        return new Suspended(suspended.newly(), all);
    }

    /** Denies every pending request of the agent still pending, each in its own transaction. */
    private List<ApprovalRequest> denyPendingOf(String agent, Instant now) {
        List<ApprovalRequest> denied = new ArrayList<>();
        for (ApprovalRequest pending : store.findPending()) {
            if (!pending.agent().name().equalsIgnoreCase(agent)) {
                continue;
            }
            store.transact(tx -> tx.find(pending.id())
                            .filter(ApprovalRequest::isPending)
                            .map(request -> {
                                ApprovalRequest deniedRequest = request.decided(
                                        RequestStatus.DENIED, now, "system", Optional.empty(), Optional.of(REASON));
                                tx.update(deniedRequest);
                                tx.append(RequestEvents.resolved(deniedRequest));
                                return deniedRequest;
                            }))
                    .ifPresent(request -> {
                        denied.add(request);
                        tell(request);
                    });
        }
        return denied;
    }

    private void tell(ApprovalRequest request) {
        try {
            listener.changed(request);
        } catch (RuntimeException e) {
            LOG.warn("request listener failed for {}", request.id(), e);
        }
    }

    /** Lifts the suspension; returns false when the agent was not suspended. */
    public boolean resume(String agent, String by) {
        requireNonNull(agent, "agent is null");
        requireNonNull(by, "by is null");
        Optional<Suspension> was = suspensions.suspensionOf(agent);
        if (was.isEmpty()) {
            return false;
        }
        Instant now = now();
        return store.transact(tx -> {
            if (!tx.resume(agent)) {
                return false;
            }
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("agent", agent);
            data.put("suspendedAt", was.get().at().toString());
            tx.append(new AuditEvent(AuditEventType.AGENT_RESUMED, now, by, Optional.empty(), data));
            return true;
        });
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
