package io.countersign.server.channels;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A platform's answer that the delivery did not arrive, classified the way the platform documents
 * it, so the {@link OutboxWorker} knows what to do: a {@link Kind#PERMANENT} refusal (Slack's
 * {@code invalid_blocks}, {@code channel_not_found}, {@code invalid_auth}; a Teams 400 or 413) fails
 * the delivery at once, since the same message would be refused again; a {@link Kind#RATE_LIMITED}
 * one waits as long as the platform's {@code Retry-After} says; a {@link Kind#TEMPORARY} one (an
 * outage, a timeout) is retried with backoff. The message keeps the platform's own detail.
 */
public class DeliveryFailure extends Exception {
    public enum Kind {
        PERMANENT,
        RATE_LIMITED,
        TEMPORARY
    }

    private final Kind kind;
    // Kept apart from Throwable's message, which may be null: a failure always says what happened.
    private final String message;
    private final Optional<Duration> retryAfter;
    private final Optional<String> fallbackRef;

    public DeliveryFailure(
            Kind kind,
            String message,
            Optional<Duration> retryAfter,
            Optional<String> fallbackRef,
            @Nullable Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.message = message;
        this.kind = requireNonNull(kind, "kind is null");
        this.retryAfter = requireNonNull(retryAfter, "retryAfter is null");
        this.fallbackRef = requireNonNull(fallbackRef, "fallbackRef is null");
    }

    /** What happened, with the platform's own detail; never null. */
    @Override
    public String getMessage() {
        return message;
    }

    public Kind kind() {
        return kind;
    }

    /** How long the platform asked us to wait (HTTP 429's {@code Retry-After}). */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /**
     * The reference of what the channel did send: the minimal message it posted instead of the refused
     * one (who, what, a console link), or the messages that went out before the failure. The worker
     * remembers it whatever the kind, so the request's later notifications (and a retry) update them.
     */
    public Optional<String> fallbackRef() {
        return fallbackRef;
    }

    /** Reads an HTTP {@code Retry-After} given in seconds (the form Slack and Microsoft send); empty otherwise. */
    public static Optional<Duration> retryAfterSeconds(Optional<String> header) {
        return header.map(String::strip)
                .filter(value -> value.matches("[0-9]{1,6}"))
                .map(value -> Duration.ofSeconds(Long.parseLong(value)));
    }
}
