package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.breaker.TrippedBreaker;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A human resets a tripped circuit breaker: the trip is removed and a {@code breaker.reset} event,
 * naming who reset it and why, is appended in the same transaction. The agent's next actions are
 * decided by the policy again, and counted from zero.
 */
public final class BreakerReset {
    private final Store store;
    private final Clock clock;

    public BreakerReset(Store store, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * @param by the audit name of the human who resets it
     * @param comment why the agent may go on; required
     * @throws WorkflowException.NotFound when the breaker is not tripped for that agent
     * @throws WorkflowException.Unprocessable when the comment is blank
     */
    public TrippedBreaker reset(String agent, String breaker, String by, String comment) {
        requireNonNull(agent, "agent is null");
        requireNonNull(breaker, "breaker is null");
        requireNonNull(by, "by is null");
        if (comment == null || comment.isBlank()) {
            throw new WorkflowException.Unprocessable("a reset needs a comment saying why the agent may go on");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return store.transact(tx -> {
            TrippedBreaker tripped = tx.resetBreaker(agent, breaker)
                    .orElseThrow(() -> new WorkflowException.NotFound(
                            "breaker '" + breaker + "' is not tripped for agent " + agent));
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("agent", tripped.agent());
            data.put("breaker", tripped.breaker());
            data.put("trippedAt", tripped.trippedAt().toString());
            data.put("count", tripped.count());
            data.put("window", tripped.window().toString());
            data.put("comment", comment);
            tx.append(new AuditEvent(AuditEventType.BREAKER_RESET, now, by, tripped.requestId(), data));
            return tripped;
        });
    }
}
