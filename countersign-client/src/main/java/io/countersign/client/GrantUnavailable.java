package io.countersign.client;

/**
 * The request was approved, but there is no grant left to run it with: it was already used (the
 * request is {@code executed} or {@code failed}, typically a resubmission with the same
 * idempotency key), or the server no longer offers it.
 */
public final class GrantUnavailable extends ActionNotAuthorized {

    public GrantUnavailable(ActionStatus status) {
        super(
                status,
                describe(status) + " is " + status.status().wireName() + " and carries no grant"
                        + status.execution()
                                .map(e -> "; it was already executed ("
                                        + e.outcome().wireName() + " at " + e.time() + ")")
                                .orElse(""));
    }
}
