package io.countersign.client;

/** The policy's verdict on an action. */
public enum Effect {
    ALLOW("allow"),
    DENY("deny"),
    REQUIRE_APPROVAL("require_approval");

    private final String wireName;

    Effect(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the wire, {@code require_approval}. */
    public String wireName() {
        return wireName;
    }
}
