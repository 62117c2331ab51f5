package io.countersign.server.insights;

import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
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

    /** The requests of {@code history} the rule would decide otherwise than they were decided. */
    static List<ApprovalRequest> contradictions(
            String name, String ruleYaml, Effect effect, List<ApprovalRequest> history) {
        Policy alone = Policy.parse("suggestion", "rules:\n" + ruleYaml);
        return history.stream()
                .filter(request -> matches(alone, name, request))
                .filter(request -> !sameWay(effect, request))
                .toList();
    }

    private static boolean matches(Policy alone, String name, ApprovalRequest request) {
        Decision decision = alone.decide(
                new DecisionInput(request.action(), request.agent(), request.createdAt(), request.delegation()));
        return decision.rules().contains(name);
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
