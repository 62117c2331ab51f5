package io.countersign.action;

import static java.util.Objects.requireNonNull;

import io.countersign.canonical.CanonicalJson;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What an agent wants to do. {@code params} is always a JSON object (empty when absent);
 * {@code onBehalfOf} names the human the agent works for, if any.
 */
public record Action(String action, String resource, ObjectNode params, String reason, Optional<String> onBehalfOf) {

    public Action {
        requireNonNull(action, "action is null");
        requireNonNull(resource, "resource is null");
        requireNonNull(params, "params is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(onBehalfOf, "onBehalfOf is null");
        ActionNames.requireValidAction(action);
        ActionNames.requireValidResource(resource);
        params = params.deepCopy();
    }

    public static Action of(String action, String resource, ObjectNode params, String reason) {
        return new Action(action, resource, params, reason, Optional.empty());
    }

    public static ObjectNode noParams() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** Params are mutable Jackson nodes; hand out copies so the action stays a value. */
    @Override
    public ObjectNode params() {
        return params.deepCopy();
    }

    /** A read-only view for evaluating conditions without copying. Callers must not mutate it. */
    public JsonNode paramsView() {
        return params;
    }

    /**
     * The SHA-256 of the RFC 8785 canonical JSON of {@code {action, resource, params, onBehalfOf}}:
     * what a grant is bound to. The reason is not part of it: it explains the action, it is not the action.
     */
    public ActionDigest digest() {
        ObjectNode bound = JsonNodeFactory.instance.objectNode();
        bound.put("action", action);
        bound.put("resource", resource);
        bound.set("params", params);
        onBehalfOf.ifPresentOrElse(human -> bound.put("onBehalfOf", human), () -> bound.putNull("onBehalfOf"));
        return ActionDigest.of(CanonicalJson.bytes(bound));
    }
}
