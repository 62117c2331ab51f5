package io.countersign.client;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The single-use permission to execute one approved action, valid until {@code expiresAt}. The
 * token is a bearer credential: {@link #toString()} leaves it out.
 *
 * @param requestId the request the grant belongs to
 * @param token the grant itself, sent back with the execution report
 * @param expiresAt when the server stops accepting it
 */
public record Grant(String requestId, String token, Instant expiresAt) {

    public Grant {
        requireNonNull(requestId, "requestId is null");
        requireNonNull(token, "token is null");
        requireNonNull(expiresAt, "expiresAt is null");
    }

    @Override
    public String toString() {
        return "Grant[requestId=" + requestId + ", token=***, expiresAt=" + expiresAt + "]";
    }
}
