package io.countersign.client;

import java.util.Optional;

/** The request was cancelled before anyone decided it. */
public final class ApprovalCancelled extends ActionNotAuthorized {

    public ApprovalCancelled(ActionStatus status) {
        super(
                status,
                describe(status) + " was cancelled"
                        + status.decidedBy().map(who -> " by " + who).orElse(""));
    }

    /** Who cancelled it, if the server said. */
    public Optional<String> cancelledBy() {
        return status().decidedBy();
    }
}
