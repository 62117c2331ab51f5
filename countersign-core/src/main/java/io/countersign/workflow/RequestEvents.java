package io.countersign.workflow;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Decision;
import io.countersign.policy.Escalation;
import java.time.Instant;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The audit events of a request's life, with what each must carry for an auditor to follow it. */
final class RequestEvents {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private RequestEvents() {}

    static AuditEvent created(ApprovalRequest request) {
        ObjectNode data = JSON.objectNode();
        data.put("agent", request.agent().name());
        ObjectNode labels = data.putObject("agentLabels");
        request.agent().labels().forEach(labels::put);
        data.put("action", request.action().action());
        data.put("resource", request.action().resource());
        data.set("params", request.action().params());
        data.put("reason", request.action().reason());
        request.action().onBehalfOf().ifPresentOrElse(h -> data.put("onBehalfOf", h), () -> data.putNull("onBehalfOf"));
        // Whom it resolved to, so the evidence report judges separation of duties by person, as the vote rule does.
        request.resolvedOnBehalfOf().ifPresent(person -> data.putObject("onBehalfOfPerson")
                .put("name", person.name())
                .put("email", person.email()));
        data.put("delegation", request.delegation().wireName());
        data.put("digest", request.digest().hex());
        request.idempotencyKey().ifPresent(key -> data.put("idempotencyKey", key));
        return event(
                AuditEventType.REQUEST_CREATED,
                request.createdAt(),
                request.agent().auditName(),
                request,
                data);
    }

    static AuditEvent decided(ApprovalRequest request) {
        Decision decision = request.decision();
        ObjectNode data = JSON.objectNode();
        data.put("effect", decision.effect().wireName());
        ArrayNode rules = data.putArray("rules");
        decision.rules().forEach(rules::add);
        data.put("reason", decision.reason());
        data.put("policyVersion", decision.policyVersion());
        ArrayNode approvals = data.putArray("approvals");
        for (ApprovalRequirement requirement : decision.approvals()) {
            ObjectNode item = approvals.addObject();
            item.put("rule", requirement.rule());
            ArrayNode groups = item.putArray("groups");
            requirement.groups().stream().sorted().forEach(groups::add);
            item.put("quorum", requirement.quorum());
            item.put("timeoutSeconds", requirement.timeout().toSeconds());
            if (requirement.stepUp()) {
                item.put("stepUp", true);
            }
            requirement.escalation().ifPresent(escalation -> {
                ObjectNode escalate = item.putObject("escalate");
                escalate.put("afterSeconds", escalation.after().toSeconds());
                ArrayNode to = escalate.putArray("to");
                escalation.groups().stream().sorted().forEach(to::add);
            });
        }
        request.expiresAt().ifPresent(at -> data.put("expiresAt", at.toString()));
        MaskEvents.put(data, decision);
        return event(AuditEventType.DECISION_MADE, request.createdAt(), "policy", request, data);
    }

    static AuditEvent vote(ApprovalRequest request, Vote vote, Voter voter) {
        ObjectNode data = JSON.objectNode();
        data.put("choice", vote.choice().wireName());
        data.put("voter", vote.voter());
        data.put("email", vote.email());
        ArrayNode groups = data.putArray("groups");
        vote.groups().stream().sorted().forEach(groups::add);
        vote.comment().ifPresent(comment -> data.put("comment", comment));
        data.put("channel", vote.channel());
        voter.signedInAt().ifPresent(at -> data.put("signedInAt", at.toString()));
        voter.breakGlassReason().ifPresent(reason -> {
            data.put("breakGlass", true);
            data.put("breakGlassReason", reason);
        });
        return event(AuditEventType.VOTE_CAST, vote.time(), "human:" + vote.voter(), request, data);
    }

