package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** An agent's kill switch, thrown: from {@code at}, by {@code by} (an audit name), for {@code reason}. */
public record Suspension(String agent, Instant at, String by, String reason) {
    public Suspension {
        requireNonNull(agent, "agent is null");
        requireNonNull(at, "at is null");
        requireNonNull(by, "by is null");
        requireNonNull(reason, "reason is null");
    }
}
