package io.countersign.server.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the JSON-RPC id of a response too large to read, from its first and last bytes. Servers
 * write the top-level {@code id} either first (after {@code jsonrpc}: the Python SDK) or last (the
 * TypeScript SDK writes {@code {"result":…,"jsonrpc":"2.0","id":…}}); an {@code id} anywhere else
 * may belong to the content, so only those two places count, and nothing is guessed.
 */
final class OversizedLine {
    private static final String ID = "(\"(?:[^\"\\\\]|\\\\.){0,200}\"|-?\\d{1,18})";
    private static final Pattern AT_START =
            Pattern.compile("^\\s*\\{\\s*(?:\"jsonrpc\"\\s*:\\s*\"2\\.0\"\\s*,\\s*)?\"id\"\\s*:\\s*" + ID + "\\s*,");
    private static final Pattern AT_END = Pattern.compile(",\\s*\"id\"\\s*:\\s*" + ID + "\\s*}\\s*$");

    private OversizedLine() {}

    static Optional<Object> responseId(String head, String tail, McpJsonMapper json) {
        Matcher start = AT_START.matcher(head);
        if (start.find()) {
            return Optional.of(parse(start.group(1), json));
        }
        Matcher end = AT_END.matcher(tail);
        if (end.find()) {
            return Optional.of(parse(end.group(1), json));
        }
        return Optional.empty();
    }

    /** As the SDK reads ids: a JSON string is a String, a number an Integer (or a Long past its range). */
    private static Object parse(String token, McpJsonMapper json) {
        if (token.startsWith("\"")) {
            try {
                return json.readValue(token, String.class);
            } catch (java.io.IOException | RuntimeException e) {
                return token.substring(1, token.length() - 1);
            }
        }
        long value = Long.parseLong(token);
        return value == (int) value ? (Object) (int) value : (Object) value;
    }
}