    /** approved, denied, expired or cancelled: the status the request has now, and who made it so. */
    static AuditEvent resolved(ApprovalRequest request) {
        AuditEventType type =
                switch (request.status()) {
                    case APPROVED -> AuditEventType.REQUEST_APPROVED;
                    case DENIED -> AuditEventType.REQUEST_DENIED;
                    case EXPIRED -> AuditEventType.REQUEST_EXPIRED;
                    case CANCELLED -> AuditEventType.REQUEST_CANCELLED;
                    default ->
                        throw new IllegalStateException("request " + request.id() + " is "
                                + request.status().wireName() + ", not resolved");
                };
        ObjectNode data = JSON.objectNode();
        data.put("status", request.status().wireName());
        String by = request.decidedBy()
                .orElseThrow(() -> new IllegalStateException("resolved request " + request.id() + " has no decider"));
        data.put("decidedBy", by);
        request.resolution().ifPresent(reason -> data.put("reason", reason));
        return event(type, request.decidedAt().orElseThrow(), by, request, data);
    }

    /** The requirement's escalation fired: the groups that could decide before, those added, the channels told. */
    static AuditEvent escalated(ApprovalRequest request, ApprovalRequirement requirement, Instant at) {
        Escalation escalation = requirement
                .escalation()
                .orElseThrow(() -> new IllegalStateException("rule '" + requirement.rule() + "' has no escalation"));
        ObjectNode data = JSON.objectNode();
        data.put("rule", requirement.rule());
        data.put("afterSeconds", escalation.after().toSeconds());
        ArrayNode from = data.putArray("from");
        requirement.groups().stream().sorted().forEach(from::add);
        ArrayNode to = data.putArray("to");
        escalation.groups().stream().sorted().forEach(to::add);
        ObjectNode channels = data.putObject("channels");
        new java.util.TreeMap<>(escalation.notifyTo()).forEach(channels::put);
        return event(AuditEventType.REQUEST_ESCALATED, at, "system", request, data);
    }

    /** The glass was broken: who, why, and that a review is now open. */
    static AuditEvent breakGlassUsed(ApprovalRequest request) {
        BreakGlass breakGlass = request.breakGlass()
                .orElseThrow(() -> new IllegalStateException("request " + request.id() + " has no break-glass"));
        ObjectNode data = JSON.objectNode();
        data.put("usedBy", breakGlass.usedBy());
        data.put("reason", breakGlass.reason());
        request.action().onBehalfOf().ifPresent(h -> data.put("onBehalfOf", h));
        data.put("review", "open");
        return event(
                AuditEventType.BREAK_GLASS_USED, breakGlass.usedAt(), "human:" + breakGlass.usedBy(), request, data);
    }

    static AuditEvent breakGlassReviewAcknowledged(ApprovalRequest request, io.countersign.identity.Human by) {
        BreakGlass breakGlass = request.breakGlass()
                .orElseThrow(() -> new IllegalStateException("request " + request.id() + " has no break-glass"));
        ObjectNode data = JSON.objectNode();
        data.put("usedBy", breakGlass.usedBy());
        data.put("acknowledgedBy", by.name());
        breakGlass.comment().ifPresent(comment -> data.put("comment", comment));
        return event(
                AuditEventType.BREAK_GLASS_REVIEW_ACKNOWLEDGED,
                breakGlass.acknowledgedAt().orElseThrow(),
                by.auditName(),
                request,
                data);
    }

    static AuditEvent grantIssued(ApprovalRequest request) {
        GrantRecord grant = request.grant()
                .orElseThrow(() -> new IllegalStateException("request " + request.id() + " has no grant"));
        ObjectNode data = JSON.objectNode();
        data.put("digest", request.digest().hex());
        data.put("expiresAt", grant.expiresAt().toString());
        return event(AuditEventType.GRANT_ISSUED, grant.issuedAt(), "system", request, data);
    }

    static AuditEvent grantUsed(ApprovalRequest request, Instant at) {
        ObjectNode data = JSON.objectNode();
        data.put("digest", request.digest().hex());
        return event(AuditEventType.GRANT_USED, at, request.agent().auditName(), request, data);
    }

    static AuditEvent executed(ApprovalRequest request, Execution execution) {
        ObjectNode data = JSON.objectNode();
        data.put("outcome", execution.outcome().wireName());
        execution.detail().ifPresent(detail -> data.put("detail", detail));
        return event(
                AuditEventType.ACTION_EXECUTED,
                execution.time(),
                request.agent().auditName(),
                request,
                data);
    }

    private static AuditEvent event(
            AuditEventType type, Instant time, String actor, ApprovalRequest request, ObjectNode data) {
        return new AuditEvent(type, time, actor, Optional.of(request.id().value()), data);
    }
}
