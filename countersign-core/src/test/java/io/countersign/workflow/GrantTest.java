package io.countersign.workflow;

import static io.countersign.workflow.WorkflowFixture.action;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.action.Action;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Invariant 3: a grant executes exactly the approved action, once, in time. */
class GrantTest {
    private final WorkflowFixture f = new WorkflowFixture();

    private ApprovalRequest allowed() {
        return f.submit(action("db.query", "db/prod/customers"));
    }

    private ApprovalRequest execute(ApprovalRequest request, String grant, Optional<Action> executing) {
        return f.workflow.reportExecution(
                f.reporter, request.id(), grant, executing, Execution.Outcome.SUCCEEDED, Optional.of("42 rows"));
    }

    @Test
    void grant_isUsedOnce() {
        ApprovalRequest request = allowed();
        String grant = f.grantOf(request);

        ApprovalRequest executed = execute(request, grant, Optional.empty());

        assertThat(executed.status()).isEqualTo(RequestStatus.EXECUTED);
        assertThat(f.workflow.grantToken(executed))
                .as("a used grant is not shown again")
                .isEmpty();
        assertThatThrownBy(() -> execute(request, grant, Optional.empty()))
                .isInstanceOf(WorkflowException.Conflict.class)
                .hasMessageContaining("already used");
        assertThat(f.store.auditTypes(request.id())).endsWith("grant.used", "action.executed");
    }

    @Test
    void failedExecution_isRecordedAsFailed() {
        ApprovalRequest request = allowed();

        ApprovalRequest failed = f.workflow.reportExecution(
                f.reporter,
                request.id(),
                f.grantOf(request),
                Optional.empty(),
                Execution.Outcome.FAILED,
                Optional.of("connection reset"));

        assertThat(failed.status()).isEqualTo(RequestStatus.FAILED);
        assertThat(failed.execution().orElseThrow().detail()).contains("connection reset");
    }

    @Test
    void grantOfAnotherRequest_isUnprocessable() {
        ApprovalRequest first = allowed();
        ApprovalRequest second = allowed();

        assertThatThrownBy(() -> execute(second, f.grantOf(first), Optional.empty()))
                .isInstanceOf(WorkflowException.Unprocessable.class)
                .hasMessageContaining("belongs to another action");
    }

    @Test
    void actionChangedByOneByte_isRefused() {
        ApprovalRequest request = allowed();
        Action changed = action("db.query", "db/prod/customerz");

        assertThatThrownBy(() -> execute(request, f.grantOf(request), Optional.of(changed)))
                .isInstanceOf(WorkflowException.Unprocessable.class)
                .hasMessageContaining("for another action");
        assertThat(execute(request, f.grantOf(request), Optional.of(action("db.query", "db/prod/customers")))
                        .status())
                .isEqualTo(RequestStatus.EXECUTED);
    }

    @Test
    void tamperedToken_isRefused() {
        ApprovalRequest request = allowed();
        String grant = f.grantOf(request);
        char last = grant.charAt(grant.length() - 1);
        String tampered = grant.substring(0, grant.length() - 1) + (last == 'A' ? 'B' : 'A');

        assertThatThrownBy(() -> execute(request, tampered, Optional.empty()))
                .isInstanceOf(WorkflowException.Unprocessable.class);
        assertThatThrownBy(() -> execute(request, "not-a-grant", Optional.empty()))
                .isInstanceOf(WorkflowException.Unprocessable.class);
    }

    @Test
    void expiredGrant_isAConflict() {
        ApprovalRequest request = allowed();
        String grant = f.grantOf(request);
        f.clock.advance(Duration.ofMinutes(5));

        assertThat(f.workflow.grantToken(request)).isEmpty();
        assertThatThrownBy(() -> execute(request, grant, Optional.empty()))
                .isInstanceOf(WorkflowException.Conflict.class)
                .hasMessageContaining("expired");
    }

    @Test
    void onlyTheRequestingAgent_mayReportExecution() {
        ApprovalRequest request = allowed();

        assertThatThrownBy(() -> f.workflow.reportExecution(
                        f.other,
                        request.id(),
                        f.grantOf(request),
                        Optional.empty(),
                        Execution.Outcome.SUCCEEDED,
                        Optional.empty()))
                .isInstanceOf(WorkflowException.Forbidden.class);
    }

    @Test
    void pendingOrDeniedRequest_hasNoGrantToUse() {
        ApprovalRequest pending = f.pendingExport();
        ApprovalRequest approvedElsewhere = allowed();
        String foreign = f.grantOf(approvedElsewhere)
                .replace(approvedElsewhere.id().value(), pending.id().value());

        assertThatThrownBy(() -> execute(pending, foreign, Optional.empty()))
                .isInstanceOf(WorkflowException.Conflict.class)
                .hasMessageContaining("has no grant");
    }
}
