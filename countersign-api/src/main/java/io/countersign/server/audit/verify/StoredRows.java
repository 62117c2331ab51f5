package io.countersign.server.audit.verify;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The columns a store keeps beside each leaf for its queries (type, request id, time) are not
 * hashed; the console, the evidence package and the insights read them. A verifier checks them
 * against the leaf, so that an edited {@code type} column can't pass as the signed history.
 */
final class StoredRows {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private StoredRows() {}

    /** What is wrong with entry {@code seq}'s columns, if anything; a leaf that is no JSON object is left to the hash check. */
    static Optional<String> mismatch(long seq, long time, String type, Optional<String> requestId, byte[] leaf) {
        JsonNode entry;
        try {
            entry = MAPPER.readTree(leaf);
        } catch (JacksonException e) {
            return Optional.empty();
        }
        if (entry == null || !entry.isObject()) {
            return Optional.empty();
        }
        String leafType = entry.path("type").asString("");
        if (!leafType.equals(type)) {
            return Optional.of("entry " + seq + ": the stored type column says '" + type
                    + "' but the signed entry says '" + leafType + "'");
        }
        Optional<String> leafRequest = entry.path("request").isString()
                ? Optional.of(entry.path("request").asString())
                : Optional.empty();
        if (!leafRequest.equals(requestId)) {
            return Optional.of("entry " + seq + ": the stored request column says "
                    + requestId.map(id -> "'" + id + "'").orElse("none") + " but the signed entry says "
                    + leafRequest.map(id -> "'" + id + "'").orElse("none"));
        }
        try {
            long leafTime = Instant.parse(entry.path("time").asString("")).toEpochMilli();
            if (leafTime != time) {
                return Optional.of("entry " + seq + ": the stored time column says " + Instant.ofEpochMilli(time)
                        + " but the signed entry says " + Instant.ofEpochMilli(leafTime));
            }
        } catch (DateTimeParseException e) {
            return Optional.of("entry " + seq + ": the signed entry's time '"
                    + entry.path("time").asString("") + "' is not a time");
        }
        return Optional.empty();
    }
}
