package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One rule's demand: {@code quorum} distinct humans, each a member of at least one of
 * {@code groups}, must approve within {@code timeout}; with {@code stepUp}, only approvals from
 * a fresh sign-in count. {@code notifyTo} (the policy's {@code notify}) says where channels should ask, by channel kind
 * ({@code slack} → a Slack channel id); it routes messages and decides nothing. {@code directTo} names the
 * channel kinds that also message each human who may decide directly ({@code slack}: a DM, the policy's
 * {@code notify.slack.dm}). {@code escalation} (the policy's {@code escalate}) widens the approver set of a
 * request still pending after a while: see {@link Escalation}.
 */
public record ApprovalRequirement(
        String rule,
        Set<String> groups,
        int quorum,
        Duration timeout,
        boolean stepUp,
        Map<String, String> notifyTo,
        Set<String> directTo,
        Optional<Escalation> escalation) {
    public ApprovalRequirement {
        requireNonNull(rule, "rule is null");
        groups = Set.copyOf(requireNonNull(groups, "groups is null"));
        requireNonNull(timeout, "timeout is null");
        notifyTo = Map.copyOf(requireNonNull(notifyTo, "notifyTo is null"));
        directTo = Set.copyOf(requireNonNull(directTo, "directTo is null"));
        requireNonNull(escalation, "escalation is null");
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("rule '" + rule + "': approval needs at least one group");
        }
        if (quorum < 1) {
            throw new IllegalArgumentException("rule '" + rule + "': quorum is " + quorum + ", want at least 1");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(
                    "rule '" + rule + "': timeout is " + timeout + ", want a positive duration");
        }
        notifyTo.forEach((kind, where) -> {
            if (kind.isBlank() || where.isBlank()) {
                throw new IllegalArgumentException(
                        "rule '" + rule + "': notify has a blank entry '" + kind + "': '" + where + "'");
            }
        });
        if (escalation.isPresent() && !escalation.get().after().minus(timeout).isNegative()) {
            throw new IllegalArgumentException(
                    "rule '" + rule + "': escalate.after is " + escalation.get().after() + ", not before the timeout "
                            + timeout + ": the request would expire first");
        }
    }

    /** Without direct messages or escalation. */
    public ApprovalRequirement(
            String rule,
            Set<String> groups,
            int quorum,
            Duration timeout,
            boolean stepUp,
            Map<String, String> notifyTo) {
        this(rule, groups, quorum, timeout, stepUp, notifyTo, Set.of(), Optional.empty());
    }

    /** Without notification routing. */
    public ApprovalRequirement(String rule, Set<String> groups, int quorum, Duration timeout, boolean stepUp) {
        this(rule, groups, quorum, timeout, stepUp, Map.of());
    }

    /** Without step-up. */
    public ApprovalRequirement(String rule, Set<String> groups, int quorum, Duration timeout) {
        this(rule, groups, quorum, timeout, false);
    }
}
