package io.countersign.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.ConfusableSpellings;
import io.countersign.identity.ConfusableSpellings.Spelling;
import io.countersign.identity.Human;
import io.countersign.identity.KnownHumans;
import io.countersign.identity.Person;
import io.countersign.policy.ApprovalRequirement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Separation of duties can't be spelled around: each of the 27 spellings of alice is
 * refused at submission or resolved to alice and her vote refused; one person counts once.
 */
class ConfusableOnBehalfOfTest {
    private static final Human ALICE = ConfusableSpellings.ALICE;
    private static final Human BOB = new Human("bob", "bob@example.com", Set.of("approvers"));
    private static final Human CAROL = new Human("carol", "carol@example.com", Set.of("approvers"));
    private static final ApprovalRequirement APPROVERS =
            new ApprovalRequirement("needs-approval", Set.of("approvers"), 1, Duration.ofHours(1));
    private static final ApprovalRequirement TWO_APPROVERS =
            new ApprovalRequirement("needs-two", Set.of("approvers"), 2, Duration.ofHours(1));

    private final Workflow workflow = workflow(APPROVERS, List.of(ALICE.person(), BOB.person(), CAROL.person()));

    static List<Spelling> spellings() {
        return ConfusableSpellings.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("spellings")
    void refusesApprovalByTheHumanTheAgentActsForUnderAConfusableSpelling(Spelling spelling) {
        Action action = new Action("x.do", "r/1", Action.noParams(), "why", Optional.of(spelling.value()));
        if (spelling.refusedAt() == ConfusableSpellings.RefusedAt.SUBMISSION) {
            assertThatThrownBy(() -> workflow.submit(Agent.named("bot"), action, Optional.empty()))
                    .isInstanceOfSatisfying(WorkflowException.BadInput.class, e -> assertThat(e.field())
                            .isEqualTo("onBehalfOf"));
            return;
        }
        ApprovalRequest request = workflow.submit(Agent.named("bot"), action, Optional.empty());
        assertThat(request.action().onBehalfOf())
                .as("what the agent sent is kept as sent")
                .contains(spelling.value());
        assertThat(request.resolvedOnBehalfOf()).as("resolved to alice").contains(ALICE.person());
        assertThatThrownBy(() -> workflow.approve(ALICE, request.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Forbidden.class)
                .hasMessageContaining("acts on behalf of");
        assertThat(workflow.approve(BOB, request.id(), Optional.empty(), "api").status())
                .isEqualTo(RequestStatus.APPROVED);
    }

    @Test
    void theCount() {
        assertThat(spellings()).hasSize(27);
    }

    @Test
    void refusesTheSamePersonUnderAnotherIdentityWhenTheRequestResolvedToThem() {
        // Issue 20: a second local human robert with bob's email approved requests made for "bob".
        Human robert = new Human("robert", "BOB@example.com", Set.of("approvers"));
        ApprovalRequest request = workflow.submit(
                Agent.named("bot"),
                new Action("x.do", "r/1", Action.noParams(), "why", Optional.of("bob")),
                Optional.empty());
        assertThat(request.resolvedOnBehalfOf()).contains(BOB.person());
        assertThatThrownBy(() -> workflow.approve(robert, request.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Forbidden.class);
    }

    @Test
    void countsConfusableSpellingsOfOneEmailAsOnePersonTowardAQuorum() {
        Workflow twoNeeded = workflow(TWO_APPROVERS, List.of());
        ApprovalRequest request = twoNeeded.submit(
                Agent.named("bot"), Action.of("x.do", "r/1", Action.noParams(), "why"), Optional.empty());
        twoNeeded.approve(
                new Human("bob", "bob@example.com", Set.of("approvers")), request.id(), Optional.empty(), "api");
        assertThatThrownBy(() -> twoNeeded.approve(
                        new Human("bob2", "\uff42ob@example.com", Set.of("approvers")),
                        request.id(),
                        Optional.empty(),
                        "slack"))
                .isInstanceOf(WorkflowException.Forbidden.class)
                .hasMessageContaining("already voted");
        assertThat(twoNeeded.find(request.id()).orElseThrow().status()).isEqualTo(RequestStatus.PENDING);
        assertThat(VotingRule.approvalsCountingFor(
                        TWO_APPROVERS, twoNeeded.find(request.id()).orElseThrow()))
                .isEqualTo(1);
    }

    @Test
    void leavesAnOnBehalfOfThatNamesNobodyKnownUnresolvedAndStillRefusesLookAlikes() {
        ApprovalRequest request = workflow.submit(
                Agent.named("bot"),
                new Action("x.do", "r/1", Action.noParams(), "why", Optional.of("dave")),
                Optional.empty());
        assertThat(request.resolvedOnBehalfOf()).isEmpty();
        Human dave = new Human("DAVE", "", Set.of("approvers"));
        assertThatThrownBy(() -> workflow.approve(dave, request.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Forbidden.class);
    }

    @Test
    void resolvesAVerifiedDelegationToThePersonTheTokenNames() {
        Person verified = new Person("Alice Example", "alice@example.com");
        ApprovalRequest request = workflow.submit(
                Agent.named("bot"),
                new Action("x.do", "r/1", Action.noParams(), "why", Optional.of("alice@example.com")),
                Optional.empty(),
                io.countersign.identity.Scopes.UNRESTRICTED,
                io.countersign.identity.Delegation.VERIFIED,
                Optional.of(verified));
        assertThat(request.resolvedOnBehalfOf()).contains(verified);
    }

    static Workflow workflow(ApprovalRequirement requirement, List<Person> known) {
        KnownHumans humans = () -> known;
        return new Workflow(
                new StubPolicy(Map.of("x.do", StubPolicy.requireApproval(requirement))),
                new InMemoryStore(),
                new FakeClock(Instant.parse("2026-01-01T00:00:00Z")),
                new GrantTokens(new byte[32]),
                new VotingRule(),
                RequestListener.NONE,
                WorkflowSettings.defaults(),
                io.countersign.identity.AgentSuspensions.NONE,
                Notifier.NONE,
                Subscriptions.NONE,
                humans);
    }
}
