package io.countersign.client;

/**
 * The server answered, but not in the Public API v1 format: a body that is not JSON, a missing
 * or malformed field, an unknown status. A bug on one side or the other, or something between
 * the two that is not a Countersign server.
 */
public final class CountersignProtocolException extends CountersignException {

    public CountersignProtocolException(String message, Throwable cause) {
        super(message, cause);
    }

    public CountersignProtocolException(String message) {
        super(message);
    }
}
