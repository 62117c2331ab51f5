package io.countersign.server.insights;

import io.countersign.policy.Effect;
import io.countersign.workflow.ApprovalRequest;
import java.util.List;

/**
 * The replay check every suggested rule passes before it is shown: the rule alone, replayed
 * against the whole history (not just the evidence), matches only requests that were decided the
 * way the rule would decide them. An allow rule may match only requests humans approved; a deny
 * rule only requests humans denied or the policy already denied. Anything else (a request the
 * policy allowed, a human approved, that expired or was approved by break-glass) is a
 * contradiction, and the suggestion is dropped.
 */
final class RuleCheck {
    private RuleCheck() {}

    /** Of the requests a rule with {@code effect} matches, those it would decide otherwise than they were decided. */
    static List<ApprovalRequest> contradictions(Effect effect, List<ApprovalRequest> matched) {
        return matched.stream().filter(request -> !sameWay(effect, request)).toList();
    }

    private static boolean sameWay(Effect effect, ApprovalRequest request) {
        return switch (effect) {
            case ALLOW -> Verdict.humanApproved(request);
            case DENY ->
                Verdict.of(request) == Verdict.DENIED || request.decision().effect() == Effect.DENY;
            case REQUIRE_APPROVAL -> throw new IllegalArgumentException("a suggestion allows or denies");
        };
    }
}
