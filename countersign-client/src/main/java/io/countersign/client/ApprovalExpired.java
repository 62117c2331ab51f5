package io.countersign.client;

import java.time.Instant;
import java.util.Optional;

/** Nobody decided the request before its approval timeout: the server denied it by default. */
public final class ApprovalExpired extends ActionNotAuthorized {

    public ApprovalExpired(ActionStatus status) {
        super(
                status,
                describe(status) + " expired"
                        + status.approval()
                                .map(a -> a.expiresAt().map(at -> " at " + at).orElse("") + " before " + a.quorum()
                                        + " of " + a.groups() + " approved")
                                .orElse(""));
    }

    /** When the approval window closed, if the server said. */
    public Optional<Instant> expiresAt() {
        return status().approval().flatMap(Approval::expiresAt);
    }
}
