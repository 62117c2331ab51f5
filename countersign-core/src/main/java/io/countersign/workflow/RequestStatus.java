package io.countersign.workflow;

import java.util.Arrays;
import java.util.Set;

/**
 * A request's life: {@code pending} until decided; {@code approved} until the grant is used
 * ({@code executed} or {@code failed}); {@code denied}, {@code expired}, {@code cancelled},
 * {@code executed} and {@code failed} are final and can't be left.
 */
public enum RequestStatus {
    PENDING("pending"),
    APPROVED("approved"),
    DENIED("denied"),
    EXPIRED("expired"),
    CANCELLED("cancelled"),
    EXECUTED("executed"),
    FAILED("failed");

    private static final Set<RequestStatus> FINAL = Set.of(DENIED, EXPIRED, CANCELLED, EXECUTED, FAILED);

    private final String wireName;

    RequestStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public boolean isFinal() {
        return FINAL.contains(this);
    }

    public static RequestStatus fromWireName(String name) {
        return Arrays.stream(values())
                .filter(s -> s.wireName.equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown status '" + name
                        + "', want one of pending, approved, denied, expired, cancelled, executed, failed"));
    }
}
