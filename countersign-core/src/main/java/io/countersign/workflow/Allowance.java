package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.action.ActionDigest;
import io.countersign.identity.Agent;
import io.countersign.policy.Decision;
import io.countersign.policy.Effect;
import java.time.Instant;

/**
 * An action the policy allowed outright, recorded as one audit entry ({@code action.allowed})
 * instead of a request: no human can be involved and the enforcing adapter runs it at once, so
 * there is no request row, no grant and no notice, only the durable decision before the action runs
 * and its execution ({@code action.allowed.executed}) after. {@code id} ties the two entries
 * together; it is shaped like a request id, and no request has it.
 */
public record Allowance(RequestId id, Agent agent, Action action, ActionDigest digest, Decision decision, Instant at) {
    public Allowance {
        requireNonNull(id, "id is null");
        requireNonNull(agent, "agent is null");
        requireNonNull(action, "action is null");
        requireNonNull(digest, "digest is null");
        requireNonNull(decision, "decision is null");
        requireNonNull(at, "at is null");
        if (decision.effect() != Effect.ALLOW) {
            throw new IllegalArgumentException("an allowance needs an allow decision, got "
                    + decision.effect().wireName());
        }
    }
}
