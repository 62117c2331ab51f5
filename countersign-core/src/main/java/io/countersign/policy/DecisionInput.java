package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.Delegation;
import java.time.Instant;

/**
 * Everything a policy may look at: the action, the agent asking, the time (as {@code context.time})
 * and how the agent's {@code onBehalfOf} is backed (as {@code delegation}).
 */
public record DecisionInput(Action action, Agent agent, Instant time, Delegation delegation) {
    public DecisionInput {
        requireNonNull(action, "action is null");
        requireNonNull(agent, "agent is null");
        requireNonNull(time, "time is null");
        requireNonNull(delegation, "delegation is null");
        if ((delegation == Delegation.NONE) != action.onBehalfOf().isEmpty()) {
            throw new IllegalArgumentException("delegation is " + delegation.wireName() + " but onBehalfOf is "
                    + action.onBehalfOf().map(h -> "'" + h + "'").orElse("absent"));
        }
    }

    /** With {@code onBehalfOf}, if any, merely claimed. */
    public DecisionInput(Action action, Agent agent, Instant time) {
        this(
                action,
                agent,
                time,
                Delegation.claimedOrNone(
                        requireNonNull(action, "action is null").onBehalfOf().isPresent()));
    }
}
