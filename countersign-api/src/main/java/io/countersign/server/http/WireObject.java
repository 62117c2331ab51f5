package io.countersign.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request body read strictly: it must be one JSON object, only the fields the call knows, each
 * of the right type, each key once, all text valid ({@link WireText}). Every mistake becomes a
 * 400 problem that names the field.
 */
public final class WireObject {
    private final ObjectNode node;

    private WireObject(ObjectNode node) {
        this.node = node;
    }

    public static WireObject parse(JsonMapper mapper, byte[] body, Set<String> knownFields, boolean emptyAllowed) {
        if (body.length == 0) {
            if (emptyAllowed) {
                return new WireObject(mapper.createObjectNode());
            }
            throw ApiProblem.badRequest("the request body is empty; want a JSON object");
        }
        JsonNode parsed;
        try {
            // A repeated key would otherwise let the last value win, after a proxy or a log read the first.
            parsed = mapper.reader()
                    .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .readTree(body);
        } catch (JacksonException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate Object property")) {
                throw ApiProblem.badRequest(
                        "the request body has a key twice: " + e.getOriginalMessage() + "; each field may appear once");
            }
            throw ApiProblem.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (parsed == null || !parsed.isObject()) {
            throw ApiProblem.badRequest("the request body must be a JSON object");
        }
        ObjectNode object = (ObjectNode) parsed;
        WireText.requireAll(object);
        List<String> unknown = new ArrayList<>();
        object.propertyNames().forEach(name -> {
            if (!knownFields.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw ApiProblem.badRequest(
                    "unknown field(s) " + unknown + "; this call takes " + new TreeSet<>(knownFields));
        }
        return new WireObject(object);
    }

    public String requiredString(String field) {
        return optionalString(field).orElseThrow(() -> ApiProblem.badRequest("field '" + field + "' is required"));
    }

    public Optional<String> optionalString(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isString()) {
            throw ApiProblem.badRequest("field '" + field + "' must be a string, got "
                    + value.getNodeType().name().toLowerCase());
        }
        return Optional.of(value.stringValue());
    }

    public Optional<Boolean> optionalBoolean(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isBoolean()) {
            throw ApiProblem.badRequest("field '" + field + "' must be true or false, got "
                    + value.getNodeType().name().toLowerCase());
        }
        return Optional.of(value.booleanValue());
    }

    public Optional<List<String>> optionalStrings(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        List<String> strings = new ArrayList<>();
        if (value.isArray()) {
            for (JsonNode item : value.values()) {
                if (!item.isString()) {
                    throw ApiProblem.badRequest("field '" + field + "' must be a list of strings");
                }
                strings.add(item.stringValue());
            }
            return Optional.of(strings);
        }
        throw ApiProblem.badRequest("field '" + field + "' must be a list of strings, got "
                + value.getNodeType().name().toLowerCase());
    }

    public Optional<ObjectNode> optionalObject(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isObject()) {
            throw ApiProblem.badRequest("field '" + field + "' must be a JSON object, got "
                    + value.getNodeType().name().toLowerCase());
        }
        return Optional.of((ObjectNode) value);
    }
}
