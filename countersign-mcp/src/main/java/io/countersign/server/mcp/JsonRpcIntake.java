package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks each message an agent sends before the MCP SDK sees it, on stdio and on {@code /mcp}
 * alike. The SDK stops reading stdio for good at the first line it can't parse, and answers
 * malformed HTTP bodies with a Java stack trace; here each bad message gets the JSON-RPC error the
 * spec names and the session goes on. {@code notifications/cancelled} is handled here (the SDK
 * ignores it), and each {@code tools/call}, {@code resources/read} and {@code prompts/get} is tagged so
 * the gateway knows which call of which client it is running, to cancel it when that client gives up.
 */
final class JsonRpcIntake {
    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;
    /** Where a tagged {@code tools/call} carries its call's token, in {@code params._meta}; an agent's own value is replaced. */
    static final String CALL_TOKEN = "io.countersign/call";

    /** What to do with one incoming message. */
    sealed interface Verdict {}

    /** Answer the agent with this JSON-RPC error; nothing reaches the SDK. */
    record Reject(ObjectNode error, int httpStatus) implements Verdict {
        Reject {
            requireNonNull(error, "error is null");
        }
    }

    /** The agent gave up on its request {@code requestId} (the JSON text of the id); nothing reaches the SDK. */
    record Cancel(String requestId, String reason) implements Verdict {
        Cancel {
            requireNonNull(requestId, "requestId is null");
            requireNonNull(reason, "reason is null");
        }
    }

    /** A notification that is dropped (malformed: a notification is never answered). */
    record Drop(String why) implements Verdict {}

    /** Hand {@code message} to the SDK; {@code call} is the tools/call's id and token, when it is one. */
    record Pass(String message, Optional<TaggedCall> call) implements Verdict {
        Pass {
            requireNonNull(message, "message is null");
            requireNonNull(call, "call is null");
        }
    }

    /**
     * A request the gateway answers itself, not the SDK: {@code resources/subscribe} and {@code
     * resources/unsubscribe} (the SDK's server keeps subscriptions with no hook to subscribe the
     * upstream too), and {@code logging/setLevel}, which the SDK answers only where it keeps
     * sessions ({@code message} is the request as received, for it). {@code call} is the
     * subscribe's, which may be held for a human like a read.
     */
    record Own(JsonNode id, String method, ObjectNode params, String message, Optional<TaggedCall> call)
            implements Verdict {
        Own {
            requireNonNull(id, "id is null");
            requireNonNull(method, "method is null");
            requireNonNull(params, "params is null");
            requireNonNull(message, "message is null");
            requireNonNull(call, "call is null");
        }
    }

    static final String SUBSCRIBE = "resources/subscribe";
    static final String UNSUBSCRIBE = "resources/unsubscribe";
    static final String SET_LEVEL = "logging/setLevel";
    private static final java.util.Set<String> LEVELS =
            java.util.Set.of("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency");

    /** A tools/call: its JSON-RPC id (as JSON text) and the token the gateway finds it by. */
    record TaggedCall(String requestId, String token) {}

    private final JsonMapper mapper;

