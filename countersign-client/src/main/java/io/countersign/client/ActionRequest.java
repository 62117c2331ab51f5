package io.countersign.client;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What an agent wants to do: {@code action} (a dotted name, {@code db.export}), {@code resource}
 * (a path-like name, {@code db/prod/customers}), {@code params} (a JSON object, empty when there
 * are none), {@code reason} (the agent's why, shown to the humans who decide; the server refuses a
 * blank one, so set it before submitting), the human the agent
 * works for if any, and an idempotency key if the agent wants its own resubmissions to land on the
 * same request (without one, the client makes a random key for each submission, which covers its
 * own retry).
 *
 * <p>A value: every {@code with}-style method ({@link #param}, {@link #reason(String)}, ...) returns
 * a new request, and {@link #params()} returns a copy. Build one as
 * {@code ActionRequest.of("db.export", "db/prod/customers").param("rows", 10).reason("weekly report")}.
 * The client checks only that names are present; the server checks the rest and answers a problem.
 */
public record ActionRequest(
        String action,
        String resource,
        ObjectNode params,
        String reason,
        Optional<String> onBehalfOf,
        Optional<String> idempotencyKey) {

    public ActionRequest {
        requireNonNull(action, "action is null");
        requireNonNull(resource, "resource is null");
        requireNonNull(params, "params is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(onBehalfOf, "onBehalfOf is null");
        requireNonNull(idempotencyKey, "idempotencyKey is null");
        requireNotBlank("action", action);
        requireNotBlank("resource", resource);
        onBehalfOf.ifPresent(human -> requireNotBlank("onBehalfOf", human));
        idempotencyKey.ifPresent(key -> requireNotBlank("idempotencyKey", key));
        params = params.deepCopy();
    }

    /** A request with no params, an empty reason, nobody on whose behalf, and no idempotency key. */
    public static ActionRequest of(String action, String resource) {
        return new ActionRequest(
                action, resource, JsonNodeFactory.instance.objectNode(), "", Optional.empty(), Optional.empty());
    }

    /** A copy: Jackson nodes are mutable and this is a value. */
    @Override
    public ObjectNode params() {
        return params.deepCopy();
    }

    /**
     * This request with one more param, replacing any of the same name. {@code value} is anything
     * Jackson can write as JSON: a string, number, boolean, list, map, record or {@link JsonNode}.
     *
     * @throws IllegalArgumentException if Jackson can't write the value
     */
    public ActionRequest param(String name, Object value) {
        requireNonNull(name, "param name is null");
        requireNonNull(value, () -> "value of param '" + name + "' is null");
        ObjectNode copy = params.deepCopy();
        copy.set(name, toJson(name, value));
        return new ActionRequest(action, resource, copy, reason, onBehalfOf, idempotencyKey);
    }

    /** This request with exactly these params. */
    public ActionRequest params(ObjectNode newParams) {
        return new ActionRequest(action, resource, newParams, reason, onBehalfOf, idempotencyKey);
    }

    /**
     * This request with exactly these params, each value converted as {@link #param} does.
     *
     * @throws IllegalArgumentException if Jackson can't write a value
     */
    public ActionRequest params(Map<String, ?> newParams) {
        requireNonNull(newParams, "params is null");
        ObjectNode converted = JsonNodeFactory.instance.objectNode();
        newParams.forEach((name, value) -> {
            requireNonNull(name, "param name is null");
            requireNonNull(value, () -> "value of param '" + name + "' is null");
            converted.set(name, toJson(name, value));
        });
        return new ActionRequest(action, resource, converted, reason, onBehalfOf, idempotencyKey);
    }

    public ActionRequest reason(String newReason) {
        return new ActionRequest(action, resource, params, newReason, onBehalfOf, idempotencyKey);
    }

    public ActionRequest onBehalfOf(String human) {
        return new ActionRequest(
                action,
                resource,
                params,
                reason,
                Optional.of(requireNonNull(human, "onBehalfOf is null")),
                idempotencyKey);
    }

    /**
     * This request with an idempotency key: submitting it twice gives the same request on the
     * server, even across a restart of the agent when the key is derived from its own work (a
     * job id, a tool call id).
     */
    public ActionRequest idempotencyKey(String key) {
        return new ActionRequest(
                action,
                resource,
                params,
                reason,
                onBehalfOf,
                Optional.of(requireNonNull(key, "idempotencyKey is null")));
    }

    private static JsonNode toJson(String name, Object value) {
        if (value instanceof JsonNode node) {
            return node.deepCopy();
        }
        try {
            return WireFormat.MAPPER.valueToTree(value);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "param '" + name + "' of type " + value.getClass().getName() + " can't be written as JSON: "
                            + e.getOriginalMessage(),
                    e);
        }
    }

    private static void requireNotBlank(String what, String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " is blank");
        }
    }
}
