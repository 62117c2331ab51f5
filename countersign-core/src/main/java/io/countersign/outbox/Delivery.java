package io.countersign.outbox;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/** An outbox event with its delivery state: how often it was tried, when next, and the last error. */
public record Delivery(
        long id,
        OutboxEvent event,
        Status status,
        int attempts,
        Instant nextAttemptAt,
        Optional<String> lastError,
        Optional<Instant> deliveredAt) {

    public enum Status {
        /** Waiting for its first or next attempt. */
        PENDING,
        DELIVERED,
        /** Failed every attempt up to the limit: kept, counted in the metrics and listed by the admin API until retried. */
        FAILED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Delivery {
        requireNonNull(event, "event is null");
        requireNonNull(status, "status is null");
        requireNonNull(nextAttemptAt, "nextAttemptAt is null");
        requireNonNull(lastError, "lastError is null");
        requireNonNull(deliveredAt, "deliveredAt is null");
    }
}
