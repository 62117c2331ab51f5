package io.countersign.server.policychange;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.policy.Policy;
import org.junit.jupiter.api.Test;

class PolicyDiffTest {
    private static final String BEFORE = """
            default: deny
            rules:
              - name: a
                match: {action: "db.query"}
                effect: allow
              - name: b
                match: {action: "db.export"}
                effect: deny
              - name: c
                match: {action: "iam.*"}
                effect: deny
            breakers:
              - {name: burst, agent: "*", on: denied, max: 10, per: 5m, then: deny}
            """;

    @Test
    void namesTheRulesAddedRemovedAndChanged_butNotOnesThatOnlyMoved() {
        String after = """
                default: require_approval
                defaultApproval: {groups: [security], quorum: 1, timeout: 1h}
                rules:
                  - name: c
                    match: {action: "iam.*"}
                    effect: deny
                  - name: a
                    match: {action: "db.query", resource: "db/analytics/*"}
                    effect: allow
                  - name: d
                    match: {action: "shell.exec"}
                    effect: deny
                breakers:
                  - {name: burst, agent: "*", on: denied, max: 20, per: 5m, then: deny}
                """;

        PolicyDiff diff = PolicyDiff.between(Policy.parse("before.yaml", BEFORE), Policy.parse("after.yaml", after));

        assertThat(diff.added()).containsExactly("d");
        assertThat(diff.removed()).containsExactly("b");
        assertThat(diff.changed()).containsExactly("a");
        assertThat(diff.breakers()).containsExactly("burst");
        assertThat(diff.summary())
                .isEqualTo(
                        "added d; removed b; changed a; breakers added, removed or changed: burst; default deny -> require_approval");
    }

    @Test
    void theSameRulesInAnotherLayout_areNoRuleChange() {
        String reformatted = "# a comment\n" + BEFORE;

        assertThat(PolicyDiff.between(Policy.parse("before.yaml", BEFORE), Policy.parse("after.yaml", reformatted))
                        .summary())
                .isEqualTo("no rule changes");
    }
}
