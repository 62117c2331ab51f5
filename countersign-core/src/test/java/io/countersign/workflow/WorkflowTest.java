package io.countersign.workflow;

import static io.countersign.workflow.WorkflowFixture.action;
import static io.countersign.workflow.WorkflowFixture.onBehalfOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.action.Action;
import io.countersign.policy.Effect;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkflowTest {
    private final WorkflowFixture f = new WorkflowFixture();

    @Test
    void allowedAction_isApprovedWithAGrant_afterTheDecisionIsRecorded() {
        ApprovalRequest request = f.submit(action("db.query", "db/prod/customers"));

        assertThat(request.status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(request.decision().rules()).containsExactly("reads-are-free");
        assertThat(f.workflow.grantToken(request)).isPresent();
        // Invariant 1: the decision is in the log before the grant exists.
        assertThat(f.store.auditTypes(request.id()))
                .containsExactly("request.created", "decision.made", "request.approved", "grant.issued");
    }

    @Test
    void deniedAction_carriesTheRuleAndReason_andNoGrant() {
        ApprovalRequest request = f.submit(action("iam.grant", "iam/roles/admin"));

        assertThat(request.status()).isEqualTo(RequestStatus.DENIED);
        assertThat(request.decision().rules()).containsExactly("agents-never-touch-iam");
        assertThat(request.decision().reason()).isEqualTo("agents may not change IAM");
        assertThat(f.workflow.grantToken(request)).isEmpty();
    }

    @Test
    void unknownAction_isDeniedByDefault() {
        ApprovalRequest request = f.submit(action("rockets.launch", "pad/39a"));

        assertThat(request.status()).isEqualTo(RequestStatus.DENIED);
        assertThat(request.decision().effect()).isEqualTo(Effect.DENY);
        assertThat(request.decision().rules()).isEmpty();
    }

    @Test
    void requireApproval_isPendingUntilAMemberApproves() {
        ApprovalRequest pending = f.pendingExport();
        assertThat(pending.status()).isEqualTo(RequestStatus.PENDING);
        assertThat(pending.expiresAt()).contains(f.clock.instant().plus(WorkflowFixture.TIMEOUT));

        ApprovalRequest approved = f.workflow.approve(f.alice, pending.id(), Optional.of("fine"), "api");

        assertThat(approved.status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(approved.decidedBy()).contains("human:alice");
        assertThat(f.workflow.grantToken(approved)).isPresent();
        assertThat(f.changes)
                .extracting(ApprovalRequest::status)
                .containsExactly(RequestStatus.PENDING, RequestStatus.APPROVED);
    }

    @Test
    void approve_byOnBehalfOfHuman_isRefused_byNameOrEmail() {
        ApprovalRequest byName = f.submit(onBehalfOf("db.export", "db/prod/customers", "alice"));
        ApprovalRequest byEmail = f.submit(onBehalfOf("db.export", "db/prod/orders", "ALICE@example.com"));

        assertThatThrownBy(() -> f.workflow.approve(f.alice, byName.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Forbidden.class)
                .hasMessageContaining("on behalf of");
        assertThatThrownBy(() -> f.workflow.approve(f.alice, byEmail.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Forbidden.class);
        assertThat(f.workflow.find(byName.id()).orElseThrow().votes()).isEmpty();
    }

    @Test
    void approve_byNonMember_isRefused() {
        ApprovalRequest pending = f.pendingExport();

        assertThatThrownBy(() -> f.workflow.approve(f.mallory, pending.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Forbidden.class)
                .hasMessage("mallory is not in any group that decides this request (data-owners)");
    }

    @Test
    void quorumOfTwo_needsTwoDistinctHumans() {
        ApprovalRequest pending = f.submit(action("secrets.rotate", "vault/prod/db-password"));

        ApprovalRequest afterAlice = f.workflow.approve(f.alice, pending.id(), Optional.empty(), "api");
        assertThat(afterAlice.status()).isEqualTo(RequestStatus.PENDING);
        assertThatThrownBy(() -> f.workflow.approve(f.alice, pending.id(), Optional.empty(), "slack"))
                .isInstanceOf(WorkflowException.Forbidden.class)
                .hasMessageContaining("already voted");
        ApprovalRequest afterCarol = f.workflow.approve(f.carol, pending.id(), Optional.empty(), "api");

        assertThat(afterCarol.status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(afterCarol.votes()).extracting(Vote::voter).containsExactly("alice", "carol");
    }

    @Test
    void everyMatchingRequirementMustBeMet() {
        ApprovalRequest pending = f.submit(action("deploy.production", "k8s/prod/api"));

        ApprovalRequest afterAlice = f.workflow.approve(f.alice, pending.id(), Optional.empty(), "api");
        assertThat(afterAlice.status()).as("data-owners met, sre not").isEqualTo(RequestStatus.PENDING);
        ApprovalRequest afterBob = f.workflow.approve(f.bob, pending.id(), Optional.empty(), "api");

        assertThat(afterBob.status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(afterBob.expiresAt()).isEmpty();
        assertThat(pending.expiresAt())
                .as("the shortest timeout wins")
                .contains(pending.createdAt().plus(Duration.ofMinutes(10)));
    }

    @Test
    void deny_needsAComment_andOneEligibleDenialDenies() {
        ApprovalRequest pending = f.submit(action("secrets.rotate", "vault/prod/db-password"));
        f.workflow.approve(f.alice, pending.id(), Optional.empty(), "api");

        assertThatThrownBy(() -> f.workflow.deny(f.carol, pending.id(), " ", "api"))
                .isInstanceOf(WorkflowException.Unprocessable.class);
        ApprovalRequest denied = f.workflow.deny(f.carol, pending.id(), "not during the freeze", "api");

        assertThat(denied.status()).isEqualTo(RequestStatus.DENIED);
        assertThat(denied.decidedBy()).contains("human:carol");
        assertThat(f.store.auditTypes(pending.id())).endsWith("vote.cast", "vote.cast", "request.denied");
    }

    @Test
    void voteOnADecidedRequest_isAConflict() {
        ApprovalRequest pending = f.pendingExport();
        f.workflow.approve(f.alice, pending.id(), Optional.empty(), "api");

        assertThatThrownBy(() -> f.workflow.deny(f.bob, pending.id(), "too late", "api"))
                .isInstanceOf(WorkflowException.Conflict.class)
                .hasMessageContaining("is approved, no longer pending");
    }

    @Test
    void unknownRequest_isNotFound() {
        assertThatThrownBy(() -> f.workflow.approve(f.alice, RequestId.random(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.NotFound.class);
    }

    @Test
    void cancel_onlyByTheRequestingAgent_andOnlyWhilePending() {
        ApprovalRequest pending = f.pendingExport();

        assertThatThrownBy(() -> f.workflow.cancel(f.other, pending.id()))
                .isInstanceOf(WorkflowException.Forbidden.class);
        ApprovalRequest cancelled = f.workflow.cancel(f.reporter, pending.id());
        assertThat(cancelled.status()).isEqualTo(RequestStatus.CANCELLED);
        assertThatThrownBy(() -> f.workflow.cancel(f.reporter, pending.id()))
                .isInstanceOf(WorkflowException.Conflict.class);
    }

    @Test
    void abandon_whenTheWaitingCallerIsGone_cancelsWithWhy_andAnApprovalIsThenRefused() {
        ApprovalRequest pending = f.pendingExport();

        ApprovalRequest cancelled = f.workflow.abandon(pending.id(), "the agent's MCP client cancelled the call");

        assertThat(cancelled.status()).isEqualTo(RequestStatus.CANCELLED);
        assertThat(cancelled.decidedBy()).contains("system");
        assertThat(cancelled.resolution()).contains("the agent's MCP client cancelled the call");
        assertThatThrownBy(() -> f.workflow.approve(f.alice, pending.id(), Optional.empty(), "api"))
                .isInstanceOf(WorkflowException.Conflict.class);
        assertThat(f.workflow.abandon(pending.id(), "again").resolution())
                .as("a second abandon changes nothing")
                .contains("the agent's MCP client cancelled the call");
    }

    @Test
    void abandon_ofARequestAlreadyDecided_leavesItAsItIs() {
        ApprovalRequest pending = f.pendingExport();
        f.workflow.approve(f.alice, pending.id(), Optional.of("fine"), "api");

        assertThat(f.workflow.abandon(pending.id(), "gone").status()).isEqualTo(RequestStatus.APPROVED);
    }

    @Test
    void pendingRequest_expiresAtItsTimeout_andCanNoLongerBeApproved() {
        ApprovalRequest pending = f.pendingExport();
        f.clock.advance(WorkflowFixture.TIMEOUT.minusSeconds(1));
        assertThat(f.workflow.expireDue()).isZero();

        f.clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> f.workflow.approve(f.alice, pending.id(), Optional.empty(), "api"))
                .as("a vote after the timeout is refused even before the sweep")
                .isInstanceOf(WorkflowException.Conflict.class);
        assertThat(f.workflow.expireDue()).isEqualTo(1);

        ApprovalRequest expired = f.workflow.find(pending.id()).orElseThrow();
        assertThat(expired.status()).isEqualTo(RequestStatus.EXPIRED);
        assertThat(expired.decidedBy()).contains("system");
        assertThat(f.store.auditTypes(pending.id())).endsWith("request.expired");
        assertThat(f.workflow.expireDue()).isZero();
    }

    @Test
    void sameIdempotencyKeyAndBody_returnsTheSameRequest_otherBodyIsAConflict() {
        Action export = action("db.export", "db/prod/customers");
        ApprovalRequest first = f.workflow.submit(f.reporter, export, Optional.of("k1"));
        ApprovalRequest again = f.workflow.submit(f.reporter, export, Optional.of("k1"));
        ApprovalRequest otherAgent = f.workflow.submit(f.other, export, Optional.of("k1"));

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(otherAgent.id()).isNotEqualTo(first.id());
        assertThatThrownBy(
                        () -> f.workflow.submit(f.reporter, action("db.export", "db/prod/orders"), Optional.of("k1")))
                .isInstanceOf(WorkflowException.Conflict.class)
                .hasMessageContaining("idempotency key 'k1'");
        assertThat(f.store.findPending()).hasSize(2);
    }
}
