package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * A circuit breaker as the policy defines it: when one agent is counted more than {@code max}
 * times within {@code per}, the breaker trips for that agent, and from that action on every
 * action it applies to gets at least {@code then} until a human resets it. A breaker never
 * loosens a decision: the effect is the stricter of the policy's and {@code then}.
 *
 * <p>{@code approval} is what {@code then: require_approval} demands (the rule's own requirement
 * or the breaker's); it is present exactly when {@code then} is require_approval.
 */
public record Breaker(
        String name,
        Scope scope,
        int max,
        Duration per,
        Effect then,
        Optional<ApprovalRequirement> approval,
        int line) {
    /** The most a breaker may count before tripping; each agent's window keeps this many instants. */
    public static final int MAX_COUNT = 100_000;

    /** What a breaker counts. */
    public sealed interface Scope permits OnRule, OnAgent {}

    /** Actions the rule decided (the rule is among the decision's matching rules). */
    public record OnRule(String rule) implements Scope {
        public OnRule {
            requireNonNull(rule, "rule is null");
        }
    }

    /**
     * Actions of agents matching {@code agent}: with {@code policyDecisions}, each decision with
     * effect {@code counted} (any effect when empty) counts when it is made; with {@code
     * humanDenials}, each request a human denies counts when they deny it ({@code on:
     * human_denied}, and with the policy's denials {@code on: any_denied}).
     */
    public record OnAgent(Glob agent, Optional<Effect> counted, boolean policyDecisions, boolean humanDenials)
            implements Scope {
        public OnAgent {
            requireNonNull(agent, "agent is null");
            requireNonNull(counted, "counted is null");
            if (!policyDecisions && !humanDenials) {
                throw new IllegalArgumentException("a breaker counts the policy's decisions, humans' denials or both");
            }
            if (humanDenials && counted.filter(effect -> effect == Effect.DENY).isEmpty()) {
                throw new IllegalArgumentException("a breaker counting humans' denials counts only denials");
            }
        }

        /** Counting the policy's decisions only. */
        public OnAgent(Glob agent, Optional<Effect> counted) {
            this(agent, counted, true, false);
        }

        /** The {@code on:} that reads back as this scope. */
        public String on() {
            if (humanDenials) {
                return policyDecisions ? "any_denied" : "human_denied";
            }
            return counted.map(Effect::wireName).orElse("any");
        }
    }

    public Breaker {
        requireNonNull(name, "name is null");
        requireNonNull(scope, "scope is null");
        requireNonNull(per, "per is null");
        requireNonNull(then, "then is null");
        requireNonNull(approval, "approval is null");
        if (max < 1 || max > MAX_COUNT) {
            throw new IllegalArgumentException("breaker '" + name + "': max is " + max + ", want 1 to " + MAX_COUNT);
        }
        if (per.isNegative() || per.isZero()) {
            throw new IllegalArgumentException("breaker '" + name + "': per is " + per + ", want a positive duration");
        }
        if (then == Effect.ALLOW) {
            throw new IllegalArgumentException(
                    "breaker '" + name + "': then is allow; a breaker never loosens, want require_approval or deny");
        }
        if ((then == Effect.REQUIRE_APPROVAL) != approval.isPresent()) {
            throw new IllegalArgumentException(
                    "breaker '" + name + "': an approval requirement goes with then require_approval and only with it");
        }
    }

    /**
     * Whether a trip of this breaker holds this action of {@code agent}, decided so by the policy:
     * for a rule's breaker, the actions the rule decides; for an agent breaker, every action of
     * the agents it matches (a burst of denials holds the agent's other actions too).
     */
    public boolean covers(String agent, Decision decision) {
        return switch (scope) {
            case OnRule onRule -> decision.rules().contains(onRule.rule());
            case OnAgent onAgent -> onAgent.agent().matches(agent);
        };
    }

    /** Whether this action counts toward tripping the breaker: a covered one, with the counted effect if the breaker names one. */
    public boolean counts(String agent, Decision decision) {
        return covers(agent, decision)
                && switch (scope) {
                    case OnRule onRule -> true;
                    case OnAgent onAgent ->
                        onAgent.policyDecisions()
                                && onAgent.counted()
                                        .map(effect -> effect == decision.effect())
                                        .orElse(true);
                };
    }

    /** Whether a human's denial of a request of {@code agent} counts toward tripping the breaker. */
    public boolean countsHumanDenial(String agent) {
        return scope instanceof OnAgent onAgent
                && onAgent.humanDenials()
                && onAgent.agent().matches(agent);
    }

    /** The groups told when the breaker trips: who approves under it, or the admins. */
    public Set<String> groupsToTell() {
        return approval.map(ApprovalRequirement::groups).orElse(Set.of("admins"));
    }

    /** What it counts, for messages: {@code actions under rule 'deletes'}, {@code denials}. */
    public String counting() {
        return switch (scope) {
            case OnRule onRule -> "actions under rule '" + onRule.rule() + "'";
            case OnAgent onAgent ->
                onAgent.humanDenials()
                        ? (onAgent.policyDecisions() ? "denials (by the policy or a human)" : "denials by a human")
                        : onAgent.counted()
                                .map(effect -> switch (effect) {
                                    case DENY -> "denials";
                                    case ALLOW -> "allowed actions";
                                    case REQUIRE_APPROVAL -> "actions needing approval";
                                })
                                .orElse("actions");
        };
    }
}
