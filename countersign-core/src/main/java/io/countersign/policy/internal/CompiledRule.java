package io.countersign.policy.internal;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.ColumnMask;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.Glob;
import io.countersign.policy.RuleSummary;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A rule ready to decide: its globs and its compiled condition, with its position in the file. */
public final class CompiledRule {
    private final int index;
    private final RuleSummary summary;
    // Nullable copies of the summary's optionals: these are read on every decision.
    private final @Nullable Glob action;
    private final @Nullable Glob resource;
    private final @Nullable Glob agent;
    private final @Nullable Condition condition;
    private final java.time.@Nullable Instant expiresAt;
    private final Optional<ColumnMask> mask;

    public CompiledRule(int index, RuleSummary summary, Optional<Condition> condition) {
        this(index, summary, condition, Optional.empty());
    }

    /** A rule with its {@code mask}, if it has one: allow and require_approval rules only. */
    public CompiledRule(int index, RuleSummary summary, Optional<Condition> condition, Optional<ColumnMask> mask) {
        if (index < 0) {
            throw new IllegalArgumentException("rule index is " + index + ", want 0 or more");
        }
        this.index = index;
        this.summary = requireNonNull(summary, "summary is null");
        this.action = summary.action().orElse(null);
        this.resource = summary.resource().orElse(null);
        this.agent = summary.agent().orElse(null);
        this.condition = requireNonNull(condition, "condition is null").orElse(null);
        this.expiresAt = summary.expiresAt().orElse(null);
        this.mask = requireNonNull(mask, "mask is null");
        if (mask.isPresent() && summary.effect() == Effect.DENY) {
            throw new IllegalArgumentException("rule '" + summary.name() + "': a deny rule masks nothing");
        }
        if (condition.isPresent() != summary.when().isPresent()) {
            throw new IllegalArgumentException(
                    "rule '" + summary.name() + "': a compiled condition goes with a 'when' and only with it");
        }
    }

    /** The rule's position in the file, 0-based: decisions list matching rules in this order. */
    public int index() {
        return index;
    }

    public String name() {
        return summary.name();
    }

    public Effect effect() {
        return summary.effect();
    }

    public RuleSummary summary() {
        return summary;
    }

    /** The columns this rule masks in what the action returns, if any. */
    public Optional<ColumnMask> mask() {
        return mask;
    }

    /** The literal start of the action glob, or "" when the rule matches any action (the catch-all). */
    public String actionPrefix() {
        return action == null ? "" : action.literalPrefix();
    }

    /** Whether the rule is still in force and the action, resource and agent globs match; cheap, so it runs before the condition. */
    public boolean namesMatch(DecisionInput input) {
        // An expired rule matches nothing: the action's time is the policy's context.time.
        return (expiresAt == null || input.time().isBefore(expiresAt))
                && (action == null || action.matches(input.action().action()))
                && (resource == null || resource.matches(input.action().resource()))
                && (agent == null || agent.matches(input.agent().name()));
    }

    public Condition.Outcome evaluateCondition(DecisionVariables variables) {
        return condition == null ? Condition.Outcome.TRUE : condition.evaluate(variables);
    }

    @Override
    public String toString() {
        return "rule '" + name() + "' (" + effect().wireName() + ")";
    }
}
