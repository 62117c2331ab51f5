package io.countersign.server.channels;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * When to try a failed delivery again: doubling from {@code initial} up to {@code max}; after
 * {@code maxAttempts} failed attempts the delivery is marked failed (kept, counted, listed for an
 * admin to retry), never dropped.
 */
public record Backoff(Duration initial, Duration max, int maxAttempts) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 25);

    public Backoff {
        requireNonNull(initial, "initial is null");
        requireNonNull(max, "max is null");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("the initial backoff must be positive, not " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "the maximum backoff " + max + " is shorter than the initial " + initial);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts is " + maxAttempts + ", want at least 1");
        }
    }

    /** The wait after the {@code failedAttempts}-th failure (1 for the first). */
    public Duration delayAfter(int failedAttempts) {
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("failedAttempts is " + failedAttempts + ", want at least 1");
        }
        int doublings = Math.min(failedAttempts - 1, 30);
        Duration delay = initial.multipliedBy(1L << doublings);
        return delay.compareTo(max) > 0 ? max : delay;
    }

    public boolean givesUpAfter(int failedAttempts) {
        return failedAttempts >= maxAttempts;
    }
}
