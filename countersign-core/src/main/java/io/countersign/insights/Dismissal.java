package io.countersign.insights;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A human set a suggestion (or a least-privilege finding) aside: for good ({@code until} empty) or
 * snoozed until a time, with their reason. {@code item} is the suggestion's rule name or the
 * finding's id. While it {@link #hides} the item, insights leave it out.
 */
public record Dismissal(String item, String reason, String by, Instant at, Optional<Instant> until) {
    public Dismissal {
        requireNonNull(item, "item is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(by, "by is null");
        requireNonNull(at, "at is null");
        requireNonNull(until, "until is null");
        if (item.isBlank() || reason.isBlank()) {
            throw new IllegalArgumentException("a dismissal names the item and gives a reason");
        }
        until.filter(end -> !end.isAfter(at)).ifPresent(end -> {
            throw new IllegalArgumentException("a snooze until " + end + " ends before it starts (" + at + ")");
        });
    }

    /** Whether the item stays out of insights at {@code now}: dismissed, or snoozed and not yet awake. */
    public boolean hides(Instant now) {
        return until.map(now::isBefore).orElse(true);
    }

    public boolean snooze() {
        return until.isPresent();
    }
}