    JsonRpcIntake(JsonMapper mapper) {
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    /** Checks {@code text}; {@code tokens} makes a token for a tools/call with the given id. */
    Verdict check(String text, Function<String, String> tokens) {
        JsonNode message;
        try {
            message = mapper.readTree(text);
        } catch (JacksonException e) {
            return reject(Optional.empty(), PARSE_ERROR, "Parse error: the message is not JSON", 400);
        }
        if (message == null || message.isMissingNode()) {
            return reject(Optional.empty(), PARSE_ERROR, "Parse error: the message is empty", 400);
        }
        if (message.isArray()) {
            return reject(
                    Optional.empty(),
                    INVALID_REQUEST,
                    "Invalid Request: JSON-RPC batches are not supported (MCP 2025-06-18 and later)",
                    400);
        }
        if (!(message instanceof ObjectNode object)) {
            return reject(Optional.empty(), INVALID_REQUEST, "Invalid Request: a message must be a JSON object", 400);
        }
        JsonNode id = object.get("id");
        boolean validId = id != null && (id.isString() || id.isIntegralNumber());
        Optional<JsonNode> echoedId = validId ? Optional.of(id) : Optional.empty();
        if (!"2.0".equals(object.path("jsonrpc").asString(""))) {
            return reject(echoedId, INVALID_REQUEST, "Invalid Request: 'jsonrpc' must be \"2.0\"", 400);
        }
        JsonNode method = object.get("method");
        if (method == null) {
            if (validId && (object.has("result") || object.has("error"))) {
                return new Pass(text, Optional.empty());
            }
            return reject(echoedId, INVALID_REQUEST, "Invalid Request: no 'method'", 400);
        }
        if (!method.isString()) {
            return reject(echoedId, INVALID_REQUEST, "Invalid Request: 'method' must be a string", 400);
        }
        JsonNode params = object.get("params");
        if (id == null) {
            return notification(method.asString(), params, text);
        }
        if (!validId) {
            return reject(
                    Optional.empty(),
                    INVALID_REQUEST,
                    "Invalid Request: 'id' must be a string or an integer" + (id.isNull() ? ", not null" : ""),
                    400);
        }
        if (params != null && !params.isObject()) {
            return reject(Optional.of(id), INVALID_PARAMS, "Invalid params: 'params' must be an object", 400);
        }
        if (OWN.contains(method.asString())) {
            return own(id, method.asString(), params, text, tokens);
        }
        // What the gateway decides, and may hold for a human: each is tracked, to be cancelled when its client goes.
        String named =
                switch (method.asString()) {
                    case "tools/call", "prompts/get" -> "name";
                    case "resources/read" -> "uri";
                    default -> "";
                };
        if (named.isEmpty()) {
            return new Pass(text, Optional.empty());
        }
        if (params == null || !params.path(named).isString()) {
            return reject(
                    Optional.of(id),
                    INVALID_PARAMS,
                    "Invalid params: " + method.asString() + " needs '" + named + "', a string",
                    400);
        }
        JsonNode arguments = params.get("arguments");
        if (arguments != null && !arguments.isObject() && !arguments.isNull()) {
            return reject(Optional.of(id), INVALID_PARAMS, "Invalid params: 'arguments' must be an object", 400);
        }
        String requestId = id.toString();
        String token = tokens.apply(requestId);
        ObjectNode tagged = object.deepCopy();
        ObjectNode taggedParams = (ObjectNode) tagged.get("params");
        JsonNode meta = taggedParams.get("_meta");
        ObjectNode taggedMeta = meta instanceof ObjectNode existing ? existing : taggedParams.putObject("_meta");
        taggedMeta.put(CALL_TOKEN, token);
        return new Pass(mapper.writeValueAsString(tagged), Optional.of(new TaggedCall(requestId, token)));
    }

    private static final java.util.Set<String> OWN = java.util.Set.of(SUBSCRIBE, UNSUBSCRIBE, SET_LEVEL);

    private static Verdict own(
            JsonNode id, String method, JsonNode params, String text, Function<String, String> tokens) {
        String named = method.equals(SET_LEVEL) ? "level" : "uri";
        if (params == null || !params.path(named).isString()) {
            return reject(
                    Optional.of(id),
                    INVALID_PARAMS,
                    "Invalid params: " + method + " needs '" + named + "', a string",
                    400);
        }
        if (method.equals(SET_LEVEL) && !LEVELS.contains(params.get("level").asString())) {
            return reject(
                    Optional.of(id),
                    INVALID_PARAMS,
                    "Invalid params: 'level' must be one of " + new java.util.TreeSet<>(LEVELS),
                    400);
        }
        Optional<TaggedCall> call = Optional.empty();
        if (method.equals(SUBSCRIBE)) {
            String requestId = id.toString();
            call = Optional.of(new TaggedCall(requestId, tokens.apply(requestId)));
        }
        return new Own(id, method, (ObjectNode) params, text, call);
    }

    private Verdict notification(String method, JsonNode params, String text) {
        if (params != null && !params.isObject()) {
            return new Drop("notification " + method + " with params that are not an object");
        }
        if (!"notifications/cancelled".equals(method)) {
            return new Pass(text, Optional.empty());
        }
        JsonNode requestId = params == null ? null : params.get("requestId");
        if (requestId == null || !(requestId.isString() || requestId.isIntegralNumber())) {
            return new Drop("notifications/cancelled without a requestId");
        }
        String reason = params.path("reason").isString() ? params.get("reason").asString() : "";
        return new Cancel(requestId.toString(), reason);
    }

    private static Reject reject(Optional<JsonNode> id, int code, String message, int httpStatus) {
        return new Reject(error(id, code, message), httpStatus);
    }

    /** A JSON-RPC error response: {@code id} null where the request's id could not be read. */
    static ObjectNode error(Optional<JsonNode> id, int code, String message) {
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.put("jsonrpc", "2.0");
        if (id.isPresent()) {
            error.set("id", id.get());
        } else {
            error.putNull("id");
        }
        ObjectNode body = error.putObject("error");
        body.put("code", code);
        body.put("message", message);
        return error;
    }
}
