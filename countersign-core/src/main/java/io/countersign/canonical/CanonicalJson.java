package io.countersign.canonical;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * RFC 8785 JSON Canonicalization Scheme over Jackson trees: object members sorted by their
 * UTF-16 code units, no insignificant white space, strings escaped as ECMAScript's
 * JSON.stringify does, numbers as IEEE 754 doubles written as ECMAScript's Number.toString.
 * The same value always gives the same bytes, which is what grants and audit leaves hash.
 */
public final class CanonicalJson {
    /** 2^53: up to here every integer is a double, exactly. */
    private static final double MAX_EXACT_INTEGER = 9_007_199_254_740_992d;

    private CanonicalJson() {}

    public static byte[] bytes(JsonNode node) {
        return string(node).getBytes(StandardCharsets.UTF_8);
    }

    public static String string(JsonNode node) {
        StringBuilder out = new StringBuilder(128);
        write(node, out);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
                // String.compareTo orders by UTF-16 code units, exactly as RFC 8785 section 3.2.3 asks.
                members.sort(Map.Entry.comparingByKey());
                out.append('{');
                for (int i = 0; i < members.size(); i++) {
                    if (i > 0) out.append(',');
                    writeString(members.get(i).getKey(), out);
                    out.append(':');
                    write(members.get(i).getValue(), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) out.append(',');
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case STRING -> writeString(node.stringValue(), out);
            case NUMBER -> out.append(number(node.doubleValue()));
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case NULL -> out.append("null");
            default -> throw new IllegalArgumentException("JSON has no " + node.getNodeType() + " value");
        }
    }

    private static void writeString(String value, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isSurrogate(c)) {
                        // A lone surrogate has no UTF-8 encoding; RFC 8785 section 3.2.2.2 rejects it.
                        if (Character.isHighSurrogate(c)
                                && i + 1 < value.length()
                                && Character.isLowSurrogate(value.charAt(i + 1))) {
                            out.append(c).append(value.charAt(++i));
                        } else {
                            throw new IllegalArgumentException("string has a lone surrogate at index " + i);
                        }
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * ECMAScript Number.prototype.toString for a double. Since JDK 19, Double.toString yields
     * the shortest decimal that round-trips, the same digits ECMAScript picks; only the layout
     * (where the point goes, when to switch to exponent form) differs, and that is done here.
     */
    static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("JSON has no " + value + "; RFC 8785 rejects it");
        }
        if (value == 0) {
            return "0"; // also for -0
        }
        if (value == Math.rint(value) && Math.abs(value) <= MAX_EXACT_INTEGER) {
            // Every audit leaf has its seq and most have counts: an integer below 2^53 is its digits
            // in ECMAScript too, and this saves the BigDecimal below (a fifth of the writer's time).
            return Long.toString((long) value);
        }
        return viaDecimal(value);
    }

    /** The general case of {@link #number}, for any finite non-zero double. */
    static String viaDecimal(double value) {
        String sign = value < 0 ? "-" : "";
        double magnitude = Math.abs(value);
        BigDecimal shortest = new BigDecimal(Double.toString(magnitude)).stripTrailingZeros();
        if (shortest.precision() == 2) {
            // Java always prints at least two digits (4.9E-324); ECMAScript takes one when one round-trips (5e-324).
            BigDecimal oneDigit = shortest.round(new MathContext(1, RoundingMode.HALF_EVEN));
            if (oneDigit.doubleValue() == magnitude) {
                shortest = oneDigit.stripTrailingZeros();
            }
        }
        String digits = shortest.unscaledValue().toString();
        int k = digits.length();
        int n = k - shortest.scale(); // value = 0.digits × 10^n
        String body;
        if (k <= n && n <= 21) {
            body = digits + "0".repeat(n - k);
        } else if (0 < n && n <= 21) {
            body = digits.substring(0, n) + "." + digits.substring(n);
        } else if (-6 < n && n <= 0) {
            body = "0." + "0".repeat(-n) + digits;
        } else {
            int exponent = n - 1;
            String mantissa = k == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            body = mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.abs(exponent);
        }
        return sign + body;
    }
}
