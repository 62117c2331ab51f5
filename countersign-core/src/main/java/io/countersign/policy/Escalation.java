package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * A rule's {@code approval.escalate}: a request still pending {@code after} its creation is
 * escalated once, to {@code groups} (whose members may then vote on it as if the rule named them:
 * escalation widens the approver set, it does not only notify) and to the channels in
 * {@code notifyTo} (by channel kind, {@code slack} → a Slack channel id), which are told of it.
 */
public record Escalation(Duration after, Set<String> groups, Map<String, String> notifyTo) {
    public Escalation {
        requireNonNull(after, "after is null");
        groups = Set.copyOf(requireNonNull(groups, "groups is null"));
        notifyTo = Map.copyOf(requireNonNull(notifyTo, "notifyTo is null"));
        if (after.isNegative() || after.isZero()) {
            throw new IllegalArgumentException("escalate.after is " + after + ", want a positive duration");
        }
        if (groups.isEmpty() && notifyTo.isEmpty()) {
            throw new IllegalArgumentException("escalate.to is empty; name a group or a channel (slack:C0123ABCD)");
        }
        for (String group : groups) {
            if (group.isBlank()) {
                throw new IllegalArgumentException("escalate.to has a blank group");
            }
        }
        notifyTo.forEach((kind, where) -> {
            if (kind.isBlank() || where.isBlank()) {
                throw new IllegalArgumentException("escalate.to has a blank channel '" + kind + ":" + where + "'");
            }
        });
    }
}
