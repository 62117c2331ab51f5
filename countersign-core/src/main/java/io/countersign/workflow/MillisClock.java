package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The workflow's time: the clock's, in millisecond precision. */
final class MillisClock {
    private final Clock clock;

    MillisClock(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Millisecond precision, so a time survives the store and the audit leaf unchanged. */
    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
