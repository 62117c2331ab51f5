package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A read-only view of one compiled rule, for the console, {@code policy check} and tests. The
 * {@code match} globs are empty when the rule does not constrain that name. {@code approval},
 * {@code stepUp} and {@code channel} are set only for {@code require_approval} rules. From
 * {@code expiresAt} on, the rule no longer matches (a loosening tried for a week).
 */
public record RuleSummary(
        String name,
        int line,
        Optional<Glob> action,
        Optional<Glob> resource,
        Optional<Glob> agent,
        Optional<String> when,
        Effect effect,
        Optional<String> reason,
        Optional<ApprovalRequirement> approval,
        boolean stepUp,
        Optional<String> channel,
        Optional<Instant> expiresAt) {

    public RuleSummary {
        requireNonNull(name, "name is null");
        requireNonNull(action, "action is null");
        requireNonNull(resource, "resource is null");
        requireNonNull(agent, "agent is null");
        requireNonNull(when, "when is null");
        requireNonNull(effect, "effect is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(approval, "approval is null");
        requireNonNull(channel, "channel is null");
        requireNonNull(expiresAt, "expiresAt is null");
        if ((effect == Effect.REQUIRE_APPROVAL) != approval.isPresent()) {
            throw new IllegalArgumentException("rule '" + name
                    + "': an approval requirement goes with effect require_approval and only with it, got "
                    + effect.wireName() + (approval.isPresent() ? " with one" : " without one"));
        }
        if (line < 1) {
            throw new IllegalArgumentException("rule '" + name + "': line is " + line + ", want 1 or more");
        }
    }

    /** Whether the rule has expired at {@code time}: it matches no action made then or later. */
    public boolean expiredAt(Instant time) {
        return expiresAt.filter(end -> !time.isBefore(end)).isPresent();
    }
}
