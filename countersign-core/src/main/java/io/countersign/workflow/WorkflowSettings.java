package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** Tunables of the workflow. */
public record WorkflowSettings(Duration grantTtl) {
    public static final Duration DEFAULT_GRANT_TTL = Duration.ofMinutes(5);

    public WorkflowSettings {
        requireNonNull(grantTtl, "grantTtl is null");
        if (grantTtl.isNegative() || grantTtl.isZero()) {
            throw new IllegalArgumentException("grant TTL is " + grantTtl + ", want a positive duration");
        }
    }

    public static WorkflowSettings defaults() {
        return new WorkflowSettings(DEFAULT_GRANT_TTL);
    }
}
