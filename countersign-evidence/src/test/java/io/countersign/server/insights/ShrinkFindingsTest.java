package io.countersign.server.insights;

import static io.countersign.server.insights.History.Outcome.APPROVED;
import static io.countersign.server.insights.History.Outcome.DENIED;
import static io.countersign.server.insights.History.Outcome.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.policy.Policy;
import io.countersign.workflow.ApprovalRequest;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShrinkFindingsTest {
    private static final String POLICY = """
            default: deny
            rules:
              - name: queries-need-a-data-owner
                match: {action: "db.query"}
                effect: require_approval
                approval: {groups: [data-owners, dba], quorum: 1, timeout: 1h}
              - name: reads-are-free
                match: {action: "file.read"}
                effect: allow
              - name: legacy-exports
                match: {action: "db.export", resource: "db/legacy/*"}
                effect: allow
            breakers:
              - {name: burst, max: 100, per: 1m, then: deny}
            """;

    @Test
    void findsAllowRulesThatDecidedNothing_withARemovalThatReplayShowsChangesNothing() {
        Policy policy = Policy.parse("policy.yaml", POLICY);
        History history = new History(policy);
        for (int i = 0; i < 5; i++) {
            history.add("reader", "file.read", "files/report-" + i, NONE);
        }

        List<ShrinkFindings.Finding> findings =
                ShrinkFindings.find(policy, history.requests(), History.START, history.end());

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.kind()).isEqualTo("unused-allow-rule");
            assertThat(finding.subject()).isEqualTo("legacy-exports");
            assertThat(finding.suggestion()).isEqualTo("remove it (lines 10-12)");
            assertThat(finding.replayChanges()).isZero();
        });
    }

    @Test
    void findsApprovalGroupsWhoseMembersNeverDecided_withANarrowingThatReplayShowsChangesNothing() {
        Policy policy = Policy.parse("policy.yaml", POLICY);
        History history = new History(policy).voterGroups(Set.of("data-owners"));
        for (int i = 0; i < 5; i++) {
            history.add("reporter", "db.query", "db/analytics/t" + i, i == 3 ? DENIED : APPROVED);
            history.add("reader", "file.read", "files/report-" + i, NONE);
            history.add("exporter", "db.export", "db/legacy/t" + i, NONE);
        }

        assertThat(ShrinkFindings.find(policy, history.requests(), History.START, history.end()))
                .singleElement()
                .satisfies(finding -> {
                    assertThat(finding.kind()).isEqualTo("silent-approval-group");
                    assertThat(finding.id()).isEqualTo("silent-approval-group:queries-need-a-data-owner:dba");
                    assertThat(finding.line()).isEqualTo(3);
                    assertThat(finding.summary())
                            .isEqualTo("no member of dba voted on any of the 5 requests rule"
                                    + " queries-need-a-data-owner asked them to decide");
                    assertThat(finding.suggestion())
                            .isEqualTo("remove dba from the approval groups of queries-need-a-data-owner");
                    assertThat(finding.replayChanges()).isZero();
                });
    }

    @Test
    void aGroupWhoseMembersOnlyDenied_isNotSilent_andTheReplayOfRemovingAGroupCountsTheDecisionsItUndoes() {
        Policy policy = Policy.parse("policy.yaml", POLICY);
        History history = new History(policy);
        for (int i = 0; i < 6; i++) {
            history.voterGroups(Set.of("data-owners"));
            history.add("reporter", "db.query", "db/analytics/t" + i, APPROVED);
            history.voterGroups(Set.of("dba")).decidedBy("dan", Optional.of("not in business hours"));
            history.add("reporter", "db.query", "db/prod/t" + i, i % 2 == 0 ? DENIED : APPROVED);
            history.decidedBy("bob", Optional.empty());
        }
        List<ApprovalRequest> asked = history.requests();

        assertThat(ShrinkFindings.find(policy, asked, History.START, history.end()))
                .as("dba members decided: 3 denials and 3 approvals")
                .filteredOn(finding -> finding.kind().equals("silent-approval-group"))
                .isEmpty();
        assertThat(ShrinkFindings.replayWithoutGroup("queries-need-a-data-owner", "dba", asked))
                .as("without dba, its 3 approvals miss their quorum and its 3 denials were never allowed")
                .isEqualTo(6);
        assertThat(ShrinkFindings.replayWithoutGroup("queries-need-a-data-owner", "data-owners", asked))
                .isEqualTo(6);
        assertThat(ShrinkFindings.replayWithoutGroup("another-rule", "dba", asked))
                .as("a group removed from another rule changes nothing here")
                .isZero();
    }
}
