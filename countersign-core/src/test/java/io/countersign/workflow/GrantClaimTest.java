package io.countersign.workflow;

import static io.countersign.workflow.WorkflowFixture.action;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.action.Action;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A grant claimed before the adapter runs the action: claimed once, then its outcome reported once. */
class GrantClaimTest {
    private final WorkflowFixture f = new WorkflowFixture();
    private final Action action = action("db.query", "db/prod/customers");

    @Test
    void aClaimedGrantIsUsed_aSecondClaimIsAConflict_andTheOutcomeIsReportedOnce() {
        ApprovalRequest request = f.submit(action);
        String grant = f.grantOf(request);

        ApprovalRequest claimed = f.workflow.claimGrant(f.reporter, request.id(), grant, action);

        assertThat(claimed.status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(claimed.grant().orElseThrow().usedAt()).isPresent();
        assertThat(f.workflow.grantToken(claimed))
                .as("a claimed grant is not shown again")
                .isEmpty();
        assertThatThrownBy(() -> f.workflow.claimGrant(f.reporter, request.id(), grant, action))
                .isInstanceOf(WorkflowException.Conflict.class)
                .hasMessageContaining("already used");
        assertThatThrownBy(() -> f.workflow.reportExecution(
                        f.reporter,
                        request.id(),
                        grant,
                        Optional.of(action),
                        Execution.Outcome.SUCCEEDED,
                        Optional.empty()))
                .as("the claimed grant can't be used through the agent's own report either")
                .isInstanceOf(WorkflowException.Conflict.class);

        ApprovalRequest executed = f.workflow.reportClaimedExecution(
                f.reporter, request.id(), Execution.Outcome.SUCCEEDED, Optional.of("HTTP 200"));

        assertThat(executed.status()).isEqualTo(RequestStatus.EXECUTED);
        assertThat(executed.grant().orElseThrow().usedAt())
                .as("the grant keeps the time it was claimed")
                .isEqualTo(claimed.grant().orElseThrow().usedAt());
        assertThat(f.store.auditTypes(request.id())).endsWith("grant.used", "action.executed");
        assertThatThrownBy(() -> f.workflow.reportClaimedExecution(
                        f.reporter, request.id(), Execution.Outcome.SUCCEEDED, Optional.empty()))
                .isInstanceOf(WorkflowException.Conflict.class);
    }

    @Test
    void aClaimForAnotherActionOrByAnotherAgent_isRefused_andLeavesTheGrantUsable() {
        ApprovalRequest request = f.submit(action);
        String grant = f.grantOf(request);

        assertThatThrownBy(() ->
                        f.workflow.claimGrant(f.reporter, request.id(), grant, action("db.query", "db/prod/customerz")))
                .isInstanceOf(WorkflowException.Unprocessable.class);
        assertThatThrownBy(() -> f.workflow.claimGrant(
                        io.countersign.identity.Agent.named("someone-else"), request.id(), grant, action))
                .isInstanceOf(WorkflowException.Forbidden.class);

        assertThat(f.workflow.grantToken(f.workflow.find(request.id()).orElseThrow()))
                .hasValue(grant);
    }

    @Test
    void anUnclaimedGrantsOutcomeCantBeReportedAsClaimed() {
        ApprovalRequest request = f.submit(action);

        assertThatThrownBy(() -> f.workflow.reportClaimedExecution(
                        f.reporter, request.id(), Execution.Outcome.SUCCEEDED, Optional.empty()))
                .isInstanceOf(WorkflowException.Conflict.class)
                .hasMessageContaining("no claimed grant");
    }
}
