package io.countersign.server.slack;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.Delegation;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Decision;
import io.countersign.policy.Effect;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Execution;
import io.countersign.workflow.GrantRecord;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.Vote;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/** Request values for the Slack tests, built through the records' constructors as the workflow would. */
final class SlackRequests {
    static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");

    private SlackRequests() {}

    static ApprovalRequirement requirement(String rule, int quorum, boolean stepUp, Map<String, String> notify) {
        return new ApprovalRequirement(rule, Set.of("data-owners"), quorum, Duration.ofMinutes(30), stepUp, notify);
    }

    static ApprovalRequest pending(ApprovalRequirement requirement, String paramsJson, String reason) {
        return pending(requirement, paramsJson, reason, "alice@example.com");
    }

    static ApprovalRequest pending(
            ApprovalRequirement requirement, String paramsJson, String reason, String onBehalfOf) {
        Decision decision = new Decision(
                Effect.REQUIRE_APPROVAL,
                List.of(requirement.rule()),
                "needs a data owner",
                "sha256:0123456789abcdef0123456789abcdef",
                List.of(requirement));
        Action action = new Action(
                "db.export",
                "db/prod/customers",
                (ObjectNode) FakeSlack.MAPPER.readTree(paramsJson),
                reason,
                Optional.of(onBehalfOf));
        return new ApprovalRequest(
                RequestId.random(),
                new Agent("report-bot", Map.of()),
                action,
                action.digest(),
                decision,
                RequestStatus.PENDING,
                List.of(),
                T0,
                Optional.of(T0.plus(Duration.ofMinutes(30))),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Delegation.CLAIMED,
                Optional.empty(),
                Optional.empty());
    }

    static ApprovalRequest pending() {
        return pending(
                requirement("exports-need-a-data-owner", 1, false, Map.of()),
                "{\"table\":\"customers\",\"limit\":1000}",
                "monthly churn report");
    }

    static Vote vote(String voter, Vote.Choice choice, Optional<String> comment) {
        return new Vote(
                voter, voter + "@example.com", Set.of("data-owners"), choice, comment, T0.plusSeconds(60), "slack");
    }

    static ApprovalRequest with(
            ApprovalRequest request,
            RequestStatus status,
            List<Vote> votes,
            Optional<String> decidedBy,
            Optional<Execution> execution) {
        boolean pending = status == RequestStatus.PENDING;
        Optional<GrantRecord> grant =
                status == RequestStatus.APPROVED || status == RequestStatus.EXECUTED || status == RequestStatus.FAILED
                        ? Optional.of(new GrantRecord(
                                T0.plusSeconds(60), T0.plusSeconds(360), execution.map(Execution::time)))
                        : Optional.empty();
        return new ApprovalRequest(
                request.id(),
                request.agent(),
                request.action(),
                request.digest(),
                request.decision(),
                status,
                votes,
                request.createdAt(),
                pending ? request.expiresAt() : Optional.empty(),
                pending ? Optional.empty() : Optional.of(T0.plusSeconds(60)),
                decidedBy,
                request.idempotencyKey(),
                grant,
                execution,
                request.delegation(),
                Optional.empty(),
                Optional.empty());
    }
}
