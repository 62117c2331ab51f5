package io.countersign.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which policy versions were in force, how each change came about, and what an auditor reads of it. */
class PolicyHistoryTest {
    private static final Instant SEPTEMBER = Instant.parse("2026-09-15T00:00:00Z");
    private static final Instant T0 = Instant.parse("2026-10-01T00:00:00Z");
    private static final EvidencePeriod OCTOBER = EvidencePeriod.parse("2026-10-01", "2026-11-01");
    private static final String V1_TEXT = "version: 1\nrules:\n  - name: exports\n    effect: allow\n";
    private static final String V2_TEXT = "version: 1\nrules:\n  - name: exports\n    effect: require_approval\n";

    @Test
    void anApprovedChange_carriesItsTrail_andItsDiff() {
        History history = new History()
                .policyWithText(SEPTEMBER, "sha256:v1", V1_TEXT)
                .proposedChange("req_p", T0.plusSeconds(10), "pat", "sha256:v1", "sha256:v2", V2_TEXT)
                .vote("req_p", T0.plusSeconds(20), "rita", "rita@example.com", "approve", "slack")
                .policyWithText(T0.plusSeconds(30), "sha256:v2", V2_TEXT)
                .changed("req_p", T0.plusSeconds(30), "sha256:v1", "sha256:v2", "pat", "rita", "ada");

        PolicyHistory policies = PolicyHistory.of(history.events(), OCTOBER);

        assertThat(policies.changes()).singleElement().satisfies(change -> {
            assertThat(change.approved()).isTrue();
            assertThat(change.from()).isEqualTo("sha256:v1");
            assertThat(change.to()).isEqualTo("sha256:v2");
            assertThat(change.request()).isEqualTo("req_p");
            assertThat(change.proposedBy()).isEqualTo("pat");
            assertThat(change.approvals()).containsExactly("rita:approve@slack " + T0.plusSeconds(20));
            assertThat(change.appliedBy()).isEqualTo("ada");
            assertThat(change.seqs()).containsExactly(1L, 2L, 3L, 4L);
        });
        PolicyHistory.Change change = policies.changes().get(0);
        assertThat(PolicyHistory.diffFile(policies.texts(), change)).hasValue("policies/sha256-v1-to-sha256-v2.diff");
        assertThat(PolicyHistory.diff(policies.texts(), change))
                .startsWith("--- sha256:v1\n+++ sha256:v2\n")
                .contains("-    effect: allow")
                .contains("+    effect: require_approval");
        assertThat(PolicyHistory.textFile("sha256:v2")).isEqualTo("policies/sha256-v2.yaml");
        assertThat(policies.texts()).containsEntry("sha256:v2", V2_TEXT);
        assertThat(EvidenceAnalysis.of(history.events(), OCTOBER).exceptions()).isEmpty();
    }

    @Test
    void aChangeLoadedFromDiskWithoutApproval_isAnException() {
        History history = new History()
                .policyWithText(SEPTEMBER, "sha256:v1", V1_TEXT)
                .policyWithText(T0.plusSeconds(30), "sha256:v2", V2_TEXT);

        EvidenceAnalysis analysis = EvidenceAnalysis.of(history.events(), OCTOBER);

        assertThat(analysis.policyHistory().changes()).singleElement().satisfies(change -> {
            assertThat(change.approved()).isFalse();
            assertThat(change.seqs()).containsExactly(1L);
        });
        assertThat(analysis.exceptions()).singleElement().satisfies(row -> {
            assertThat(row.kind()).isEqualTo("policy loaded without approval");
            assertThat(row.agent()).isEqualTo("system");
            assertThat(row.detail()).contains("sha256:v2 replaced sha256:v1");
        });
    }

    @Test
    void aPolicyChangedForAnotherVersion_doesNotApproveTheLoad() {
        History history = new History()
                .policyWithText(SEPTEMBER, "sha256:v1", V1_TEXT)
                .policyWithText(T0.plusSeconds(30), "sha256:v2", V2_TEXT)
                .changed("req_p", T0.plusSeconds(30), "sha256:v1", "sha256:v3", "pat", "rita", "ada");

        assertThat(PolicyHistory.of(history.events(), OCTOBER).changes())
                .singleElement()
                .satisfies(change -> assertThat(change.approved()).isFalse());
    }

    @Test
    void aReloadOfTheSameVersion_andAChangeBeforeThePeriod_areNotChangesOfThePeriod() {
        History history = new History()
                .policyWithText(SEPTEMBER, "sha256:v0", "version: 1\nrules: []\n")
                .policyWithText(SEPTEMBER.plusSeconds(60), "sha256:v1", V1_TEXT)
                .policyWithText(T0.plusSeconds(30), "sha256:v1", V1_TEXT);

        PolicyHistory policies = PolicyHistory.of(history.events(), OCTOBER);

        assertThat(policies.changes()).isEmpty();
        assertThat(EvidenceAnalysis.of(history.events(), OCTOBER).exceptions()).isEmpty();
    }

    @Test
    void aChangeWhoseOldTextTheLogDoesNotHold_hasNoDiff() {
        History history =
                new History().policy(SEPTEMBER, "sha256:v1").policyWithText(T0.plusSeconds(30), "sha256:v2", V2_TEXT);

        PolicyHistory policies = PolicyHistory.of(history.events(), OCTOBER);

        assertThat(PolicyHistory.diffFile(policies.texts(), policies.changes().get(0)))
                .isEmpty();
        assertThat(policies.texts()).containsOnlyKeys("sha256:v2");
    }

    @Test
    void refusedVotesOfThePeriod_areListedWithChannelAndReason() {
        History history = new History()
                .created("req_a", T0.plusSeconds(10), "bot", "ann", "db.export", "db/x", "require_approval", "exports")
                .refusedVote("req_a", SEPTEMBER, "early", "api", "not in a deciding group")
                .refusedVote("req_a", T0.plusSeconds(20), "ann", "slack", "the human the request acts for");

        EvidenceAnalysis analysis = EvidenceAnalysis.of(history.events(), OCTOBER);

        assertThat(analysis.refusedVotes()).singleElement().satisfies(row -> {
            assertThat(row.voter()).isEqualTo("ann");
            assertThat(row.channel()).isEqualTo("slack");
            assertThat(row.request()).isEqualTo("req_a");
            assertThat(row.reason()).isEqualTo("the human the request acts for");
        });
    }
}
