package io.countersign.policy.internal;

import static io.countersign.policy.internal.PolicyFields.effect;
import static io.countersign.policy.internal.PolicyFields.glob;
import static io.countersign.policy.internal.PolicyFields.peekName;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Breaker;
import io.countersign.policy.Effect;
import io.countersign.policy.Glob;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Circuit breakers: a rule's {@code breaker:} and the entries of the top-level {@code breakers:}.
 * A breaker never loosens: its {@code then} is require_approval or deny.
 */
final class BreakerParser {
    private static final Set<String> RULE_BREAKER_KEYS = YamlReader.keys("max", "per", "then", "approval");
    private static final Set<String> AGENT_BREAKER_KEYS =
            YamlReader.keys("name", "agent", "on", "max", "per", "then", "approval");

    private BreakerParser() {}

    /**
     * {@code breaker: {max, per, then, approval?}} on a rule: named after the rule, counting the
     * actions the rule decides. {@code then} is never looser than the rule's effect; with
     * {@code then: require_approval} the breaker's own approval applies, or else the rule's.
     */
    static Breaker ruleBreaker(
            YamlReader reader, Node node, String rule, Effect ruleEffect, Optional<ApprovalRequirement> ruleApproval) {
        Map<String, Node> entries = reader.mapping(node, "breaker", RULE_BREAKER_KEYS);
        Node thenNode = reader.required(entries, "then", node, "breaker");
        Effect then = breakerThen(reader, thenNode, "breaker.then");
        if (then.compareTo(ruleEffect) < 0) {
            throw reader.error(
                    thenNode,
                    "breaker.then " + then.wireName() + " is looser than the rule's effect " + ruleEffect.wireName()
                            + "; a breaker never loosens, want "
                            + (ruleEffect == Effect.DENY ? "deny" : "require_approval or deny"));
        }
        Optional<ApprovalRequirement> approval =
                breakerApproval(reader, node, entries, then, "breaker:" + rule, "breaker");
        if (then == Effect.REQUIRE_APPROVAL && approval.isEmpty()) {
            approval = ruleApproval;
            if (approval.isEmpty()) {
                throw reader.error(
                        node,
                        "breaker.then require_approval needs 'approval: {groups: [...]}' in the breaker, the rule has none");
            }
        }
        return breaker(reader, node, entries, rule, new Breaker.OnRule(rule), then, approval, "breaker");
    }

    /** A top-level {@code breakers:} entry: {@code {name, agent?, on?, max, per, then, approval?}}. */
    static Breaker agentBreaker(YamlReader fileReader, Node node, int position) {
        Optional<String> name = peekName(node);
        YamlReader reader = name.map(fileReader::forRule).orElse(fileReader);
        String label = "breaker #" + position;
        unquoteOnKey(node);
        Map<String, Node> entries = reader.mapping(node, name.isPresent() ? "breaker" : label, AGENT_BREAKER_KEYS);
        if (name.isEmpty()) {
            Node nameNode = entries.get("name");
            throw nameNode == null
                    ? reader.error(node, label + " has no 'name'")
                    : reader.error(nameNode, label + ": 'name' must be a string, got " + YamlReader.describe(nameNode));
        }
        if (!PolicyFields.NAME.matcher(name.get()).matches()) {
            throw reader.error(
                    entries.get("name"),
                    "breaker name must start with a letter or digit and have only letters, digits and _ . : - (at most 128)");
        }
        Glob agent = glob(reader, entries.get("agent"), "agent", Glob::agent).orElseGet(() -> Glob.agent("*"));
        Breaker.OnAgent scope = new Breaker.OnAgent(agent, Optional.empty());
        Node onNode = entries.get("on");
        if (onNode != null) {
            String on = reader.string(onNode, "on");
            scope = switch (on) {
                case "any" -> scope;
                case "denied", "deny" -> new Breaker.OnAgent(agent, Optional.of(Effect.DENY));
                case "human_denied" -> new Breaker.OnAgent(agent, Optional.of(Effect.DENY), false, true);
                case "any_denied" -> new Breaker.OnAgent(agent, Optional.of(Effect.DENY), true, true);
                case "allowed", "allow" -> new Breaker.OnAgent(agent, Optional.of(Effect.ALLOW));
                case "require_approval" -> new Breaker.OnAgent(agent, Optional.of(Effect.REQUIRE_APPROVAL));
                default ->
                    throw reader.error(
                            onNode,
                            "unknown on '" + on
                                    + "'; want any, denied, human_denied, any_denied, allow or require_approval");
            };
        }
        Node thenNode = reader.required(entries, "then", node, "breaker");
        Effect then = breakerThen(reader, thenNode, "then");
        Optional<ApprovalRequirement> approval =
                breakerApproval(reader, node, entries, then, "breaker:" + name.get(), "approval");
        if (then == Effect.REQUIRE_APPROVAL && approval.isEmpty()) {
            throw reader.error(
                    node,
                    "then require_approval needs 'approval: {groups: [...]}' (quorum defaults to 1, timeout to 1h)");
        }
        return breaker(reader, node, entries, name.get(), scope, then, approval, "");
    }

    /**
     * YAML 1.1 reads a plain {@code on} as the boolean true, so {@code on: denied} would be a key
     * that is not a name; the breaker's key is meant as the word, so it is read as one.
     */
    private static void unquoteOnKey(Node node) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key
                        && Tag.BOOL.equals(key.getTag())
                        && key.getValue().equalsIgnoreCase("on")) {
                    key.setTag(Tag.STR);
                }
            }
        }
    }

    private static Breaker breaker(
            YamlReader reader,
            Node node,
            Map<String, Node> entries,
            String name,
            Breaker.Scope scope,
            Effect then,
            Optional<ApprovalRequirement> approval,
            String prefix) {
        String what = prefix.isEmpty() ? "" : prefix + ".";
        Node maxNode = reader.required(entries, "max", node, prefix.isEmpty() ? "breaker" : prefix);
        long max = reader.integer(maxNode, what + "max");
        if (max < 1 || max > Breaker.MAX_COUNT) {
            throw reader.error(maxNode, what + "max is " + max + ", want 1 to " + Breaker.MAX_COUNT);
        }
        Node perNode = reader.required(entries, "per", node, prefix.isEmpty() ? "breaker" : prefix);
        Duration per;
        try {
            per = Durations.parse(reader.scalarText(perNode, what + "per"));
        } catch (IllegalArgumentException e) {
            throw reader.error(perNode, what + "per " + e.getMessage());
        }
        return new Breaker(name, scope, (int) max, per, then, approval, YamlReader.line(node));
    }

    private static Effect breakerThen(YamlReader reader, Node node, String what) {
        Effect then = effect(reader, node, what);
        if (then == Effect.ALLOW) {
            throw reader.error(node, what + " is allow; a breaker never loosens, want require_approval or deny");
        }
        return then;
    }

    private static Optional<ApprovalRequirement> breakerApproval(
            YamlReader reader, Node owner, Map<String, Node> entries, Effect then, String rule, String what) {
        Node approvalNode = entries.get("approval");
        if (approvalNode == null) {
            return Optional.empty();
        }
        if (then != Effect.REQUIRE_APPROVAL) {
            throw reader.error(
                    approvalNode,
                    "'approval' in a breaker is only for then require_approval, this breaker's then is "
                            + then.wireName());
        }
        String label = what.equals("breaker") ? "breaker.approval" : "approval";
        return Optional.of(
                ApprovalParser.approval(reader, approvalNode, rule, label, ApprovalParser.DEFAULT_APPROVAL_KEYS)
                        .requirement());
    }
}
