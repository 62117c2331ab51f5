package io.countersign.policy.internal;

import static io.countersign.policy.internal.PolicyFields.effect;
import static io.countersign.policy.internal.PolicyFields.glob;
import static io.countersign.policy.internal.PolicyFields.peekName;
import static java.util.Objects.requireNonNull;

import io.countersign.policy.Breaker;
import io.countersign.policy.Effect;
import io.countersign.policy.Glob;
import io.countersign.policy.RuleSummary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * One entry of {@code rules:}: its name, {@code match} globs, {@code when} condition (compiled),
 * effect, reason, approval, breaker and expiry.
 */
final class RuleParser {
    private static final Set<String> RULE_KEYS =
            YamlReader.keys("name", "match", "when", "effect", "reason", "approval", "breaker", "expiresAt", "mask");
    private static final Set<String> MATCH_KEYS = YamlReader.keys("action", "resource", "agent");

    private RuleParser() {}

    /** The rule at {@code index}; its {@code breaker:}, if any, is added to {@code breakers}. */
    static CompiledRule rule(YamlReader fileReader, Node node, int index, List<Breaker> breakers) {
        String label = "rule #" + (index + 1);
        Optional<String> name = peekName(node);
        YamlReader reader = name.map(fileReader::forRule).orElse(fileReader);
        Map<String, Node> entries = reader.mapping(node, name.isPresent() ? "rule" : label, RULE_KEYS);
        if (name.isEmpty()) {
            Node nameNode = entries.get("name");
            throw nameNode == null
                    ? reader.error(node, label + " has no 'name'")
                    : reader.error(nameNode, label + ": 'name' must be a string, got " + YamlReader.describe(nameNode));
        }
        String ruleName = name.get();
        if (!PolicyFields.NAME.matcher(ruleName).matches()) {
            throw reader.error(
                    entries.get("name"),
                    "rule name must start with a letter or digit and have only letters, digits and _ . : - (at most 128)");
        }
        if (ruleName.equals(PolicyParser.DEFAULT_RULE)) {
            throw reader.error(
                    entries.get("name"), "the rule name 'default' is reserved for the policy's default; pick another");
        }

        Node matchNode = entries.get("match");
        if (matchNode == null) {
            throw reader.error(node, "rule has no 'match'; write 'match: {}' to match every action");
        }
        if (YamlReader.isNull(matchNode)) {
            throw reader.error(
                    matchNode, "match must be a mapping, got nothing; write 'match: {}' to match every action");
        }
        Map<String, Node> match = reader.mapping(matchNode, "match", MATCH_KEYS);
        Optional<Glob> action = glob(reader, match.get("action"), "match.action", Glob::action);
        Optional<Glob> resource = glob(reader, match.get("resource"), "match.resource", Glob::resource);
        Optional<Glob> agent = glob(reader, match.get("agent"), "match.agent", Glob::agent);

        Effect effect = effect(reader, reader.required(entries, "effect", node, "rule"), "effect");
        Optional<String> reason =
                Optional.ofNullable(entries.get("reason")).map(reasonNode -> reader.string(reasonNode, "reason"));

        Node approvalNode = entries.get("approval");
        Optional<ApprovalParser.Approval> approval = Optional.empty();
        if (effect == Effect.REQUIRE_APPROVAL) {
            if (approvalNode == null) {
                throw reader.error(
                        node,
                        "effect require_approval needs 'approval: {groups: [...]}' (quorum defaults to 1, timeout to 1h)");
            }
            approval = Optional.of(
                    ApprovalParser.approval(reader, approvalNode, ruleName, "approval", ApprovalParser.APPROVAL_KEYS));
        } else if (approvalNode != null) {
            throw reader.error(
                    approvalNode,
                    "'approval' is only for effect require_approval, this rule's effect is " + effect.wireName());
        }

        Node whenNode = entries.get("when");
        Optional<String> when = Optional.ofNullable(whenNode).map(n -> reader.string(n, "when"));
        Optional<Condition> condition =
                when.map(expression -> condition(reader, requireNonNull(whenNode, "when"), expression));

        RuleSummary summary = new RuleSummary(
                ruleName,
                YamlReader.line(node),
                action,
                resource,
                agent,
                when,
                effect,
                reason,
                approval.map(ApprovalParser.Approval::requirement),
                approval.map(ApprovalParser.Approval::stepUp).orElse(false),
                approval.flatMap(ApprovalParser.Approval::channel),
                expiresAt(reader, entries.get("expiresAt")));
        Node breakerNode = entries.get("breaker");
        if (breakerNode != null) {
            breakers.add(BreakerParser.ruleBreaker(
                    reader, breakerNode, ruleName, effect, approval.map(ApprovalParser.Approval::requirement)));
        }
        return new CompiledRule(
                index, summary, condition, MaskReader.read(reader, entries.get("mask"), ruleName, effect));
    }

    /** {@code expiresAt: 2026-12-09T00:00:00Z}: an instant with its offset, from when the rule no longer matches. */
    private static Optional<java.time.Instant> expiresAt(YamlReader reader, @Nullable Node node) {
        if (node == null) {
            return Optional.empty();
        }
        String text = reader.scalarText(node, "expiresAt").trim();
        try {
            return Optional.of(java.time.OffsetDateTime.parse(text).toInstant());
        } catch (java.time.format.DateTimeParseException e) {
            throw reader.error(
                    node, "expiresAt '" + text + "' is not a time with its offset; want e.g. 2026-12-09T00:00:00Z");
        }
    }

    private static Condition condition(YamlReader reader, Node node, String expression) {
        try {
            return Condition.compile(expression);
        } catch (Condition.Invalid e) {
            throw reader.error(
                    conditionLine(node, e.lineInExpression()),
                    java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
    }

    /**
     * The file line of a line inside a condition. A literal block ({@code when: |}) keeps the
     * expression's lines, starting on the line after the indicator; other styles fold the
     * expression onto one line, so the best we can name is where it starts.
     */
    private static int conditionLine(Node node, int lineInExpression) {
        ScalarNode scalar = (ScalarNode) node;
        return switch (scalar.getScalarStyle()) {
            case LITERAL -> YamlReader.line(node) + lineInExpression;
            case FOLDED -> YamlReader.line(node) + 1;
            default -> YamlReader.line(node);
        };
    }
}
