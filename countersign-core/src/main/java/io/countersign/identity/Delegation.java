package io.countersign.identity;

import java.util.Arrays;

/**
 * How an agent's {@code onBehalfOf} is backed. {@code none}: the agent acts for nobody.
 * {@code claimed}: the agent names a human and nothing proves it. {@code verified}: the agent also
 * presented a token for that human (their ID token, or a token-exchange token whose {@code act}
 * claim names the agent), which the gateway verified. Policies see it as {@code delegation}.
 */
public enum Delegation {
    NONE("none"),
    CLAIMED("claimed"),
    VERIFIED("verified");

    private final String wireName;

    Delegation(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** {@code claimed} when the action names a human, {@code none} when it does not. */
    public static Delegation claimedOrNone(boolean namesAHuman) {
        return namesAHuman ? CLAIMED : NONE;
    }

    public static Delegation fromWireName(String name) {
        return Arrays.stream(values())
                .filter(d -> d.wireName.equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown delegation '" + name + "', want none, claimed or verified"));
    }
}
