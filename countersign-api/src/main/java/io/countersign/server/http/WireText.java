package io.countersign.server.http;

import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Text a caller sent, checked before anything is written. JSON's {@code \ud800} escape can carry
 * a lone surrogate, which is no Unicode text at all: RFC 8785 can't canonicalise it (so no audit
 * entry could record it), UTF-8 can't encode it, and PostgreSQL refuses it, as it refuses
 * U+0000. Such text is refused at the edge, with the field's name, instead of failing halfway
 * through a write.
 */
public final class WireText {
    private WireText() {}

    /** Why {@code text} is not acceptable text, if it isn't: a lone surrogate or U+0000, with its position. */
    public static Optional<String> problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return Optional.of(String.format("a lone surrogate U+%04X at index %d", (int) c, i));
            }
            if (Character.isLowSurrogate(c)) {
                return Optional.of(String.format("a lone surrogate U+%04X at index %d", (int) c, i));
            }
            if (c == 0) {
                return Optional.of("the character U+0000 at index " + i);
            }
        }
        return Optional.empty();
    }

    /** Refuses {@code text} with a 400 naming {@code field} when it is not acceptable text. */
    public static String require(String field, String text) {
        problem(text).ifPresent(problem -> {
            throw ApiProblem.badRequest("field '" + field + "' is not valid text: it has " + problem);
        });
        return text;
    }

    /**
     * Checks every field name and string value in {@code node}, however deep; a bad one is a 400
     * naming its path ({@code params.rows[2].name}).
     */
    public static void requireAll(JsonNode node) {
        check("", node);
    }

    private static void check(String path, JsonNode node) {
        if (node.isString()) {
            require(path.isEmpty() ? "(the body)" : path, node.stringValue());
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                String name = property.getKey();
                String child = path.isEmpty() ? name : path + "." + name;
                problem(name).ifPresent(problem -> {
                    throw ApiProblem.badRequest("a field name in '" + (path.isEmpty() ? "(the body)" : path)
                            + "' is not valid text: it has " + problem);
                });
                check(child, property.getValue());
            }
        } else if (node.isArray()) {
            int index = 0;
            for (JsonNode item : node.values()) {
                check(path + "[" + index++ + "]", item);
            }
        }
    }
}
