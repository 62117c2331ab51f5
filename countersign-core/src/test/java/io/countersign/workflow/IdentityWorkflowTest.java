package io.countersign.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.action.Action;
import io.countersign.audit.AuditEventType;
import io.countersign.identity.Agent;
import io.countersign.identity.Delegation;
import io.countersign.identity.Human;
import io.countersign.identity.Scopes;
import io.countersign.policy.ApprovalRequirement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The workflow's identity paths: scopes, the kill switch, linked identities, step-up and break-glass. */
class IdentityWorkflowTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(30);
    private static final ApprovalRequirement ONE_SRE = new ApprovalRequirement("one-sre", Set.of("sre"), 1, TIMEOUT);
    private static final ApprovalRequirement TWO_SRE = new ApprovalRequirement("two-sre", Set.of("sre"), 2, TIMEOUT);
    private static final ApprovalRequirement FRESH_SRE =
            new ApprovalRequirement("fresh-sre", Set.of("sre"), 1, TIMEOUT, true);

    private final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
    private final InMemoryStore store = new InMemoryStore();
    private final FakeSuspensions suspensions = store.suspensions();
    private final List<Notifier.Notice> notices = new ArrayList<>();
    private final Workflow workflow = new Workflow(
            new StubPolicy(Map.of(
                    "db.query", StubPolicy.allow("reads"),
                    "deploy.prod", StubPolicy.requireApproval(FRESH_SRE),
                    "incident.fix", StubPolicy.requireApproval(TWO_SRE),
                    "db.export", StubPolicy.requireApproval(ONE_SRE))),
            store,
            clock,
            new GrantTokens(new byte[32]),
            new VotingRule(Optional.of("incident-commanders"), Duration.ofMinutes(10)),
            RequestListener.NONE,
            WorkflowSettings.defaults(),
            suspensions,
            notices::add);
    private final KillSwitch killSwitch = new KillSwitch(store, suspensions, clock, RequestListener.NONE);
    private final Agent bot = Agent.named("bot");
    private final Human sam = new Human("sam", "sam@example.com", Set.of("sre"));
    private final Human samViaOidc = new Human("00u1sam", "SAM@example.com", Set.of("sre"));
    private final Human ic = new Human("ic", "ic@example.com", Set.of("sre", "incident-commanders"));
    private final Human rita = new Human("rita", "rita@example.com", Set.of("security"));

    private List<AuditEventType> auditTypes() {
        return store.audit().stream().map(entry -> entry.event().type()).toList();
    }

    private ApprovalRequest submit(String action, Optional<String> onBehalfOf) {
        return workflow.submit(bot, new Action(action, "r/1", Action.noParams(), "page", onBehalfOf), Optional.empty());
    }

    @Test
    void actionOutsideScopes_isDeniedBeforeThePolicy() {
        ApprovalRequest denied = workflow.submit(
                bot,
                new Action("db.export", "r/1", Action.noParams(), "x", Optional.empty()),
                Optional.empty(),
                Scopes.of(List.of("db.query")),
                Delegation.NONE);

        assertThat(denied.status()).isEqualTo(RequestStatus.DENIED);
        assertThat(denied.decision().reason())
                .isEqualTo("action 'db.export' is outside the scopes of agent bot's credential [db.query]");
        assertThat(denied.decision().rules()).isEmpty();
    }

    @Test
    void suspendingAnAgent_deniesItsPendingRequests_andEveryNewAction_andResumeRestoresIt() {
        ApprovalRequest pending = submit("db.export", Optional.empty());

        KillSwitch.Suspended suspended = killSwitch.suspend("BOT", "human:ada", "leak");

        ApprovalRequest after = workflow.find(pending.id()).orElseThrow();
        assertThat(suspended.newly()).isTrue();
        assertThat(suspended.denied()).extracting(ApprovalRequest::id).containsExactly(pending.id());
        assertThat(after.status()).isEqualTo(RequestStatus.DENIED);
        assertThat(after.decidedBy()).contains("system");
        assertThat(after.resolution()).contains(KillSwitch.REASON);
        assertThat(submit("db.query", Optional.empty()).status()).isEqualTo(RequestStatus.DENIED);
        assertThat(auditTypes()).contains(AuditEventType.AGENT_SUSPENDED);

        assertThat(killSwitch.resume("bot", "human:ada")).isTrue();
        assertThat(submit("db.query", Optional.empty()).status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(auditTypes()).contains(AuditEventType.AGENT_RESUMED);
    }

    @Test
    void onePerson_underTwoIdentities_votesOnce() {
        ApprovalRequest request = submit("incident.fix", Optional.empty());
        workflow.approve(sam, request.id(), Optional.empty(), "api");

        assertThatThrownBy(() -> workflow.approve(samViaOidc, request.id(), Optional.empty(), "slack"))
                .isInstanceOf(WorkflowException.Forbidden.class)
                .hasMessage("00u1sam has already voted on this request");
    }

    @Test
    void onBehalfOfHuman_namedByEmail_cannotApproveUnderAnotherName() {
        ApprovalRequest request = submit("db.export", Optional.of("sam@example.com"));

        assertThatThrownBy(() -> workflow.approve(samViaOidc, request.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Forbidden.class)
                .hasMessageContaining("acts on behalf of");
    }

    @Test
    void stepUp_countsOnlyAFreshSignIn() {
        ApprovalRequest request = submit("deploy.prod", Optional.empty());

        assertThatThrownBy(() -> workflow.approve(
                        new Voter(sam, Optional.of(clock.instant().minus(Duration.ofMinutes(11))), Optional.empty()),
                        request.id(),
                        Optional.empty(),
                        "api"))
                .isInstanceOf(WorkflowException.StepUpRequired.class)
                .hasMessageContaining("rule 'fresh-sre' needs a sign-in within the last 10 min");
        assertThatThrownBy(() -> workflow.approve(sam, request.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.StepUpRequired.class);
        ApprovalRequest approved = workflow.approve(
                new Voter(sam, Optional.of(clock.instant().minus(Duration.ofMinutes(9))), Optional.empty()),
                request.id(),
                Optional.empty(),
                "api");

        assertThat(approved.status()).isEqualTo(RequestStatus.APPROVED);
    }

    @Test
    void stepUp_doesNotApplyToDenials() {
        ApprovalRequest request = submit("deploy.prod", Optional.empty());

        assertThat(workflow.deny(sam, request.id(), "not now", "api").status()).isEqualTo(RequestStatus.DENIED);
    }

    @Test
    void breakGlass_approvesAlone_notifiesTheGroup_andAnotherHumanAcknowledgesTheReview() {
        ApprovalRequest request = submit("incident.fix", Optional.of("ic"));

        ApprovalRequest approved = workflow.approve(
                new Voter(ic, Optional.empty(), Optional.of("SEV1")), request.id(), Optional.empty(), "api");

        assertThat(approved.status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(approved.breakGlass()).hasValueSatisfying(glass -> {
            assertThat(glass.usedBy()).isEqualTo("ic");
            assertThat(glass.reason()).isEqualTo("SEV1");
            assertThat(glass.reviewOpen()).isTrue();
        });
        assertThat(notices).singleElement().satisfies(notice -> {
            assertThat(notice.group()).isEqualTo("incident-commanders");
            assertThat(notice.request()).contains(request.id());
        });
        assertThat(auditTypes()).contains(AuditEventType.BREAK_GLASS_USED);
        assertThatThrownBy(() -> workflow.acknowledgeBreakGlass(ic, request.id(), Optional.empty()))
                .isInstanceOf(WorkflowException.Forbidden.class);

        ApprovalRequest reviewed = workflow.acknowledgeBreakGlass(rita, request.id(), Optional.of("fine"));

        assertThat(reviewed.breakGlass().orElseThrow().acknowledgedBy()).contains("rita");
        assertThat(auditTypes()).contains(AuditEventType.BREAK_GLASS_REVIEW_ACKNOWLEDGED);
        assertThatThrownBy(() -> workflow.acknowledgeBreakGlass(sam, request.id(), Optional.empty()))
                .isInstanceOf(WorkflowException.Conflict.class);
    }

    @Test
    void breakGlass_outsideTheGroup_isRefused() {
        ApprovalRequest request = submit("incident.fix", Optional.empty());

        assertThatThrownBy(() -> workflow.approve(
                        new Voter(sam, Optional.empty(), Optional.of("hurry")), request.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Forbidden.class)
                .hasMessage("sam is not in the break-glass group incident-commanders");
        assertThat(notices).isEmpty();
    }

    @Test
    void breakGlass_whenNotConfigured_isRefused() {
        Workflow plain = new Workflow(
                new StubPolicy(Map.of("incident.fix", StubPolicy.requireApproval(TWO_SRE))),
                store,
                clock,
                new GrantTokens(new byte[32]),
                new VotingRule(),
                RequestListener.NONE,
                WorkflowSettings.defaults());
        ApprovalRequest request = plain.submit(
                bot, new Action("incident.fix", "r/1", Action.noParams(), "page", Optional.empty()), Optional.empty());

        assertThatThrownBy(() -> plain.approve(
                        new Voter(ic, Optional.empty(), Optional.of("SEV1")), request.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Forbidden.class)
                .hasMessageContaining("break-glass is not enabled");
    }
}
