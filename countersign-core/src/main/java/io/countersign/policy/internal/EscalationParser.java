package io.countersign.policy.internal;

import io.countersign.policy.Escalation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.Node;

/** An approval block's {@code escalate:}: when a pending request escalates, and to whom. */
final class EscalationParser {
    private static final Set<String> ESCALATE_KEYS = YamlReader.keys("after", "to");

    private EscalationParser() {}

    /**
     * {@code escalate: {after: 15m, to: [group, slack:C0123]}}: {@code after} as a timeout is written
     * and before it; each {@code to} entry a group, or a channel as {@code kind:where}.
     */
    static Escalation escalation(
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
            if (!ApprovalParser.NOTIFY_KEYS.contains(kind) || where.isBlank()) {
                throw reader.error(
                        target,
                        what + ".to has '" + name + "'; want a group name or a channel as kind:where, kind one of "
                                + new java.util.TreeSet<>(ApprovalParser.NOTIFY_KEYS) + " (slack:C0123ABCD)");
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
}
