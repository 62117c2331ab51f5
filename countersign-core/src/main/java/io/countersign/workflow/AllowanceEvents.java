package io.countersign.workflow;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.policy.Decision;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The two audit events of an {@link Allowance}: what a request's created, decided, approved and
 * grant-issued entries say between them, in one entry; then the execution.
 */
final class AllowanceEvents {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private AllowanceEvents() {}

    static AuditEvent allowed(Allowance allowance) {
        ObjectNode data = JSON.objectNode();
        data.put("agent", allowance.agent().name());
        ObjectNode labels = data.putObject("agentLabels");
        allowance.agent().labels().forEach(labels::put);
        data.put("action", allowance.action().action());
        data.put("resource", allowance.action().resource());
        data.set("params", allowance.action().params());
        data.put("reason", allowance.action().reason());
        data.put("digest", allowance.digest().hex());
        Decision decision = allowance.decision();
        ObjectNode decided = data.putObject("decision");
        decided.put("effect", decision.effect().wireName());
        ArrayNode rules = decided.putArray("rules");
        decision.rules().forEach(rules::add);
        decided.put("reason", decision.reason());
        decided.put("policyVersion", decision.policyVersion());
        MaskEvents.put(decided, decision);
        return new AuditEvent(
                AuditEventType.ACTION_ALLOWED,
                allowance.at(),
                allowance.agent().auditName(),
                Optional.of(allowance.id().value()),
                data);
    }

    static AuditEvent executed(Allowance allowance, Execution execution) {
        ObjectNode data = JSON.objectNode();
        data.put("digest", allowance.digest().hex());
        data.put("outcome", execution.outcome().wireName());
        execution.detail().ifPresent(detail -> data.put("detail", detail));
        return new AuditEvent(
                AuditEventType.ALLOWED_ACTION_EXECUTED,
                execution.time(),
                allowance.agent().auditName(),
                Optional.of(allowance.id().value()),
                data);
    }
}
