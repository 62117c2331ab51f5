package io.countersign.policy.internal;

import static java.util.Objects.requireNonNull;

import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelVariableResolver;
import io.countersign.policy.DecisionInput;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The CEL variables for one decision, built lazily: most rules never look at {@code params}, so
 * the JSON is converted at most once per decision and only when a condition asks for it. Not
 * thread-safe; a decision creates its own.
 */
public final class DecisionVariables implements CelVariableResolver {
    private final DecisionInput input;
    // Converted on first use; null until then.
    private @Nullable Object params;
    private @Nullable Object agent;
    private @Nullable Object context;

    public DecisionVariables(DecisionInput input) {
        this.input = requireNonNull(input, "input is null");
    }

    public DecisionInput input() {
        return input;
    }

    @Override
    public Optional<Object> find(String name) {
        return switch (name) {
            case "action" -> Optional.of(input.action().action());
            case "resource" -> Optional.of(input.action().resource());
            case "onBehalfOf" -> Optional.of(input.action().onBehalfOf().orElse(""));
            case "delegation" -> Optional.of(input.delegation().wireName());
            case "params" ->
                Optional.of(
                        params != null ? params : (params = toCel(input.action().paramsView())));
            case "agent" ->
                Optional.of(
                        agent != null
                                ? agent
                                : (agent = Map.of(
                                        "name",
                                        input.agent().name(),
                                        "labels",
                                        input.agent().labels())));
            case "context" -> Optional.of(context != null ? context : (context = Map.of("time", input.time())));
            default -> Optional.empty();
        };
    }

    /**
     * JSON to CEL values: objects to maps, arrays to lists, integral numbers that fit a long to
     * {@code int} (so {@code params.rows > 100} type-checks against an int literal), other numbers
     * to {@code double}, strings, bools, and null to CEL's null.
     */
    static Object toCel(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new HashMap<>(Math.max(4, node.size() * 2));
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                map.put(property.getKey(), toCel(property.getValue()));
            }
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (JsonNode element : node.values()) {
                list.add(toCel(element));
            }
            return list;
        }
        if (node.isString()) {
            return node.stringValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return number(node);
        }
        if (node.isNull() || node.isMissingNode()) {
            return NullValue.NULL_VALUE;
        }
        // Binary and POJO nodes do not come out of a JSON parser; show them as their JSON text.
        return node.toString();
    }

    private static Object number(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : (Object) node.doubleValue();
        }
        if (!Double.isFinite(node.doubleValue())) {
            return node.doubleValue();
        }
        BigDecimal decimal = node.decimalValue();
        try {
            // 5.0 is the integer 5 for a policy: JSON does not distinguish them and neither should rules.
            return decimal.stripTrailingZeros().scale() <= 0
                    ? (Object) decimal.longValueExact()
                    : (Object) node.doubleValue();
        } catch (ArithmeticException outOfLongRange) {
            return node.doubleValue();
        }
    }
}
