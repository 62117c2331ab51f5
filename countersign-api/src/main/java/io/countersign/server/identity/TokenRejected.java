package io.countersign.server.identity;

/**
 * A bearer token we do not accept; the message says why and is safe to show to the caller.
 * {@link #retryLater()} marks a token we could not check just now (the provider's signing keys are
 * being refreshed), as opposed to one that is bad.
 */
public final class TokenRejected extends Exception {
    private final boolean retryLater;

    public TokenRejected(String message) {
        this(message, false);
    }

    private TokenRejected(String message, boolean retryLater) {
        super(message, null, false, false);
        this.retryLater = retryLater;
    }

    /** The token could not be checked now, through no fault of its own; the same token may pass in a few seconds. */
    public static TokenRejected retryLater(String message) {
        return new TokenRejected(message, true);
    }

    public boolean retryLater() {
        return retryLater;
    }
}
