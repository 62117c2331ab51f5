package io.countersign.server.insights;

import static io.countersign.server.insights.History.Outcome.APPROVED;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Vote;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Evidence a reviewer can judge, over generated histories: the window the evidence really spans,
 * the distinct people who decided (one person is one decider whatever identity they used), how
 * fast, what they wrote, and more than five examples spread over the evidence.
 */
class EvidenceSummaryTest {
    /**
     * 30 approvals over about five days, three at a time by alice, bob and carol in turn: alice
     * decides in 2 minutes and says the same each time, the others take 20 and say something new
     * (or nothing, every fifth request).
     */
    private static History threeApprovers() {
        History history = new History().every(Duration.ofHours(4));
        for (int i = 0; i < 30; i++) {
            String who = List.of("alice", "bob", "carol").get(i / 3 % 3);
            String said = who.equals("alice") ? "read-only, fine" : i % 5 == 0 ? "" : "ok for " + i;
            history.decidedBy(who, Optional.of(said))
                    .decidedAfter(who.equals("alice") ? Duration.ofMinutes(2) : Duration.ofMinutes(20));
            history.add("reporter", "db.query", "db/analytics/t" + (i % 4), APPROVED);
        }
        return history;
    }

    @Test
    void theWindowIsTheEvidencesOwn_theDecidersAreCounted_andTheSpeedIsMeasured() {
        List<ApprovalRequest> evidence = threeApprovers().requests();

        EvidenceSummary summary = EvidenceSummary.of(evidence, Vote.Choice.APPROVE);

        assertThat(summary.first()).isEqualTo(evidence.getFirst().createdAt());
        assertThat(summary.last()).isEqualTo(evidence.getLast().createdAt());
        assertThat(summary.span()).isEqualTo("4 days"); // 29 steps of 4 hours: 116 hours
        assertThat(summary.deciders()).containsExactlyInAnyOrderEntriesOf(Map.of("alice", 12, "bob", 9, "carol", 9));
        assertThat(summary.fastestDecision()).isEqualTo(Duration.ofMinutes(2));
        assertThat(summary.medianDecision()).isEqualTo(Duration.ofMinutes(20));
        assertThat(summary.rubberStamp()).isFalse();
        assertThat(summary.describe())
                .isEqualTo("between " + summary.first() + " and " + summary.last()
                        + " (4 days), by 3 people (alice 12, bob 9, carol 9), median 20m to decide");
    }

    @Test
    void commentsAreTheDecidersDistinctWords_atMostTen_andBlankOnesAreLeftOut() {
        EvidenceSummary summary = EvidenceSummary.of(threeApprovers().requests(), Vote.Choice.APPROVE);

        assertThat(summary.comments())
                .hasSize(10)
                .doesNotContainNull()
                .allMatch(comment -> !comment.isBlank())
                .doesNotHaveDuplicates()
                .startsWith("read-only, fine", "ok for 3", "ok for 4", "ok for 6");
    }

    @Test
    void theExamplesAreMoreThanFive_spreadOverTheEvidence_eachWithWhoDecidedAndHowFast() {
        List<ApprovalRequest> evidence = threeApprovers().requests();

        List<EvidenceSummary.Example> examples =
                EvidenceSummary.of(evidence, Vote.Choice.APPROVE).examples();

        assertThat(examples).hasSize(10);
        assertThat(examples.getFirst().id()).isEqualTo(evidence.getFirst().id().value());
        assertThat(examples.getLast().createdAt())
                .isAfter(evidence.get(evidence.size() * 2 / 3).createdAt());
        assertThat(examples.stream()
                        .map(EvidenceSummary.Example::decidedBy)
                        .flatMap(List::stream)
                        .collect(Collectors.toSet()))
                .isEqualTo(Set.of("alice", "bob", "carol"));
        assertThat(examples).allSatisfy(example -> {
            assertThat(example.decidedBy()).hasSize(1);
            assertThat(example.took()).isIn(Duration.ofMinutes(2), Duration.ofMinutes(20));
        });
        assertThat(EvidenceSummary.of(evidence.subList(0, 7), Vote.Choice.APPROVE)
                        .examples())
                .as("fewer requests than examples: every one is an example")
                .hasSize(7);
    }

    @Test
    void onePersonDecidingEverythingWithinSeconds_isRubberStamping_evenUnderTwoSpellingsOfTheirName() {
        History history = new History().every(Duration.ofMinutes(30)).decidedAfter(Duration.ofSeconds(4));
        for (int i = 0; i < 12; i++) {
            // The same person: a local token as "bob", an identity spelled with a fullwidth b (the same skeleton).
            history.decidedBy(i % 2 == 0 ? "bob" : "\uff42ob", Optional.empty());
            history.add("reporter", "db.query", "db/analytics/t1", APPROVED);
        }

        EvidenceSummary summary = EvidenceSummary.of(history.requests(), Vote.Choice.APPROVE);

        assertThat(summary.deciders()).containsExactlyEntriesOf(Map.of("bob", 12));
        assertThat(summary.rubberStamp()).isTrue();
        assertThat(summary.describe())
                .contains("by 1 person (bob 12), median 4s to decide (one person, within seconds: rubber-stamping?)");
        assertThat(summary.examples())
                .allSatisfy(example -> assertThat(example.decidedBy()).containsExactly("bob"));
    }

    @Test
    void twoPeopleWithTheSameNameButDifferentEmailsAreTwoDeciders() {
        History history = new History().every(Duration.ofMinutes(30)).decidedAfter(Duration.ofSeconds(4));
        for (int i = 0; i < 12; i++) {
            // The last one decided by another sam, of another company.
            history.decidedBy("sam", i < 11 ? "sam@example.com" : "sam@elsewhere.example", Optional.empty());
            history.add("reporter", "db.query", "db/analytics/t1", APPROVED);
        }

        EvidenceSummary summary = EvidenceSummary.of(history.requests(), Vote.Choice.APPROVE);

        assertThat(summary.deciders())
                .containsExactlyInAnyOrderEntriesOf(Map.of("sam", 11, "sam <sam@elsewhere.example>", 1));
        assertThat(summary.rubberStamp()).isFalse();
    }
}
