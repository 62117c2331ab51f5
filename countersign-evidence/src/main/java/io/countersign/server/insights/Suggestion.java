package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.Effect;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A rule the decision history argues for, with its evidence: how many requests, all decided the
 * same way by humans of {@code groups} between {@code from} and {@code to}, a few of their ids,
 * and the rule as a YAML list item ready to paste under {@code rules:}.
 *
 * @param supersedes for an allow: the require_approval rules that matched the evidence; they win
 *     over allow, so the allow rule only decides once they no longer match these actions
 * @param note what to do besides pasting the rule, or empty
 * @param resources how many requests of the evidence were for each resource
 * @param evidence the real window, the deciders and their speed, comments and examples
 */
public record Suggestion(
        Effect effect,
        String summary,
        String ruleName,
        String ruleYaml,
        int count,
        Instant from,
        Instant to,
        Set<String> groups,
        List<String> examples,
        List<String> supersedes,
        Optional<String> note,
        Map<String, Integer> resources,
        EvidenceSummary evidence) {
    public Suggestion {
        requireNonNull(effect, "effect is null");
        requireNonNull(summary, "summary is null");
        requireNonNull(ruleName, "ruleName is null");
        requireNonNull(ruleYaml, "ruleYaml is null");
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        groups = Set.copyOf(requireNonNull(groups, "groups is null"));
        examples = List.copyOf(requireNonNull(examples, "examples is null"));
        supersedes = List.copyOf(requireNonNull(supersedes, "supersedes is null"));
        requireNonNull(note, "note is null");
        resources = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(resources, "resources is null")));
        requireNonNull(evidence, "evidence is null");
        if (effect == Effect.REQUIRE_APPROVAL) {
            throw new IllegalArgumentException("a suggestion allows or denies, got " + effect.wireName());
        }
    }
}
