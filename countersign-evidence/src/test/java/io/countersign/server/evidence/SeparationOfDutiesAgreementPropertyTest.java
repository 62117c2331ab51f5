package io.countersign.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.ConfusableSpellings;
import io.countersign.identity.Human;
import io.countersign.identity.KnownHumans;
import io.countersign.identity.Person;
import io.countersign.identity.PersonVariants;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Decision;
import io.countersign.policy.Effect;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.VotingRule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The evidence report's separation-of-duties rows agree with the vote rule on every spelling:
 * an approval the vote rule would refuse is a VIOLATION row, one it would allow is "separated".
 * Rows are built from audit entries as the workflow writes them, with and without whom the
 * request resolved to (entries from before resolution was logged have none).
 */
class SeparationOfDutiesAgreementPropertyTest {
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private static final EvidencePeriod MARCH = EvidencePeriod.parse("2026-03-01", "2026-04-01");
    private static final ApprovalRequirement APPROVERS =
            new ApprovalRequirement("exports", Set.of("approvers"), 1, Duration.ofHours(1));
    private static final Human OUTSIDER = new Human("zed", "zed@approvers.example", Set.of("approvers"));

    record Case(Human actingFor, String variant, Human voter, boolean resolvedLogged) {}

    @Property(tries = 1000)
    void theReportFlagsExactlyTheApprovalsTheVoteRuleRefuses(@ForAll("cases") Case sample) {
        KnownHumans known = () -> List.of(sample.actingFor().person(), OUTSIDER.person());
        Optional<Person> resolved = sample.resolvedLogged() ? known.resolve(sample.variant()) : Optional.empty();
        boolean voteRuleRefuses = new VotingRule()
                .refusal(sample.voter(), pending(sample.variant(), resolved))
                .isPresent();

        History history = new History()
                .createdFor("req_1", T0, "bot", sample.variant(), resolved)
                .vote(
                        "req_1",
                        T0.plusSeconds(5),
                        sample.voter().name(),
                        sample.voter().email(),
                        "approve",
                        "api")
                .resolved(
                        "req_1",
                        T0.plusSeconds(5),
                        "approved",
                        "human:" + sample.voter().name());
        EvidenceAnalysis.SodRow row =
                EvidenceAnalysis.of(history.events(), MARCH).sod().getFirst();

        assertThat(row.violation()).as(row.result()).isEqualTo(voteRuleRefuses);
    }

    @Example
    void robertWithBobsEmailApprovingForBob_isAViolation_asTheVoteRuleRefusesIt() {
        Human robert = new Human("robert", "BOB@example.com", Set.of("approvers"));
        Person bob = new Person("bob", "bob@example.com");
        assertThat(new VotingRule().refusal(robert, pending("bob", Optional.of(bob))))
                .isPresent();

        History history = new History()
                .createdFor("req_1", T0, "bot", "bob", Optional.of(bob))
                .vote("req_1", T0.plusSeconds(5), "robert", "BOB@example.com", "approve", "api")
                .resolved("req_1", T0.plusSeconds(5), "approved", "human:robert");
        EvidenceAnalysis analysis = EvidenceAnalysis.of(history.events(), MARCH);

        assertThat(analysis.sod()).singleElement().satisfies(row -> {
            assertThat(row.violation()).isTrue();
            assertThat(row.result())
                    .isEqualTo(
                            "VIOLATION: robert is the human the agent acted for (bob (resolved to bob <bob@example.com>))");
        });
    }

    @Example
    void everyOneOfTheIssuesSpellings_approvedByAlice_isAViolation() {
        for (ConfusableSpellings.Spelling spelling : ConfusableSpellings.all()) {
            History history = new History()
                    .createdFor("req_1", T0, "bot", spelling.value(), Optional.empty())
                    .vote("req_1", T0.plusSeconds(5), "alice", "alice@example.com", "approve", "console")
                    .resolved("req_1", T0.plusSeconds(5), "approved", "human:alice");
            assertThat(EvidenceAnalysis.of(history.events(), MARCH)
                            .sod()
                            .getFirst()
                            .violation())
                    .as(spelling.description())
                    .isTrue();
        }
    }

    private static ApprovalRequest pending(String onBehalfOf, Optional<Person> resolved) {
        Action action = new Action("db.export", "db/prod", Action.noParams(), "r", Optional.of(onBehalfOf));
        Decision decision =
                new Decision(Effect.REQUIRE_APPROVAL, List.of("exports"), "", "sha256:v1", List.of(APPROVERS));
        return new ApprovalRequest(
                RequestId.random(),
                Agent.named("bot"),
                action,
                action.digest(),
                decision,
                RequestStatus.PENDING,
                List.of(),
                T0,
                Optional.of(T0.plusSeconds(3600)),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                io.countersign.identity.Delegation.CLAIMED,
                Optional.empty(),
                Optional.empty(),
                resolved);
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Human> humans = Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyz")
                .ofMinLength(3)
                .ofMaxLength(8)
                .map(name -> new Human(name, name + "@example.com", Set.of("approvers")));
        return humans.flatMap(human -> Combinators.combine(
                        PersonVariants.of(human), Arbitraries.of(human, OUTSIDER), Arbitraries.of(true, false))
                .as((variant, voter, logged) -> new Case(human, variant, voter, logged)));
    }
}
