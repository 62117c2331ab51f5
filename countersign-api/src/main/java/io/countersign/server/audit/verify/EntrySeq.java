package io.countersign.server.audit.verify;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/** Reads the top-level {@code seq} of an audit leaf without building a tree of it. */
final class EntrySeq {
    /** Returned when the leaf is no JSON object with a whole-number {@code seq}. */
    static final long NONE = -1;

    private final JsonMapper mapper;

    EntrySeq(JsonMapper mapper) {
        this.mapper = mapper;
    }

    long of(byte[] leaf) {
        try (JsonParser parser = mapper.createParser(leaf)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return NONE;
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("seq".equals(name)) {
                    return value == JsonToken.VALUE_NUMBER_INT
                                    && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                                    && parser.getLongValue() >= 0
                            ? parser.getLongValue()
                            : NONE;
                }
                parser.skipChildren();
            }
            return NONE;
        } catch (JacksonException e) {
            return NONE;
        }
    }
}
