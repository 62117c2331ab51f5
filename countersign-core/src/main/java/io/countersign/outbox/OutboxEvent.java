package io.countersign.outbox;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * One notification for one channel, written in the same transaction as the change it tells of,
 * so it is delivered at least once or the change did not happen either.
 *
 * @param channel the name of the channel that delivers it ({@code slack}, {@code teams}, {@code webhook:pagerduty})
 * @param request the request it is about; empty for notices about no request
 * @param payload JSON the channel needs beyond the request's current state ({@code {}} when nothing)
 */
public record OutboxEvent(String channel, NotificationType type, Optional<String> request, String payload, Instant at) {
    public OutboxEvent {
        requireNonNull(channel, "channel is null");
        requireNonNull(type, "type is null");
        requireNonNull(request, "request is null");
        requireNonNull(payload, "payload is null");
        requireNonNull(at, "at is null");
        if (channel.isBlank()) {
            throw new IllegalArgumentException("channel is blank");
        }
    }
}
