package io.countersign.store;

import io.countersign.action.Action;
import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.identity.Agent;
import io.countersign.identity.Person;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Request values for store tests, built through the records' constructors as the workflow would. */
public final class Requests {
    public static final Instant T0 = Instant.parse("2026-03-01T09:00:00.123456789Z");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Requests() {}

    /** Params as the server gets them: parsed from JSON text with Jackson's defaults. */
    public static ObjectNode params(String json) {
        return (ObjectNode) JSON.readTree(json);
    }

    public static Decision requireApproval() {
        return new Decision(
                Effect.REQUIRE_APPROVAL,
                List.of("exports-need-a-data-owner"),
                "exports need a data owner",
                "sha256:abc",
                List.of(new ApprovalRequirement(
                        "exports-need-a-data-owner", Set.of("data-owners", "dba"), 2, Duration.ofMinutes(30))));
    }

    /** A fresh pending request of {@code agent}, created at {@code createdAt}, expiring after {@code timeout}. */
    public static ApprovalRequest pending(
            String agent, Instant createdAt, Duration timeout, Optional<String> idempotencyKey) {
        return pending(RequestId.random(), agent, createdAt, timeout, idempotencyKey);
    }

    public static ApprovalRequest pending(
            RequestId id, String agent, Instant createdAt, Duration timeout, Optional<String> idempotencyKey) {
        Action action = new Action(
                "db.export",
                "db/prod/customers",
                params(
                        "{\"table\":\"customers\",\"limit\":1000,\"filter\":{\"country\":\"FR\",\"since\":\"2025-01-01\"}}"),
                "monthly churn report",
                Optional.of("alice@example.com"));
        return new ApprovalRequest(
                id,
                new Agent(agent, Map.of("team", "analytics", "env", "prod")),
                action,
                action.digest(),
                requireApproval(),
                RequestStatus.PENDING,
                List.of(),
                createdAt,
                Optional.of(createdAt.plus(timeout)),
                Optional.empty(),
                Optional.empty(),
                idempotencyKey,
                Optional.empty(),
                Optional.empty());
    }

    /** A pending request for alice@example.com that resolved, at submission, to the known person {@code person}. */
    public static ApprovalRequest pendingResolvedTo(Person person) {
        ApprovalRequest p = pending("bot");
        return new ApprovalRequest(
                p.id(),
                p.agent(),
                p.action(),
                p.digest(),
                p.decision(),
                p.status(),
                p.votes(),
                p.createdAt(),
                p.expiresAt(),
                p.decidedAt(),
                p.decidedBy(),
                p.idempotencyKey(),
                p.grant(),
                p.execution(),
                p.delegation(),
                p.resolution(),
                p.breakGlass(),
                Optional.of(person));
    }

    public static ApprovalRequest pending(String agent) {
        return pending(agent, T0, Duration.ofMinutes(30), Optional.empty());
    }

    public static Vote vote(String voter, Vote.Choice choice, Instant at) {
        return new Vote(
                voter,
                voter + "@example.com",
                Set.of("data-owners", "dba"),
                choice,
                Optional.of("looks fine to " + voter),
                at,
                "slack");
    }

    /** The same request with one more vote, still pending. */
    public static ApprovalRequest withVote(ApprovalRequest request, Vote vote) {
        List<Vote> votes = new ArrayList<>(request.votes());
        votes.add(vote);
        return new ApprovalRequest(
                request.id(),
                request.agent(),
                request.action(),
                request.digest(),
                request.decision(),
                request.status(),
                votes,
                request.createdAt(),
                request.expiresAt(),
                request.decidedAt(),
                request.decidedBy(),
                request.idempotencyKey(),
                request.grant(),
                request.execution());
    }

    /** Approved by {@code by}, with a fresh grant. */
    public static ApprovalRequest approved(ApprovalRequest request, String by, Instant at) {
        return new ApprovalRequest(
                request.id(),
                request.agent(),
                request.action(),
                request.digest(),
                request.decision(),
                RequestStatus.APPROVED,
                request.votes(),
                request.createdAt(),
                Optional.empty(),
                Optional.of(at),
                Optional.of("human:" + by),
                request.idempotencyKey(),
                Optional.of(new GrantRecord(at, at.plusSeconds(300), Optional.empty())),
                request.execution());
    }

    /** Executed: the grant used and the agent's report recorded. */
    public static ApprovalRequest executed(ApprovalRequest request, Instant at) {
        GrantRecord grant = request.grant().orElseThrow();
        return new ApprovalRequest(
                request.id(),
                request.agent(),
                request.action(),
                request.digest(),
                request.decision(),
                RequestStatus.EXECUTED,
                request.votes(),
                request.createdAt(),
                request.expiresAt(),
                request.decidedAt(),
                request.decidedBy(),
                request.idempotencyKey(),
                Optional.of(grant.used(at)),
                Optional.of(new Execution(Execution.Outcome.SUCCEEDED, Optional.of("exported 1000 rows"), at)));
    }

    /** A request that went through its whole life: votes, approval, grant, execution. */
    public static ApprovalRequest executedWithEverything() {
        ApprovalRequest request = pending("reporting-bot", T0, Duration.ofMinutes(30), Optional.of("run-2026-03-01"));
        request = withVote(request, vote("bob", Vote.Choice.APPROVE, T0.plusSeconds(60)));
        request = withVote(request, vote("carol", Vote.Choice.APPROVE, T0.plusSeconds(90)));
        request = approved(request, "carol", T0.plusSeconds(90));
        return executed(request, T0.plusSeconds(120));
    }

    public static AuditEvent event(AuditEventType type, ApprovalRequest request, Instant at) {
        ObjectNode data = params("{\"action\":\"db.export\"}");
        data.put("status", request.status().wireName());
        return new AuditEvent(
                type, at, request.agent().auditName(), Optional.of(request.id().value()), data);
    }

    public static AuditEvent created(ApprovalRequest request) {
        return event(AuditEventType.REQUEST_CREATED, request, request.createdAt());
    }
}
