package io.countersign.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * One thing that happened, before the log gives it a sequence number. {@code data} carries what
 * the event type needs (the action, the decision, the vote...); it must not hold secrets.
 */
public record AuditEvent(AuditEventType type, Instant time, String actor, Optional<String> requestId, ObjectNode data) {
    public AuditEvent {
        requireNonNull(type, "type is null");
        requireNonNull(time, "time is null");
        requireNonNull(actor, "actor is null");
        requireNonNull(requestId, "requestId is null");
        requireNonNull(data, "data is null");
        data = data.deepCopy();
    }

    @Override
    public ObjectNode data() {
        return data.deepCopy();
    }
}
