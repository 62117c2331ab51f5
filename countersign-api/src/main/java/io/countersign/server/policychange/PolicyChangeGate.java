package io.countersign.server.policychange;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Breaker;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.PolicyEngine;
import java.util.List;

/**
 * The policy as the workflow sees it: the active policy decides every agent's actions, and the
 * gateway's own policy-change proposals need the approval the config names. The policy file does
 * not decide who may change it, so a policy can't make its own changes easier to approve.
 */
public final class PolicyChangeGate implements PolicyEngine {
    /** The name the decision gives the config's requirement. */
    public static final String RULE = "policyChanges.approvers";

    private final PolicyEngine policy;
    private final PolicyChangeSettings settings;

    public PolicyChangeGate(PolicyEngine policy, PolicyChangeSettings settings) {
        this.policy = requireNonNull(policy, "policy is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    @Override
    public Decision decide(DecisionInput input) {
        if (!PolicyChanges.isSystemAgent(input.agent())) {
            return policy.decide(input);
        }
        if (!settings.enabled() || !input.action().action().equals(PolicyChanges.ACTION)) {
            // Nothing else is ever asked as the system agent; deny on doubt.
            return new Decision(
                    Effect.DENY,
                    List.of(),
                    "policy changes through the API are off (policyChanges.approvers)",
                    policy.version(),
                    List.of());
        }
        ApprovalRequirement requirement =
                new ApprovalRequirement(RULE, settings.approvers(), settings.quorum(), settings.timeout());
        return new Decision(
                Effect.REQUIRE_APPROVAL,
                List.of(RULE),
                "a policy change needs " + settings.quorum() + " approval(s) from "
                        + String.join(", ", new java.util.TreeSet<>(settings.approvers())),
                policy.version(),
                List.of(requirement));
    }

    @Override
    public String version() {
        return policy.version();
    }

    /** The active policy's breakers: the gate changes who decides policy changes, nothing else. */
    @Override
    public List<Breaker> breakers() {
        return policy.breakers();
    }
}
