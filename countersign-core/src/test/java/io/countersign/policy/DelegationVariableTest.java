package io.countersign.policy;

import static io.countersign.policy.Inputs.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.Delegation;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code delegation} in conditions: "none", "claimed" or "verified", so a policy can require proof. */
class DelegationVariableTest {
    private static final Policy NEEDS_PROOF = policy(
            "default: allow",
            "rules:",
            "  - name: exports-for-a-human-need-proof",
            "    match: {action: \"db.export\"}",
            "    when: 'onBehalfOf != \"\" && delegation != \"verified\"'",
            "    effect: deny",
            "    reason: \"exports for a human need verified delegation\"");

    private static DecisionInput input(Optional<String> onBehalfOf, Delegation delegation) {
        return new DecisionInput(
                new Action("db.export", "db/prod/customers", Action.noParams(), "sync", onBehalfOf),
                Agent.named("bot"),
                Inputs.WEDNESDAY_NOON,
                delegation);
    }

    @Test
    void claimedDelegation_isDenied_whenThePolicyRequiresVerified() {
        Decision decision = NEEDS_PROOF.decide(input(Optional.of("alice"), Delegation.CLAIMED));

        assertThat(decision.effect()).isEqualTo(Effect.DENY);
        assertThat(decision.reason()).isEqualTo("exports for a human need verified delegation");
    }

    @Test
    void verifiedDelegation_passes() {
        assertThat(NEEDS_PROOF
                        .decide(input(Optional.of("alice"), Delegation.VERIFIED))
                        .effect())
                .isEqualTo(Effect.ALLOW);
    }

    @Test
    void noDelegation_isNone() {
        Policy none = policy(
                "rules:", "  - name: r", "    match: {}", "    when: 'delegation == \"none\"'", "    effect: allow");

        assertThat(none.decide(input(Optional.empty(), Delegation.NONE)).effect())
                .isEqualTo(Effect.ALLOW);
    }

    @Test
    void theThreeArgumentInput_treatsOnBehalfOfAsClaimed() {
        DecisionInput input = new DecisionInput(
                new Action("db.export", "x", Action.noParams(), "r", Optional.of("alice")),
                Agent.named("bot"),
                Inputs.WEDNESDAY_NOON);

        assertThat(input.delegation()).isEqualTo(Delegation.CLAIMED);
    }

    @Test
    void verifiedDelegation_withoutOnBehalfOf_isRefused() {
        assertThatThrownBy(() -> input(Optional.empty(), Delegation.VERIFIED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delegation is verified but onBehalfOf is absent");
    }
}
