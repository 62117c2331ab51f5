package io.countersign.client;

/**
 * Where a request is in its life: {@code PENDING} until decided; {@code APPROVED} until its grant is
 * used ({@code EXECUTED} or {@code FAILED}); {@code DENIED}, {@code EXPIRED}, {@code CANCELLED},
 * {@code EXECUTED} and {@code FAILED} are final.
 */
public enum RequestStatus {
    PENDING("pending"),
    APPROVED("approved"),
    DENIED("denied"),
    EXPIRED("expired"),
    CANCELLED("cancelled"),
    EXECUTED("executed"),
    FAILED("failed");

    private final String wireName;

    RequestStatus(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the wire, {@code approved}. */
    public String wireName() {
        return wireName;
    }

    /** True for the states a request never leaves. */
    public boolean isFinal() {
        return this != PENDING && this != APPROVED;
    }
}
