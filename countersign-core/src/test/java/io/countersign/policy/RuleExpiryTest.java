package io.countersign.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/** {@code expiresAt}: a rule tried for a while stops matching at its expiry, and the policy falls back to the others. */
class RuleExpiryTest {
    private static final String POLICY = """
            default: deny
            rules:
              - name: queries-need-a-data-owner
                match: {action: "db.query"}
                effect: require_approval
                approval: {groups: [data-owners]}
                when: '!(agent.name == "reporter")'
              - name: reporter-reads-analytics-for-a-week
                match: {action: "db.query", agent: "reporter", resource: "db/analytics/*"}
                effect: allow
                expiresAt: 2026-12-09T00:00:00Z
            """;

    private static final Instant EXPIRY = Instant.parse("2026-12-09T00:00:00Z");

    private static Decision decideAt(Policy policy, Instant time) {
        return policy.decide(new DecisionInput(
                Action.of("db.query", "db/analytics/events", JsonNodeFactory.instance.objectNode(), "report"),
                Agent.named("reporter"),
                time));
    }

    @Test
    void aRuleMatchesUntilItsExpiry_andNotFromItsExpiryOn() {
        Policy policy = Policy.parse("policy.yaml", POLICY);

        assertThat(decideAt(policy, EXPIRY.minusMillis(1)).rules())
                .containsExactly("reporter-reads-analytics-for-a-week");
        assertThat(decideAt(policy, EXPIRY.minusMillis(1)).effect()).isEqualTo(Effect.ALLOW);
        Decision expired = decideAt(policy, EXPIRY);
        assertThat(expired.effect()).isEqualTo(Effect.DENY);
        assertThat(expired.rules()).isEmpty();
    }

    @Test
    void theSummaryCarriesTheExpiry_whateverOffsetItWasWrittenIn() {
        Policy policy =
                Policy.parse("policy.yaml", POLICY.replace("2026-12-09T00:00:00Z", "'2026-12-09T01:00:00+01:00'"));

        RuleSummary rule = policy.rules().get(1);
        assertThat(rule.expiresAt()).contains(EXPIRY);
        assertThat(rule.expiredAt(EXPIRY.minusSeconds(1))).isFalse();
        assertThat(rule.expiredAt(EXPIRY)).isTrue();
        assertThat(policy.rules().getFirst().expiresAt()).isEmpty();
    }

    @Test
    void anExpiryThatIsNotATimeWithItsOffset_isAnErrorNamingTheLineAndRule() {
        PolicyException error = catchThrowableOfType(
                PolicyException.class,
                () -> Policy.parse("policy.yaml", POLICY.replace("2026-12-09T00:00:00Z", "next week")));

        assertThat(error.line()).isEqualTo(11);
        assertThat(error.getMessage())
                .contains("reporter-reads-analytics-for-a-week", "expiresAt 'next week' is not a time with its offset");
    }
}
