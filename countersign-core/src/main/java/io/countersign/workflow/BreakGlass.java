package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * An emergency approval that set separation of duties aside: who used break-glass, why, and when;
 * and the follow-up review another human must acknowledge. Dangerous by design, so it is named
 * plainly, logged as such, and never closed until someone else has looked at it.
 */
public record BreakGlass(
        String usedBy,
        String reason,
        Instant usedAt,
        Optional<String> acknowledgedBy,
        Optional<Instant> acknowledgedAt,
        Optional<String> comment) {
    public BreakGlass {
        requireNonNull(usedBy, "usedBy is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(usedAt, "usedAt is null");
        requireNonNull(acknowledgedBy, "acknowledgedBy is null");
        requireNonNull(acknowledgedAt, "acknowledgedAt is null");
        requireNonNull(comment, "comment is null");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("break-glass by " + usedBy + " needs a reason");
        }
        if (acknowledgedBy.isPresent() != acknowledgedAt.isPresent()) {
            throw new IllegalArgumentException(
                    "a break-glass review is acknowledged by someone at some time, or not at all");
        }
        if (acknowledgedBy.filter(usedBy::equals).isPresent()) {
            throw new IllegalArgumentException(usedBy + " used break-glass and can't acknowledge their own review");
        }
    }

    public static BreakGlass used(String by, String reason, Instant at) {
        return new BreakGlass(by, reason, at, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public boolean reviewOpen() {
        return acknowledgedBy.isEmpty();
    }

    BreakGlass acknowledged(String by, Instant at, Optional<String> ackComment) {
        return new BreakGlass(usedBy, reason, usedAt, Optional.of(by), Optional.of(at), ackComment);
    }
}
