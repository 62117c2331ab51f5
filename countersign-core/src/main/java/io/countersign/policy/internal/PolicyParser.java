package io.countersign.policy.internal;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Breaker;
import io.countersign.policy.Effect;
import io.countersign.policy.Escalation;
import io.countersign.policy.Glob;
import io.countersign.policy.PolicyException;
import io.countersign.policy.RuleSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a policy file into compiled rules, refusing anything it does not understand: unknown keys
 * (typos), wrong types, missing fields, unknown effects, duplicate names, bad durations and globs,
 * and CEL conditions that do not parse, type-check or yield a bool. Every error names the file,
 * the line and, once known, the rule.
 */
public final class PolicyParser {
    private static final Set<String> TOP_KEYS = YamlReader.keys("default", "defaultApproval", "rules", "breakers");
    private static final Set<String> RULE_KEYS =
            YamlReader.keys("name", "match", "when", "effect", "reason", "approval", "breaker", "expiresAt");
    private static final Set<String> MATCH_KEYS = YamlReader.keys("action", "resource", "agent");
    private static final Set<String> APPROVAL_KEYS =
            YamlReader.keys("groups", "quorum", "timeout", "stepUp", "channel", "notify", "escalate");
    /** Channel kinds a rule may route its approval messages to. */
    private static final Set<String> NOTIFY_KEYS = YamlReader.keys("slack");
    /** {@code notify.slack} as a mapping: the channel, and whether each approver also gets a direct message. */
    private static final Set<String> NOTIFY_SLACK_KEYS = YamlReader.keys("channel", "dm");

    private static final Set<String> ESCALATE_KEYS = YamlReader.keys("after", "to");

    private static final Set<String> DEFAULT_APPROVAL_KEYS = YamlReader.keys("groups", "quorum", "timeout");
    private static final Set<String> RULE_BREAKER_KEYS = YamlReader.keys("max", "per", "then", "approval");
    private static final Set<String> AGENT_BREAKER_KEYS =
            YamlReader.keys("name", "agent", "on", "max", "per", "then", "approval");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");
    /** The rule name carried by the default's approval requirement; no rule may take it. */
    public static final String DEFAULT_RULE = "default";

    private static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

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

    private record Approval(ApprovalRequirement requirement, boolean stepUp, Optional<String> channel) {}

    private PolicyParser() {}

