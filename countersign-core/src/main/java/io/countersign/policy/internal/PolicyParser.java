package io.countersign.policy.internal;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Breaker;
import io.countersign.policy.Effect;
import io.countersign.policy.PolicyException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a policy file into compiled rules, refusing anything it does not understand: unknown keys
 * (typos), wrong types, missing fields, unknown effects, duplicate names, bad durations and globs,
 * and CEL conditions that do not parse, type-check or yield a bool. Every error names the file,
 * the line and, once known, the rule.
 *
 * <p>This reads the top level and checks names across entries; a rule is read by {@link
 * RuleParser}, an approval block by {@link ApprovalParser} (its {@code escalate:} by {@link
 * EscalationParser}), a breaker by {@link BreakerParser}.
 */
public final class PolicyParser {
    private static final Set<String> TOP_KEYS = YamlReader.keys("default", "defaultApproval", "rules", "breakers");
    /** The rule name carried by the default's approval requirement; no rule may take it. */
    public static final String DEFAULT_RULE = "default";

    /** What a policy file says, compiled. */
    public record Parsed(
            Effect defaultEffect,
            Optional<ApprovalRequirement> defaultApproval,
            List<CompiledRule> rules,
            List<Breaker> breakers) {
        public Parsed {
            requireNonNull(defaultEffect, "defaultEffect is null");
            requireNonNull(defaultApproval, "defaultApproval is null");
            rules = List.copyOf(requireNonNull(rules, "rules is null"));
            breakers = List.copyOf(requireNonNull(breakers, "breakers is null"));
        }
    }

    private PolicyParser() {}

    /** @throws PolicyException for anything wrong in the file */
    public static Parsed parse(String fileName, String text) {
        YamlReader reader = YamlReader.forFile(fileName);
        Node root = reader.compose(text);
        Map<String, Node> top = reader.mapping(root, "the policy", TOP_KEYS);

        Effect defaultEffect = Optional.ofNullable(top.get("default"))
                .map(node -> PolicyFields.effect(reader, node, "default"))
                .orElse(Effect.DENY);
        Node defaultApprovalNode = top.get("defaultApproval");
        Optional<ApprovalRequirement> defaultApproval = Optional.empty();
        if (defaultEffect == Effect.REQUIRE_APPROVAL) {
            if (defaultApprovalNode == null) {
                throw reader.error(
                        top.get("default"),
                        "default require_approval needs a 'defaultApproval: {groups: [...], quorum: N, timeout: 1h}'");
            }
            defaultApproval = Optional.of(ApprovalParser.approval(
                            reader,
                            defaultApprovalNode,
                            DEFAULT_RULE,
                            "defaultApproval",
                            ApprovalParser.DEFAULT_APPROVAL_KEYS)
                    .requirement());
        } else if (defaultApprovalNode != null) {
            throw reader.error(
                    defaultApprovalNode,
                    "'defaultApproval' is only for default require_approval, the default here is "
                            + defaultEffect.wireName());
        }

        Node rulesNode = reader.required(top, "rules", root, "the policy");
        List<CompiledRule> rules = new ArrayList<>();
        List<Breaker> breakers = new ArrayList<>();
        Map<String, Integer> lineByName = new HashMap<>();
        List<Node> ruleNodes = YamlReader.isNull(rulesNode) ? List.of() : reader.sequence(rulesNode, "rules");
        for (Node ruleNode : ruleNodes) {
            CompiledRule rule = RuleParser.rule(reader, ruleNode, rules.size(), breakers);
            Integer firstLine =
                    lineByName.putIfAbsent(rule.name(), rule.summary().line());
            if (firstLine != null) {
                throw reader.forRule(rule.name())
                        .error(
                                ruleNode,
                                "duplicate rule name '" + rule.name() + "'; the first is on line " + firstLine);
            }
            rules.add(rule);
        }
        Node breakersNode = top.get("breakers");
        if (breakersNode != null && !YamlReader.isNull(breakersNode)) {
            for (Node breakerNode : reader.sequence(breakersNode, "breakers")) {
                Breaker breaker = BreakerParser.agentBreaker(reader, breakerNode, breakers.size() + 1);
                Integer ruleLine = lineByName.get(breaker.name());
                if (ruleLine != null) {
                    throw reader.forRule(breaker.name())
                            .error(
                                    breakerNode,
                                    "breaker name '" + breaker.name() + "' is taken by the rule on line " + ruleLine
                                            + "; a breaker on a rule is named after it, so pick another");
                }
                breakers.stream()
                        .filter(other -> other.name().equals(breaker.name()))
                        .findFirst()
                        .ifPresent(other -> {
                            throw reader.forRule(breaker.name())
                                    .error(
                                            breakerNode,
                                            "duplicate breaker name '" + breaker.name() + "'; the first is on line "
                                                    + other.line());
                        });
                breakers.add(breaker);
            }
        }
        return new Parsed(defaultEffect, defaultApproval, rules, breakers);
    }
}
