package io.countersign.policy.internal;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.ColumnMask;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The decision procedure. Among matching rules the most restrictive effect wins, so rules are
 * tried effect by effect, strictest first: once some deny rule matches, no require_approval or
 * allow condition needs to run at all. A condition that fails to evaluate counts as matching for
 * deny and require_approval rules (deny on doubt) and as not matching for allow rules; the reason
 * says which rule's condition failed and why. A decision that lets the action run carries the
 * column masks of every matching allow and require_approval rule, whichever effect won: a mask
 * narrows what the action returns, so a stricter verdict never drops one (an allow rule whose
 * condition fails to evaluate still masks: mask on doubt).
 */
public final class Decider {
    private static final List<Effect> STRICTEST_FIRST = List.of(Effect.DENY, Effect.REQUIRE_APPROVAL, Effect.ALLOW);

    private final RuleIndex index;
    private final Map<Effect, List<CompiledRule>> allByEffect;
    private final Effect defaultEffect;
    private final Optional<ApprovalRequirement> defaultApproval;
    private final String version;

    /** @param rules in file order */
    public Decider(
            List<CompiledRule> rules,
            Effect defaultEffect,
            Optional<ApprovalRequirement> defaultApproval,
            String version) {
        requireNonNull(rules, "rules is null");
        this.defaultEffect = requireNonNull(defaultEffect, "defaultEffect is null");
        this.defaultApproval = requireNonNull(defaultApproval, "defaultApproval is null");
        this.version = requireNonNull(version, "version is null");
        if ((defaultEffect == Effect.REQUIRE_APPROVAL) != defaultApproval.isPresent()) {
            throw new IllegalArgumentException(
                    "a default approval goes with default require_approval and only with it, got default "
                            + defaultEffect.wireName());
        }
        this.index = RuleIndex.of(rules);
        Map<Effect, List<CompiledRule>> byEffect = new EnumMap<>(Effect.class);
        for (Effect effect : Effect.values()) {
            byEffect.put(
                    effect,
                    rules.stream().filter(rule -> rule.effect() == effect).toList());
        }
        this.allByEffect = byEffect;
    }

    public Decision decide(DecisionInput input) {
        RuleIndex.Node candidates = index.lookup(input.action().action());
        return decide(input, candidates::candidates);
    }

    /** The same decision without the index, trying every rule: the reference the index is tested against. */
    public Decision decideByLinearScan(DecisionInput input) {
        return decide(input, allByEffect::get);
    }

    private Decision decide(DecisionInput input, Function<Effect, List<CompiledRule>> candidates) {
        DecisionVariables variables = new DecisionVariables(input);
        List<String> ignoredFailures = List.of();
        for (Effect effect : STRICTEST_FIRST) {
            List<CompiledRule> matched = List.of();
            List<String> doubts = List.of();
            for (CompiledRule rule : candidates.apply(effect)) {
                if (!rule.namesMatch(input)) {
                    continue;
                }
                Condition.Outcome outcome = rule.evaluateCondition(variables);
                if (outcome.failed()) {
                    String failure = "condition of rule '" + rule.name() + "' failed: "
                            + outcome.error().orElseThrow();
                    if (effect == Effect.ALLOW) {
                        ignoredFailures = append(ignoredFailures, failure + "; treated as not matching");
                        continue;
                    }
                    doubts = append(doubts, failure + "; treated as matching (deny on doubt)");
                    matched = append(matched, rule);
                } else if (outcome.value()) {
                    matched = append(matched, rule);
                }
            }
            if (!matched.isEmpty()) {
                return verdict(effect, matched, doubts, masks(effect, matched, input, variables, candidates));
            }
        }
        return defaultVerdict(ignoredFailures, masks(defaultEffect, List.of(), input, variables, candidates));
    }

    private static List<ColumnMask> masks(
            Effect effect,
            List<CompiledRule> matched,
            DecisionInput input,
            DecisionVariables variables,
            Function<Effect, List<CompiledRule>> candidates) {
        if (effect == Effect.DENY) {
            return List.of();
        }
        List<ColumnMask> masks = List.of();
        for (CompiledRule rule : matched) {
            if (rule.mask().isPresent()) {
                masks = append(masks, rule.mask().get());
            }
        }
        for (CompiledRule rule : candidates.apply(Effect.ALLOW)) {
            if (rule.mask().isEmpty() || matched.contains(rule) || !rule.namesMatch(input)) {
                continue;
            }
            Condition.Outcome outcome = rule.evaluateCondition(variables);
            if (outcome.failed() || outcome.value()) {
                masks = append(masks, rule.mask().get());
            }
        }
        return masks;
    }

    private Decision verdict(Effect effect, List<CompiledRule> matched, List<String> doubts, List<ColumnMask> masks) {
        CompiledRule first = matched.getFirst();
        String reason = first.summary().reason().orElseGet(() -> switch (effect) {
            case DENY -> "denied by rule '" + first.name() + "'";
            case REQUIRE_APPROVAL -> "rule '" + first.name() + "' requires approval";
            case ALLOW -> "allowed by rule '" + first.name() + "'";
        });
        List<ApprovalRequirement> approvals = effect != Effect.REQUIRE_APPROVAL
                ? List.of()
                : matched.stream()
                        .map(rule -> rule.summary()
                                .approval()
                                .orElseThrow(() -> new IllegalStateException(
                                        "bug: require_approval " + rule + " has no approval requirement")))
                        .toList();
        return new Decision(
                effect,
                matched.stream().map(CompiledRule::name).toList(),
                withNotes(reason, doubts),
                version,
                approvals,
                masks);
    }

    private Decision defaultVerdict(List<String> ignoredFailures, List<ColumnMask> masks) {
        String reason = "no rule matched; default is " + defaultEffect.wireName();
        return new Decision(
                defaultEffect,
                List.of(),
                withNotes(reason, ignoredFailures),
                version,
                defaultApproval.stream().toList(),
                masks);
    }

    private static String withNotes(String reason, List<String> notes) {
        return notes.isEmpty() ? reason : reason + " [" + String.join("; ", notes) + "]";
    }

    // Most decisions match one rule or none; avoid allocating lists for the common case.
    private static <T> List<T> append(List<T> list, T element) {
        if (list.isEmpty()) {
            return List.of(element);
        }
        List<T> longer = new ArrayList<>(list);
        longer.add(element);
        return longer;
    }
}
