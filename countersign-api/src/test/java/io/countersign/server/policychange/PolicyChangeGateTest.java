package io.countersign.server.policychange;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyChangeGateTest {
    private static final Policy POLICY = Policy.parse("policy.yaml", """
            default: allow
            rules:
              - name: deletes
                match: {action: "db.delete"}
                effect: allow
                breaker: {max: 20, per: 1m, then: deny}
            """);
    private static final Agent SYSTEM = new Agent(PolicyChanges.SYSTEM_AGENT_NAME, Map.of());

    private static DecisionInput input(Agent agent, String action) {
        return new DecisionInput(
                Action.of(action, "policy/policy.yaml", Action.noParams(), "why"),
                agent,
                Instant.parse("2026-11-01T10:00:00Z"));
    }

    @Test
    void aProposalNeedsTheConfiguredApprovers_whateverThePolicySays() {
        PolicyChangeGate gate = new PolicyChangeGate(
                POLICY, new PolicyChangeSettings(Set.of("policy-admins"), 2, Duration.ofHours(4), true));

        var decision = gate.decide(input(SYSTEM, PolicyChanges.ACTION));

        assertThat(decision.effect()).isEqualTo(Effect.REQUIRE_APPROVAL);
        assertThat(decision.rules()).containsExactly(PolicyChangeGate.RULE);
        assertThat(decision.approvals()).singleElement().satisfies(requirement -> {
            assertThat(requirement.groups()).containsExactly("policy-admins");
            assertThat(requirement.quorum()).isEqualTo(2);
            assertThat(requirement.timeout()).isEqualTo(Duration.ofHours(4));
        });
        assertThat(decision.policyVersion()).isEqualTo(POLICY.version());
    }

    @Test
    void everyOtherActionIsThePolicys_andTheSystemAgentMayDoNothingElse() {
        PolicyChangeGate gate = new PolicyChangeGate(
                POLICY, new PolicyChangeSettings(Set.of("policy-admins"), 1, Duration.ofHours(4), true));
        PolicyChangeGate off = new PolicyChangeGate(POLICY, PolicyChangeSettings.disabled());

        assertThat(gate.decide(input(Agent.named("reporter"), PolicyChanges.ACTION))
                        .effect())
                .as("an agent asking for policy.change")
                .isEqualTo(Effect.ALLOW);
        assertThat(gate.decide(input(SYSTEM, "db.delete")).effect()).isEqualTo(Effect.DENY);
        assertThat(off.decide(input(SYSTEM, PolicyChanges.ACTION)).effect()).isEqualTo(Effect.DENY);
        assertThat(gate.breakers()).isEqualTo(POLICY.breakers()).hasSize(1);
        assertThat(gate.version()).isEqualTo(POLICY.version());
    }
}
