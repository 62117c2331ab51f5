package io.countersign.audit;

import static java.util.Objects.requireNonNull;

import io.countersign.canonical.CanonicalJson;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An event with its place in the log. The leaf, what the Merkle tree hashes, is the RFC 8785
 * canonical JSON of {@code {seq, time, type, actor, request, data}}, with {@code request} null
 * for events that concern no request. Sequence numbers start at 0 and have no gaps.
 */
public record AuditEntry(long seq, AuditEvent event) {
    public AuditEntry {
        requireNonNull(event, "event is null");
        if (seq < 0) {
            throw new IllegalArgumentException("seq is " + seq + ", want >= 0");
        }
    }

    public byte[] leaf() {
        ObjectNode leaf = JsonNodeFactory.instance.objectNode();
        leaf.put("seq", seq);
        leaf.put("time", event.time().toString());
        leaf.put("type", event.type().wireName());
        leaf.put("actor", event.actor());
        event.requestId().ifPresentOrElse(id -> leaf.put("request", id), () -> leaf.putNull("request"));
        leaf.set("data", event.data());
        return CanonicalJson.bytes(leaf);
    }
}
