package io.countersign.policy.internal;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Escalation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * An approval block: a rule's {@code approval:}, the policy's {@code defaultApproval:} and a
 * breaker's {@code approval:}: who may approve, how many, for how long, and where they are asked.
 */
final class ApprovalParser {
    /** The keys of a rule's {@code approval:}. */
    static final Set<String> APPROVAL_KEYS =
            YamlReader.keys("groups", "quorum", "timeout", "stepUp", "channel", "notify", "escalate");
    /** The keys of {@code defaultApproval:} and of a breaker's {@code approval:}. */
    static final Set<String> DEFAULT_APPROVAL_KEYS = YamlReader.keys("groups", "quorum", "timeout");
    /** Channel kinds a rule may route its approval messages to. */
    static final Set<String> NOTIFY_KEYS = YamlReader.keys("slack");
    /** {@code notify.slack} as a mapping: the channel, and whether each approver also gets a direct message. */
    private static final Set<String> NOTIFY_SLACK_KEYS = YamlReader.keys("channel", "dm");

    private static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

    /** An approval block as read: the requirement, and what only a rule's summary keeps. */
    record Approval(ApprovalRequirement requirement, boolean stepUp, Optional<String> channel) {}

    private ApprovalParser() {}

    static Approval approval(YamlReader reader, Node node, String rule, String what, Set<String> allowedKeys) {
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
            escalation = Optional.of(
                    EscalationParser.escalation(reader, escalateNode, what + ".escalate", timeout, timeoutNode));
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
}
