package io.countersign.workflow;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.PolicyEngine;
import java.util.List;
import java.util.Map;

/** A policy fixed by action name, so workflow tests don't depend on the policy language. */
final class StubPolicy implements PolicyEngine {
    private final Map<String, Decision> byAction;

    StubPolicy(Map<String, Decision> byAction) {
        this.byAction = Map.copyOf(byAction);
    }

    static Decision allow(String rule) {
        return new Decision(Effect.ALLOW, List.of(rule), "allowed by rule '" + rule + "'", "sha256:test", List.of());
    }

    static Decision deny(String rule, String reason) {
        return new Decision(Effect.DENY, List.of(rule), reason, "sha256:test", List.of());
    }

    static Decision requireApproval(ApprovalRequirement... requirements) {
        return new Decision(
                Effect.REQUIRE_APPROVAL,
                java.util.Arrays.stream(requirements)
                        .map(ApprovalRequirement::rule)
                        .toList(),
                "needs approval",
                "sha256:test",
                List.of(requirements));
    }

    @Override
    public Decision decide(DecisionInput input) {
        return byAction.getOrDefault(
                input.action().action(),
                new Decision(Effect.DENY, List.of(), "no rule matched; default is deny", "sha256:test", List.of()));
    }

    @Override
    public String version() {
        return "sha256:test";
    }
}
