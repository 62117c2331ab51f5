package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

/**
 * A bearer token we do not accept; the message says why and is safe to show to the caller.
 * {@link #retryLater()} marks a token we could not check just now (the provider's signing keys are
 * being refreshed), as opposed to one that is bad.
 */
public final class TokenRejected extends Exception {
    // Kept apart from Throwable's message, which may be null: a refusal always says why.
    private final String message;
    private final boolean retryLater;

    public TokenRejected(String message) {
        this(message, false);
    }

    private TokenRejected(String message, boolean retryLater) {
        super(requireNonNull(message, "message is null"), null, false, false);
        this.message = message;
        this.retryLater = retryLater;
    }

    /** Why the token is refused, safe to show to the caller; never null. */
    @Override
    public String getMessage() {
        return message;
    }

    /** The token could not be checked now, through no fault of its own; the same token may pass in a few seconds. */
    public static TokenRejected retryLater(String message) {
        return new TokenRejected(message, true);
    }

    public boolean retryLater() {
        return retryLater;
    }
}
