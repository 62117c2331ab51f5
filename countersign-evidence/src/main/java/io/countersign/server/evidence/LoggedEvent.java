package io.countersign.server.evidence;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One audit entry as the evidence reads it: its exact leaf bytes (what the inclusion proof is
 * for) and the fields parsed from them. Everything an evidence file says comes from these.
 */
public record LoggedEvent(
        long seq, byte[] leaf, Instant time, String type, String actor, Optional<String> request, JsonNode data) {
    public LoggedEvent {
        requireNonNull(leaf, "leaf is null");
        requireNonNull(time, "time is null");
        requireNonNull(type, "type is null");
        requireNonNull(actor, "actor is null");
        requireNonNull(request, "request is null");
        requireNonNull(data, "data is null");
        leaf = leaf.clone();
    }

    /**
     * Parses a leaf.
     *
     * @throws IllegalArgumentException when the bytes are not an audit entry
     */
    public static LoggedEvent parse(JsonMapper mapper, byte[] leaf) {
        JsonNode node;
        try {
            node = mapper.readTree(leaf);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (node == null
                || !node.isObject()
                || !node.path("seq").canConvertToLong()
                || !node.path("time").isString()
                || !node.path("type").isString()
                || !node.path("actor").isString()
                || !node.path("data").isObject()) {
            throw new IllegalArgumentException("not an audit entry {seq, time, type, actor, request, data}");
        }
        Instant time;
        try {
            time = Instant.parse(node.path("time").asString());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("time '" + node.path("time").asString() + "' is not an instant");
        }
        JsonNode request = node.path("request");
        return new LoggedEvent(
                node.path("seq").asLong(),
                leaf,
                time,
                node.path("type").asString(),
                node.path("actor").asString(),
                request.isString() ? Optional.of(request.asString()) : Optional.empty(),
                node.path("data"));
    }

    @Override
    public byte[] leaf() {
        return leaf.clone();
    }

    /** A text field of the data, or "" when absent or null. */
    String text(String field) {
        JsonNode value = data.path(field);
        return value.isString() ? value.asString() : "";
    }
}
