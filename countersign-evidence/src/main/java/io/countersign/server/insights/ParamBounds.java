package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.workflow.ApprovalRequest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The parameters the humans approved, as a CEL condition that admits those and no others: only the
 * keys that were seen, each number within the smallest and largest value approved, each string or
 * boolean one of the values approved. A parameter that was present every time must be present. A
 * parameter that can't be bounded this way (more than {@value #MAX_VALUES} distinct strings, an object,
 * an array, a null, or values of different kinds) makes the evidence unboundable: no allow rule is
 * suggested rather than one broader than what was approved.
 */
final class ParamBounds {
    static final int MAX_VALUES = 20;

    /** What the approved parameters allow. */
    sealed interface Learned permits Bounded, Unboundable {}

    /** {@code condition} is CEL; {@code described} says per parameter what it admits ({@code rows 10..50000}). */
    record Bounded(String condition, List<String> described) implements Learned {
        Bounded {
            requireNonNull(condition, "condition is null");
            described = List.copyOf(described);
        }
    }

    record Unboundable(String why) implements Learned {}

    private ParamBounds() {}

    static Learned learn(List<ApprovalRequest> approved) {
        if (approved.isEmpty()) {
            throw new IllegalArgumentException("no approved requests to learn from");
        }
        Map<String, List<JsonNode>> values = new TreeMap<>();
        for (ApprovalRequest request : approved) {
            request.action().paramsView().properties().forEach(entry -> values.computeIfAbsent(
                            entry.getKey(), key -> new ArrayList<>())
                    .add(entry.getValue()));
        }
        List<String> parts = new ArrayList<>();
        List<String> described = new ArrayList<>();
        parts.add(
                values.isEmpty()
                        ? "size(params) == 0"
                        : "params.all(k, k in "
                                + list(values.keySet().stream()
                                        .map(RuleYaml::celString)
                                        .toList()) + ")");
        for (Map.Entry<String, List<JsonNode>> entry : values.entrySet()) {
            String key = entry.getKey();
            String access = "params[" + RuleYaml.celString(key) + "]";
            Optional<String> bound = bound(access, entry.getValue(), described, key);
            if (bound.isEmpty()) {
                return new Unboundable("parameter '" + key + "' can't be bounded by what was approved ("
                        + kinds(entry.getValue()) + ")");
            }
            String present = RuleYaml.celString(key) + " in params";
            parts.add(
                    entry.getValue().size() == approved.size()
                            ? present + " && " + bound.get()
                            : "(!(" + present + ") || " + bound.get() + ")");
        }
        return new Bounded(String.join(" && ", parts), described);
    }

    private static Optional<String> bound(String access, List<JsonNode> seen, List<String> described, String key) {
        if (seen.stream().allMatch(JsonNode::isNumber)) {
            boolean integral = seen.stream().allMatch(v -> v.isIntegralNumber() && v.canConvertToLong());
            BigDecimal low = seen.stream()
                    .map(JsonNode::decimalValue)
                    .min(BigDecimal::compareTo)
                    .orElseThrow();
            BigDecimal high = seen.stream()
                    .map(JsonNode::decimalValue)
                    .max(BigDecimal::compareTo)
                    .orElseThrow();
            if (seen.stream().anyMatch(v -> !Double.isFinite(v.doubleValue()))) {
                return Optional.empty();
            }
            described.add(key + " " + low.toPlainString() + ".." + high.toPlainString());
            return Optional.of(
                    access + " >= " + literal(low, integral) + " && " + access + " <= " + literal(high, integral));
        }
        if (seen.stream().allMatch(JsonNode::isString)) {
            TreeSet<String> distinct = new TreeSet<>();
            seen.forEach(v -> distinct.add(v.stringValue()));
            if (distinct.size() > MAX_VALUES) {
                return Optional.empty();
            }
            described.add(key + " in {" + String.join(", ", distinct) + "}");
            return Optional.of(access + " in "
                    + list(distinct.stream().map(RuleYaml::celString).toList()));
        }
        if (seen.stream().allMatch(JsonNode::isBoolean)) {
            TreeSet<Boolean> distinct = new TreeSet<>();
            seen.forEach(v -> distinct.add(v.booleanValue()));
            described.add(key + " in {"
                    + String.join(", ", distinct.stream().map(String::valueOf).toList()) + "}");
            return Optional.of(access + " in "
                    + list(distinct.stream().map(String::valueOf).toList()));
        }
        return Optional.empty();
    }

    /** A CEL number: an int literal for whole numbers in long range, else a double with a decimal point. */
    private static String literal(BigDecimal value, boolean integral) {
        if (integral) {
            return value.toBigIntegerExact().toString();
        }
        String text = value.toPlainString();
        return text.contains(".") ? text : text + ".0";
    }

    private static String list(List<String> items) {
        return "[" + String.join(", ", items) + "]";
    }

    private static String kinds(List<JsonNode> seen) {
        TreeSet<String> kinds = new TreeSet<>();
        seen.forEach(v -> kinds.add(v.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        long strings = seen.stream()
                .filter(JsonNode::isString)
                .map(JsonNode::stringValue)
                .distinct()
                .count();
        return String.join(", ", kinds) + (strings > MAX_VALUES ? ", " + strings + " distinct strings" : "");
    }
}
