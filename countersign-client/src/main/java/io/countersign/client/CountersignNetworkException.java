package io.countersign.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * A call did not get an answer: the connection was refused, broke, or timed out. The server may or
 * may not have acted on the call; only a {@code submit} with an idempotency key is safe to repeat
 * blindly, and the client does that once by itself.
 */
public final class CountersignNetworkException extends CountersignException {
    private final String method;
    private final URI url;

    public CountersignNetworkException(String method, URI url, Throwable cause) {
        super(method + " " + url + " failed: " + describe(cause), cause);
        this.method = requireNonNull(method, "method is null");
        this.url = requireNonNull(url, "url is null");
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " (" + message + ")");
    }

    public String method() {
        return method;
    }

    public URI url() {
        return url;
    }
}
