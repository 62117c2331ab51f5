package io.countersign.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.action.Action;
import io.countersign.audit.AuditEntry;
import io.countersign.identity.Agent;
import io.countersign.identity.AgentSuspensions;
import io.countersign.identity.Human;
import io.countersign.outbox.NotificationType;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Escalation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A rule's {@code escalate}: after a while a pending request reaches more people, once, and the log says so. */
class EscalationWorkflowTest {
    private static final ApprovalRequirement ESCALATING = new ApprovalRequirement(
            "exports-need-a-data-owner",
            Set.of("data-owners"),
            1,
            Duration.ofMinutes(30),
            false,
            Map.of(),
            Set.of(),
            Optional.of(
                    new Escalation(Duration.ofMinutes(15), Set.of("security-leads"), Map.of("slack", "C0ESCALATE"))));

    private final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
    private final InMemoryStore store = new InMemoryStore();
    private final Workflow workflow = new Workflow(
            new StubPolicy(Map.of("db.export", StubPolicy.requireApproval(ESCALATING))),
            store,
            clock,
            new GrantTokens(new byte[32]),
            new VotingRule(),
            RequestListener.NONE,
            WorkflowSettings.defaults(),
            AgentSuspensions.NONE,
            Notifier.NONE,
            (type, request) -> List.of("slack"));
    private final Agent reporter = Agent.named("reporter");
    private final Human sam = new Human("sam", "sam@example.com", Set.of("security-leads"));
    private final Human alice = new Human("alice", "alice@example.com", Set.of("security-leads"));

    private ApprovalRequest submit(Optional<String> onBehalfOf) {
        return workflow.submit(
                reporter,
                new Action("db.export", "db/prod/customers", Action.noParams(), "weekly report", onBehalfOf),
                Optional.empty());
    }

    @Test
    void escalatesOnceWhenStillPendingAfterItsDelayAndThenTheEscalatedGroupMayApprove() {
        ApprovalRequest request = submit(Optional.empty());
        assertThatThrownBy(() -> workflow.approve(sam, request.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Forbidden.class)
                .hasMessageContaining("not in any group that decides this request (data-owners)");

        clock.advance(Duration.ofMinutes(15).minusSeconds(1));
        assertThat(workflow.escalateDue()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(workflow.escalateDue()).isEqualTo(1);
        assertThat(workflow.escalateDue())
                .as("a second sweep, as another node's")
                .isZero();

        assertThat(store.auditTypes(request.id())).containsOnlyOnce("request.escalated");
        AuditEntry escalated = store.audit().stream()
                .filter(entry -> entry.event().type().wireName().equals("request.escalated"))
                .findFirst()
                .orElseThrow();
        assertThat(escalated.event().data().toString())
                .contains("\"from\":[\"data-owners\"]")
                .contains("\"to\":[\"security-leads\"]")
                .contains("\"slack\":\"C0ESCALATE\"");
        assertThat(escalated.event().actor()).isEqualTo("system");
        assertThat(store.outbox())
                .filteredOn(event -> event.type() == NotificationType.REQUEST_ESCALATED)
                .hasSize(1);

        ApprovalRequest approved = workflow.approve(sam, request.id(), Optional.empty(), "api");
        assertThat(approved.status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(workflow.find(request.id()).orElseThrow().escalated()).containsExactly(ESCALATING.rule());
    }

    @Test
    void anEscalatedRequestStaysEscalatedThroughItsGrantsClaimAndExecution() {
        ApprovalRequest request = submit(Optional.empty());
        clock.advance(Duration.ofMinutes(15));
        workflow.escalateDue();
        ApprovalRequest approved = workflow.approve(sam, request.id(), Optional.empty(), "api");
        String grant = workflow.grantToken(approved).orElseThrow();

        ApprovalRequest claimed = workflow.claimGrant(reporter, request.id(), grant, request.action());
        assertThat(claimed.escalated()).as("after the claim").containsExactly(ESCALATING.rule());
        assertThat(workflow.find(request.id()).orElseThrow().escalated())
                .as("as stored after the claim")
                .containsExactly(ESCALATING.rule());

        ApprovalRequest executed =
                workflow.reportClaimedExecution(reporter, request.id(), Execution.Outcome.SUCCEEDED, Optional.empty());
        assertThat(executed.escalated()).as("after the execution").containsExactly(ESCALATING.rule());
    }

    @Test
    void theHumanTheRequestActsForCannotApproveThroughTheEscalatedGroup() {
        ApprovalRequest request = submit(Optional.of("alice@example.com"));
        clock.advance(Duration.ofMinutes(16));
        workflow.escalateDue();

        assertThatThrownBy(() -> workflow.approve(alice, request.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Forbidden.class)
                .hasMessageContaining("acts on behalf of");
        assertThat(workflow.inbox(sam)).extracting(ApprovalRequest::id).containsExactly(request.id());
        assertThat(workflow.inbox(alice)).isEmpty();
    }

    @Test
    void aDecidedOrExpiredRequestNeverEscalates() {
        ApprovalRequest cancelled = submit(Optional.empty());
        workflow.cancel(reporter, cancelled.id());
        ApprovalRequest expiring = submit(Optional.empty());
        clock.advance(Duration.ofMinutes(31));
        workflow.expireDue();

        assertThat(workflow.escalateDue()).isZero();
        assertThat(store.auditTypes(cancelled.id())).doesNotContain("request.escalated");
        assertThat(store.auditTypes(expiring.id())).doesNotContain("request.escalated");
    }
}
