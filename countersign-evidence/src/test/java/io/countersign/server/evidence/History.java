package io.countersign.server.evidence;

import io.countersign.audit.AuditEntry;
import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Writes audit entries the way the workflow does, for tests that need a history without a gateway. */
final class History {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private final List<LoggedEvent> events = new ArrayList<>();

    List<LoggedEvent> events() {
        return List.copyOf(events);
    }

    History append(AuditEventType type, Instant at, String actor, String request, Consumer<ObjectNode> data) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        data.accept(node);
        byte[] leaf = new AuditEntry(events.size(), new AuditEvent(type, at, actor, Optional.ofNullable(request), node))
                .leaf();
        events.add(LoggedEvent.parse(MAPPER, leaf));
        return this;
    }

    History policy(Instant at, String version) {
        return append(AuditEventType.POLICY_LOADED, at, "system", null, d -> d.put("file", "policy.yaml")
                .put("version", version));
    }

    /** A load as the gateway records it since loads carry their text. */
    History policyWithText(Instant at, String version, String text) {
        return append(AuditEventType.POLICY_LOADED, at, "system", null, d -> d.put("file", "policy.yaml")
                .put("version", version)
                .put("source", text));
    }

    /** A change proposed through the approval flow: its request, carrying the proposed text. */
    History proposedChange(String id, Instant at, String proposer, String from, String to, String text) {
        return append(AuditEventType.REQUEST_CREATED, at, "human:" + proposer, id, d -> {
            d.put("agent", "policy-change")
                    .put("action", "policy.change")
                    .put("resource", "policy/policy.yaml")
                    .put("reason", "tighten exports")
                    .put("onBehalfOf", proposer);
            d.putObject("params")
                    .put("version", to)
                    .put("previousVersion", from)
                    .put("content", text);
        });
    }

    /** What the gateway records right after it loads an approved change. */
    History changed(String id, Instant at, String from, String to, String proposer, String approver, String applier) {
        return append(AuditEventType.POLICY_CHANGED, at, "human:" + applier, id, d -> {
            d.put("file", "policy.yaml")
                    .put("previousVersion", from)
                    .put("version", to)
                    .put("proposedBy", proposer)
                    .put("reason", "tighten exports");
            d.putArray("approvedBy").add(approver);
            d.put("appliedBy", applier);
        });
    }

    History refusedVote(String id, Instant at, String voter, String channel, String reason) {
        return append(AuditEventType.VOTE_REFUSED, at, "human:" + voter, id, d -> {
            d.put("voter", voter).put("email", voter + "@example.com");
            d.putArray("groups").add("eng");
            d.put("choice", "approve")
                    .put("channel", channel)
                    .put("status", "pending")
                    .put("reason", reason);
        });
    }

    History created(
            String id,
            Instant at,
            String agent,
            String onBehalfOf,
            String action,
            String resource,
            String effect,
            String rule) {
        append(AuditEventType.REQUEST_CREATED, at, "agent:" + agent, id, d -> {
            d.put("agent", agent)
                    .put("action", action)
                    .put("resource", resource)
                    .put("reason", "r");
            if (onBehalfOf == null) {
                d.putNull("onBehalfOf");
            } else {
                d.put("onBehalfOf", onBehalfOf);
            }
            d.put("delegation", onBehalfOf == null ? "none" : "declared");
        });
        append(AuditEventType.DECISION_MADE, at, "policy", id, d -> {
            d.put("effect", effect).put("reason", "").put("policyVersion", "sha256:v1");
            d.putArray("rules").add(rule);
        });
        if (!effect.equals("require_approval")) {
            String status = effect.equals("allow") ? "approved" : "denied";
            resolved(id, at, status, "policy");
        }
        return this;
    }

    /** A request as the workflow logs it since onBehalfOf is resolved: with whom it resolved to, if anyone. */
    History createdFor(
            String id,
            Instant at,
            String agent,
            String onBehalfOf,
            Optional<io.countersign.identity.Person> resolvedTo) {
        append(AuditEventType.REQUEST_CREATED, at, "agent:" + agent, id, d -> {
            d.put("agent", agent)
                    .put("action", "db.export")
                    .put("resource", "db/prod")
                    .put("reason", "r")
                    .put("onBehalfOf", onBehalfOf);
            resolvedTo.ifPresent(person ->
                    d.putObject("onBehalfOfPerson").put("name", person.name()).put("email", person.email()));
            d.put("delegation", "claimed");
        });
        return append(AuditEventType.DECISION_MADE, at, "policy", id, d -> {
            d.put("effect", "require_approval").put("reason", "").put("policyVersion", "sha256:v1");
            d.putArray("rules").add("exports");
        });
    }

    /** An enforcing adapter's action allowed outright, as {@code AllowanceEvents} writes it: one entry. */
    History allowed(String id, Instant at, String agent, String action, String resource, String rule) {
        return append(AuditEventType.ACTION_ALLOWED, at, "agent:" + agent, id, d -> {
            d.put("agent", agent);
            d.putObject("agentLabels");
            d.put("action", action).put("resource", resource);
            d.putObject("params").put("statement", "SELECT 1");
            d.put("reason", "r").put("digest", "00");
            ObjectNode decision = d.putObject("decision");
            decision.put("effect", "allow");
            decision.putArray("rules").add(rule);
            decision.put("reason", "reads are fine").put("policyVersion", "sha256:v1");
        });
    }

    /** What became of it, under the same id. */
    History allowedExecuted(String id, Instant at, String agent, String outcome) {
        return append(AuditEventType.ALLOWED_ACTION_EXECUTED, at, "agent:" + agent, id, d -> d.put("digest", "00")
                .put("outcome", outcome));
    }

    History vote(String id, Instant at, String voter, String email, String choice, String channel) {
        return append(AuditEventType.VOTE_CAST, at, "human:" + voter, id, d -> d.put("choice", choice)
                .put("voter", voter)
                .put("email", email)
                .put("channel", channel));
    }

    History resolved(String id, Instant at, String status, String by) {
        AuditEventType type =
                switch (status) {
                    case "approved" -> AuditEventType.REQUEST_APPROVED;
                    case "denied" -> AuditEventType.REQUEST_DENIED;
                    case "expired" -> AuditEventType.REQUEST_EXPIRED;
                    default -> AuditEventType.REQUEST_CANCELLED;
                };
        return append(type, at, by, id, d -> d.put("status", status).put("decidedBy", by));
    }

    History grantIssued(String id, Instant at, Instant expiresAt) {
        return append(AuditEventType.GRANT_ISSUED, at, "system", id, d -> d.put("digest", "d")
                .put("expiresAt", expiresAt.toString()));
    }

    History executed(String id, Instant at, String agent, String outcome) {
        return append(AuditEventType.ACTION_EXECUTED, at, "agent:" + agent, id, d -> d.put("outcome", outcome));
    }

    History breakGlass(String id, Instant at, String by, String reason) {
        return append(AuditEventType.BREAK_GLASS_USED, at, "human:" + by, id, d -> d.put("usedBy", by)
                .put("reason", reason)
                .put("review", "open"));
    }

    History reviewed(String id, Instant at, String usedBy, String by) {
        return append(
                AuditEventType.BREAK_GLASS_REVIEW_ACKNOWLEDGED, at, "human:" + by, id, d -> d.put("usedBy", usedBy)
                        .put("acknowledgedBy", by));
    }

    static Instant at(Instant start, Duration plus) {
        return start.plus(plus);
    }
}
