package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * The policy's verdict on one action: the effect, the names of the rules that matched (empty when
 * the default applied), a human-readable reason, the version of the policy that decided, and for
 * {@code require_approval} every approval requirement that must be met (one per matching rule),
 * and the column masks of the matching allow and require_approval rules (never on a deny).
 */
public record Decision(
        Effect effect,
        List<String> rules,
        String reason,
        String policyVersion,
        List<ApprovalRequirement> approvals,
        List<ColumnMask> masks) {
    public Decision {
        requireNonNull(effect, "effect is null");
        rules = List.copyOf(requireNonNull(rules, "rules is null"));
        requireNonNull(reason, "reason is null");
        requireNonNull(policyVersion, "policyVersion is null");
        approvals = List.copyOf(requireNonNull(approvals, "approvals is null"));
        if ((effect == Effect.REQUIRE_APPROVAL) != !approvals.isEmpty()) {
            throw new IllegalArgumentException(
                    "a decision carries approval requirements exactly when its effect is require_approval, got "
                            + effect + " with " + approvals.size() + " requirement(s)");
        }
        masks = List.copyOf(requireNonNull(masks, "masks is null"));
        if (effect == Effect.DENY && !masks.isEmpty()) {
            throw new IllegalArgumentException("a deny decision masks nothing, got " + masks.size() + " mask(s)");
        }
    }

    /** A decision without column masks. */
    public Decision(
            Effect effect,
            List<String> rules,
            String reason,
            String policyVersion,
            List<ApprovalRequirement> approvals) {
        this(effect, rules, reason, policyVersion, approvals, List.of());
    }

    /** The shortest timeout among the requirements: the request expires when the first one runs out. */
    public Duration approvalTimeout() {
        return approvals.stream()
                .map(ApprovalRequirement::timeout)
                .min(Comparator.naturalOrder())
                .orElseThrow(() -> new IllegalStateException("decision " + effect + " has no approval timeout"));
    }
}
