package io.countersign.client;

import static java.util.Objects.requireNonNull;

/**
 * The action may not run: the server said no, nobody said yes in time, or there is no grant left
 * to run it with. Checked on purpose: an agent must decide what to do when a human says no.
 * The subtypes are the reasons; {@link #status()} is the request as last seen.
 */
public abstract sealed class ActionNotAuthorized extends Exception
        permits ActionDenied, ApprovalExpired, ApprovalCancelled, ApprovalTimedOut, GrantUnavailable {
    private final transient ActionStatus status;

    ActionNotAuthorized(ActionStatus status, String message) {
        super(message);
        this.status = requireNonNull(status, "status is null");
    }

    public String requestId() {
        return status.id();
    }

    /** The request as the last answer showed it. */
    public ActionStatus status() {
        return status;
    }

    static String describe(ActionStatus status) {
        return "request " + status.id() + " (" + status.action().action() + " on "
                + status.action().resource() + ")";
    }
}
