package io.countersign.client;

import static java.util.Objects.requireNonNull;

/**
 * {@code guard} ran the work, but reporting how it ended failed. Unlike every other failure of
 * {@code guard}, <em>the work has run</em>: don't run it again. The grant stays unused on the server
 * until it expires; the cause says why the report failed.
 */
public final class ExecutionNotReported extends CountersignException {
    private final String requestId;
    private final ExecutionOutcome outcome;

    public ExecutionNotReported(String requestId, ExecutionOutcome outcome, CountersignException cause) {
        super(
                "the work for request " + requestId + " ran and " + outcome.wireName()
                        + ", but reporting it failed; do not run it again: " + cause.getMessage(),
                cause);
        this.requestId = requireNonNull(requestId, "requestId is null");
        this.outcome = requireNonNull(outcome, "outcome is null");
    }

    public String requestId() {
        return requestId;
    }

    /** How the work ended. */
    public ExecutionOutcome outcome() {
        return outcome;
    }
}
