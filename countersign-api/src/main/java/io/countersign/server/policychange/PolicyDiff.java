package io.countersign.server.policychange;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.Breaker;
import io.countersign.policy.Glob;
import io.countersign.policy.Policy;
import io.countersign.policy.RuleSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a policy change does to the rules, by name: added, removed and changed rules (a rule
 * moved to another line is not changed), the circuit breakers added, removed or changed, and the
 * default if it changed. This is what approvers
 * read first; the full text is in the request too.
 */
public record PolicyDiff(
        List<String> added,
        List<String> removed,
        List<String> changed,
        List<String> breakers,
        String defaultBefore,
        String defaultAfter) {
    public PolicyDiff {
        breakers = List.copyOf(requireNonNull(breakers, "breakers is null"));
        added = List.copyOf(requireNonNull(added, "added is null"));
        removed = List.copyOf(requireNonNull(removed, "removed is null"));
        changed = List.copyOf(requireNonNull(changed, "changed is null"));
        requireNonNull(defaultBefore, "defaultBefore is null");
        requireNonNull(defaultAfter, "defaultAfter is null");
    }

    public static PolicyDiff between(Policy before, Policy after) {
        Map<String, RuleSummary> old = byName(before);
        Map<String, RuleSummary> now = byName(after);
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        now.forEach((name, rule) -> {
            if (!old.containsKey(name)) {
                added.add(name);
            } else if (!sameRule(old.get(name), rule)) {
                changed.add(name);
            }
        });
        List<String> removed =
                old.keySet().stream().filter(name -> !now.containsKey(name)).toList();
        Map<String, List<Object>> oldBreakers = breakers(before);
        Map<String, List<Object>> newBreakers = breakers(after);
        java.util.Set<String> breakerNames = new java.util.TreeSet<>(oldBreakers.keySet());
        breakerNames.addAll(newBreakers.keySet());
        List<String> breakers = breakerNames.stream()
                .filter(name -> !Objects.equals(oldBreakers.get(name), newBreakers.get(name)))
                .toList();
        return new PolicyDiff(
                added,
                removed,
                changed,
                breakers,
                before.defaultEffect().wireName(),
                after.defaultEffect().wireName());
    }

    /** {@code +2 rules (a, b), -1 (c), ~1 (d)}, or {@code no rule changes}. */
    public String summary() {
        List<String> parts = new ArrayList<>();
        if (!added.isEmpty()) {
            parts.add("added " + String.join(", ", added));
        }
        if (!removed.isEmpty()) {
            parts.add("removed " + String.join(", ", removed));
        }
        if (!changed.isEmpty()) {
            parts.add("changed " + String.join(", ", changed));
        }
        if (!breakers.isEmpty()) {
            parts.add("breakers added, removed or changed: " + String.join(", ", breakers));
        }
        if (!defaultBefore.equals(defaultAfter)) {
            parts.add("default " + defaultBefore + " -> " + defaultAfter);
        }
        return parts.isEmpty() ? "no rule changes" : String.join("; ", parts);
    }

    public ObjectNode json() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        list(json.putArray("added"), added);
        list(json.putArray("removed"), removed);
        list(json.putArray("changed"), changed);
        list(json.putArray("breakers"), breakers);
        json.put("defaultBefore", defaultBefore);
        json.put("defaultAfter", defaultAfter);
        json.put("summary", summary());
        return json;
    }

    private static void list(ArrayNode array, List<String> items) {
        items.forEach(array::add);
    }

    private static Map<String, RuleSummary> byName(Policy policy) {
        Map<String, RuleSummary> rules = new LinkedHashMap<>();
        policy.rules().forEach(rule -> rules.put(rule.name(), rule));
        return rules;
    }

    /** Each breaker's definition by name, without its line: moving it is not a change. */
    private static Map<String, List<Object>> breakers(Policy policy) {
        Map<String, List<Object>> breakers = new LinkedHashMap<>();
        policy.breakers()
                .forEach(b -> breakers.put(
                        b.name(),
                        List.of(
                                scope(b.scope()),
                                b.max(),
                                b.per(),
                                b.then(),
                                b.approval()
                                        .map(r -> List.of(
                                                new java.util.TreeSet<>(r.groups()),
                                                r.quorum(),
                                                r.timeout(),
                                                r.stepUp())))));
        return breakers;
    }

    private static String scope(Breaker.Scope scope) {
        return switch (scope) {
            case Breaker.OnRule onRule -> "rule " + onRule.rule();
            case Breaker.OnAgent onAgent ->
                String.join(" ", "agent", onAgent.agent().text(), onAgent.on());
        };
    }

    private static boolean sameRule(RuleSummary a, RuleSummary b) {
        return glob(a.action()).equals(glob(b.action()))
                && glob(a.resource()).equals(glob(b.resource()))
                && glob(a.agent()).equals(glob(b.agent()))
                && a.when().equals(b.when())
                && a.effect() == b.effect()
                && a.reason().equals(b.reason())
                && a.approval()
                        .map(r -> List.of(new java.util.TreeSet<>(r.groups()), r.quorum(), r.timeout(), r.stepUp()))
                        .equals(b.approval()
                                .map(r -> List.of(
                                        new java.util.TreeSet<>(r.groups()), r.quorum(), r.timeout(), r.stepUp())))
                && a.stepUp() == b.stepUp()
                && Objects.equals(a.channel(), b.channel());
    }

    private static String glob(java.util.Optional<Glob> glob) {
        return glob.map(Glob::text).orElse("");
    }
}
