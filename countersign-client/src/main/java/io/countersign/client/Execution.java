package io.countersign.client;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/** The agent's report of how the work done under a grant ended. */
public record Execution(ExecutionOutcome outcome, Optional<String> detail, Instant time) {

    public Execution {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(detail, "detail is null");
        requireNonNull(time, "time is null");
    }
}
