package io.countersign.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The request was still pending when the caller's wait ended. It stays pending on the server:
 * keep waiting with {@code await(requestId(), ...)}, or withdraw it with {@code cancel(requestId())}.
 */
public final class ApprovalTimedOut extends ActionNotAuthorized {
    private final Duration waited;

    public ApprovalTimedOut(ActionStatus status, Duration waited) {
        super(
                status,
                describe(status) + " is still pending after waiting " + requireNonNull(waited, "waited is null")
                        + "; it stays pending on the server"
                        + status.approval()
                                .map(a ->
                                        a.expiresAt().map(at -> " until " + at).orElse("") + " (decide at " + a.url()
                                                + ")")
                                .orElse(""));
        this.waited = waited;
    }

    /** How long the caller asked to wait. */
    public Duration waited() {
        return waited;
    }

    /** Where the humans can decide it, if the server said. */
    public Optional<URI> approvalUrl() {
        return status().approval().map(Approval::url);
    }
}
