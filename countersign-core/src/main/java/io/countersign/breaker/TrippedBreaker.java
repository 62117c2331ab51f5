package io.countersign.breaker;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A breaker that tripped for one agent and holds until a human resets it: when, how many actions
 * it had counted within which window, and the request that tripped it.
 */
public record TrippedBreaker(
        String agent, String breaker, Instant trippedAt, int count, Duration window, Optional<String> requestId) {
    public TrippedBreaker {
        requireNonNull(agent, "agent is null");
        requireNonNull(breaker, "breaker is null");
        requireNonNull(trippedAt, "trippedAt is null");
        requireNonNull(window, "window is null");
        requireNonNull(requestId, "requestId is null");
        if (count < 1) {
            throw new IllegalArgumentException(
                    "breaker '" + breaker + "' of agent " + agent + ": count is " + count + ", want at least 1");
        }
    }
}
