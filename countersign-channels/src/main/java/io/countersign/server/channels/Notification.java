package io.countersign.server.channels;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.NotificationType;
import io.countersign.workflow.ApprovalRequest;
import java.time.Instant;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One outbox delivery as a channel sees it.
 *
 * @param id the outbox delivery id: the same on every attempt (a webhook's idempotency id)
 * @param request the request as it is now (which may be later than the event); empty for notices about no request
 * @param payload what the event carries beyond the request: a notice's {@code group}, {@code subject} and {@code text}
 * @param at when the event happened
 * @param attempt 1 on the first attempt
 * @param messageRef what this channel's {@link Channel#deliver} returned for the request before
 */
public record Notification(
        long id,
        NotificationType type,
        Optional<ApprovalRequest> request,
        JsonNode payload,
        Instant at,
        int attempt,
        Optional<String> messageRef) {
    public Notification {
        requireNonNull(type, "type is null");
        requireNonNull(request, "request is null");
        requireNonNull(payload, "payload is null");
        requireNonNull(at, "at is null");
        requireNonNull(messageRef, "messageRef is null");
    }
}
