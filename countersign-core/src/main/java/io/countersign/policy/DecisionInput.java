package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import java.time.Instant;

/** Everything a policy may look at: the action, the agent asking, and the time (as {@code context.time}). */
public record DecisionInput(Action action, Agent agent, Instant time) {
    public DecisionInput {
        requireNonNull(action, "action is null");
        requireNonNull(agent, "agent is null");
        requireNonNull(time, "time is null");
    }
}
