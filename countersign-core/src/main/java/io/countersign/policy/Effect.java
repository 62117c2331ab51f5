package io.countersign.policy;

import java.util.Arrays;

/** A policy's verdict, ordered from least to most restrictive. */
public enum Effect {
    ALLOW("allow"),
    REQUIRE_APPROVAL("require_approval"),
    DENY("deny");

    private final String wireName;

    Effect(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in policy files and on the API: {@code allow}, {@code require_approval}, {@code deny}. */
    public String wireName() {
        return wireName;
    }

    public static Effect fromWireName(String name) {
        return Arrays.stream(values())
                .filter(effect -> effect.wireName.equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown effect '" + name + "', want allow, require_approval or deny"));
    }

    /** Most restrictive wins: deny over require_approval over allow. */
    public Effect strictest(Effect other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
