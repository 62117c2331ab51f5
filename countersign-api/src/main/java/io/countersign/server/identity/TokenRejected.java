package io.countersign.server.identity;

/** A bearer token we do not accept; the message says why and is safe to show to the caller. */
public final class TokenRejected extends Exception {
    public TokenRejected(String message) {
        super(message, null, false, false);
    }
}