    /** @throws PolicyException for anything wrong in the file */
    public static Parsed parse(String fileName, String text) {
        YamlReader reader = YamlReader.forFile(fileName);
        Node root = reader.compose(text);
        Map<String, Node> top = reader.mapping(root, "the policy", TOP_KEYS);

        Effect defaultEffect = Optional.ofNullable(top.get("default"))
                .map(node -> effect(reader, node, "default"))
                .orElse(Effect.DENY);
        Node defaultApprovalNode = top.get("defaultApproval");
        Optional<ApprovalRequirement> defaultApproval = Optional.empty();
        if (defaultEffect == Effect.REQUIRE_APPROVAL) {
            if (defaultApprovalNode == null) {
                throw reader.error(
                        top.get("default"),
                        "default require_approval needs a 'defaultApproval: {groups: [...], quorum: N, timeout: 1h}'");
            }
            defaultApproval = Optional.of(
                    approval(reader, defaultApprovalNode, DEFAULT_RULE, "defaultApproval", DEFAULT_APPROVAL_KEYS)
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
            CompiledRule rule = rule(reader, ruleNode, rules.size(), breakers);
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
                Breaker breaker = agentBreaker(reader, breakerNode, breakers.size() + 1);
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

    private static CompiledRule rule(YamlReader fileReader, Node node, int index, List<Breaker> breakers) {
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
        if (!NAME.matcher(ruleName).matches()) {
            throw reader.error(
                    entries.get("name"),
                    "rule name must start with a letter or digit and have only letters, digits and _ . : - (at most 128)");
        }
        if (ruleName.equals(DEFAULT_RULE)) {
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
        Optional<Approval> approval = Optional.empty();
        if (effect == Effect.REQUIRE_APPROVAL) {
            if (approvalNode == null) {
                throw reader.error(
                        node,
                        "effect require_approval needs 'approval: {groups: [...]}' (quorum defaults to 1, timeout to 1h)");
            }
            approval = Optional.of(approval(reader, approvalNode, ruleName, "approval", APPROVAL_KEYS));
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
                approval.map(Approval::requirement),
                approval.map(Approval::stepUp).orElse(false),
                approval.flatMap(Approval::channel),
                expiresAt(reader, entries.get("expiresAt")));
        Node breakerNode = entries.get("breaker");
        if (breakerNode != null) {
            breakers.add(ruleBreaker(reader, breakerNode, ruleName, effect, approval.map(Approval::requirement)));
        }
        return new CompiledRule(index, summary, condition);
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

    /**
     * {@code breaker: {max, per, then, approval?}} on a rule: named after the rule, counting the
     * actions the rule decides. {@code then} is never looser than the rule's effect; with
     * {@code then: require_approval} the breaker's own approval applies, or else the rule's.
     */
    private static Breaker ruleBreaker(
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
    private static Breaker agentBreaker(YamlReader fileReader, Node node, int position) {
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
        if (!NAME.matcher(name.get()).matches()) {
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
        return Optional.of(approval(reader, approvalNode, rule, label, DEFAULT_APPROVAL_KEYS)
                .requirement());
    }

    private static Optional<String> peekName(Node node) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key
                        && key.getValue().equals("name")
                        && tuple.getValueNode() instanceof ScalarNode value
                        && Tag.STR.equals(value.getTag())
                        && !value.getValue().isBlank()) {
                    return Optional.of(value.getValue());
                }
            }
        }
        return Optional.empty();
    }

    private static Effect effect(YamlReader reader, Node node, String what) {
        String text = reader.string(node, what);
        try {
            return Effect.fromWireName(text);
        } catch (IllegalArgumentException e) {
            throw reader.error(node, "unknown " + what + " '" + text + "'; want allow, deny or require_approval");
        }
    }

    private static Optional<Glob> glob(
            YamlReader reader, @Nullable Node node, String what, Function<String, Glob> factory) {
        if (node == null) {
            return Optional.empty();
        }
        String text = reader.string(node, what);
        try {
            return Optional.of(factory.apply(text));
        } catch (IllegalArgumentException e) {
            throw reader.error(node, what + ": " + e.getMessage());
        }
    }

    private static Approval approval(YamlReader reader, Node node, String rule, String what, Set<String> allowedKeys) {
        Map<String, Node> entries = reader.mapping(node, what, allowedKeys);
        Node groupsNode = reader.required(entries, "groups", node, what);
        Set<String> groups = new LinkedHashSet<>();
        for (Node group : reader.sequence(groupsNode, what + ".groups")) {
            groups.add(reader.string(group, "a group in " + what + ".groups"));
        }
        if (groups.isEmpty()) {
            throw reader.error(groupsNode, what + ".groups is empty; name at least one group that may approve");
        }
        int quorum = 1;
        Node quorumNode = entries.get("quorum");
        if (quorumNode != null) {
            long value = reader.integer(quorumNode, what + ".quorum");
            if (value < 1 || value > Integer.MAX_VALUE) {
                throw reader.error(quorumNode, what + ".quorum is " + value + ", want at least 1");
            }
            quorum = (int) value;
        }
        Duration timeout = DEFAULT_TIMEOUT;
        Node timeoutNode = entries.get("timeout");
        if (timeoutNode != null) {
            try {
                timeout = Durations.parse(reader.scalarText(timeoutNode, what + ".timeout"));
            } catch (IllegalArgumentException e) {
                throw reader.error(timeoutNode, what + ".timeout " + e.getMessage());
            }
        }
        boolean stepUp = Optional.ofNullable(entries.get("stepUp"))
                .map(n -> reader.bool(n, what + ".stepUp"))
                .orElse(false);
        Optional<String> channel =
                Optional.ofNullable(entries.get("channel")).map(n -> reader.string(n, what + ".channel"));
        Map<String, String> notify = new LinkedHashMap<>();
        Set<String> direct = new LinkedHashSet<>();
        Node notifyNode = entries.get("notify");
        if (notifyNode != null) {
            for (Map.Entry<String, Node> target :
                    reader.mapping(notifyNode, what + ".notify", NOTIFY_KEYS).entrySet()) {
                String label = what + ".notify." + target.getKey();
                Node where = target.getValue();
                if (where instanceof MappingNode) {
                    // notify.slack: {channel: C0123, dm: true}
                    Map<String, Node> options = reader.mapping(where, label, NOTIFY_SLACK_KEYS);
                    Optional.ofNullable(options.get("channel"))
                            .ifPresent(
                                    value -> notify.put(target.getKey(), channel(reader, value, label + ".channel")));
                    if (Optional.ofNullable(options.get("dm"))
                            .map(value -> reader.bool(value, label + ".dm"))
                            .orElse(false)) {
                        direct.add(target.getKey());
                    }
                } else {
                    notify.put(target.getKey(), channel(reader, where, label));
                }
            }
        }
        Optional<Escalation> escalation = Optional.empty();
        Node escalateNode = entries.get("escalate");
        if (escalateNode != null) {
            escalation = Optional.of(escalation(reader, escalateNode, what + ".escalate", timeout, timeoutNode));
        }
        ApprovalRequirement requirement;
        try {
            requirement = new ApprovalRequirement(rule, groups, quorum, timeout, stepUp, notify, direct, escalation);
        } catch (IllegalArgumentException e) {
            throw reader.error(node, what + ": " + e.getMessage());
        }
        return new Approval(requirement, stepUp, channel);
    }

    private static String channel(YamlReader reader, Node node, String what) {
        String where = reader.string(node, what);
        if (where.isBlank()) {
            throw reader.error(node, what + " is blank; name a channel or leave it out");
        }
        return where;
    }

    /**
     * {@code escalate: {after: 15m, to: [group, slack:C0123]}}: {@code after} as a timeout is written
     * and before it; each {@code to} entry a group, or a channel as {@code kind:where}.
     */
    private static Escalation escalation(
            YamlReader reader, Node node, String what, Duration timeout, @Nullable Node timeoutNode) {
        Map<String, Node> entries = reader.mapping(node, what, ESCALATE_KEYS);
        Node afterNode = reader.required(entries, "after", node, what);
        Duration after;
        try {
            after = Durations.parse(reader.scalarText(afterNode, what + ".after"));
        } catch (IllegalArgumentException e) {
            throw reader.error(afterNode, what + ".after " + e.getMessage());
        }
        if (after.compareTo(timeout) >= 0) {
            throw reader.error(
                    afterNode,
                    what + ".after is " + reader.scalarText(afterNode, what + ".after") + ", not before the "
                            + (timeoutNode == null ? "default timeout (1h)" : "timeout")
                            + ": the request would expire before it escalates");
        }
        Node toNode = reader.required(entries, "to", node, what);
        Set<String> groups = new LinkedHashSet<>();
        Map<String, String> channels = new LinkedHashMap<>();
        for (Node target : reader.sequence(toNode, what + ".to")) {
            String name = reader.string(target, "an entry of " + what + ".to");
            int colon = name.indexOf(':');
            if (colon < 0) {
                if (name.isBlank()) {
                    throw reader.error(target, what + ".to has a blank entry; name a group or a channel");
                }
                groups.add(name);
                continue;
            }
            String kind = name.substring(0, colon);
            String where = name.substring(colon + 1);
            if (!NOTIFY_KEYS.contains(kind) || where.isBlank()) {
                throw reader.error(
                        target,
                        what + ".to has '" + name + "'; want a group name or a channel as kind:where, kind one of "
                                + new java.util.TreeSet<>(NOTIFY_KEYS) + " (slack:C0123ABCD)");
            }
            if (channels.putIfAbsent(kind, where) != null) {
                throw reader.error(target, what + ".to names two " + kind + " channels; name one");
            }
        }
        try {
            return new Escalation(after, groups, channels);
        } catch (IllegalArgumentException e) {
            throw reader.error(toNode, what + ": " + e.getMessage());
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
