package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.insights.Dismissal;
import io.countersign.store.GatewayStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Setting suggestions and findings aside: dismissed for good or snoozed for a while, each with the
 * human's reason, and brought back. Each change and its audit entry are one write.
 */
public final class Dismissals {
    private static final int LONGEST_ITEM = 300;

    private final GatewayStore store;
    private final Clock clock;

    public Dismissals(GatewayStore store, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Dismisses {@code item} (a suggestion's rule name or a finding's id), for good when {@code
     * snooze} is empty, else until that long from now. {@code by} is the audit name of the human.
     *
     * @throws IllegalArgumentException for a blank or overlong item or reason, or a snooze not longer than zero
     */
    public Dismissal dismiss(String item, String reason, Optional<Duration> snooze, String by) {
        requireNonNull(snooze, "snooze is null");
        requireItem(item);
        if (reason.isBlank()) {
            throw new IllegalArgumentException("a dismissal needs a reason");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Dismissal dismissal = new Dismissal(item, reason.strip(), by, now, snooze.map(now::plus));
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("item", item);
        data.put("reason", dismissal.reason());
        dismissal.until().ifPresent(until -> data.put("until", until.toString()));
        AuditEvent event = new AuditEvent(
                dismissal.snooze() ? AuditEventType.INSIGHT_SNOOZED : AuditEventType.INSIGHT_DISMISSED,
                now,
                by,
                Optional.empty(),
                data);
        store.transact(tx -> {
            tx.dismiss(dismissal);
            return tx.append(event);
        });
        return dismissal;
    }

    /** Brings the item back into insights; false (nothing recorded) when it was not set aside. */
    public boolean restore(String item, String by) {
        requireItem(item);
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("item", item);
        AuditEvent event = new AuditEvent(
                AuditEventType.INSIGHT_RESTORED,
                clock.instant().truncatedTo(ChronoUnit.MILLIS),
                by,
                Optional.empty(),
                data);
        return store.transact(tx -> {
            if (!tx.restore(item)) {
                return false;
            }
            tx.append(event);
            return true;
        });
    }

    /** The dismissals and snoozes that hide their item now. */
    public List<Dismissal> current() {
        Instant now = clock.instant();
        return store.dismissals().stream().filter(d -> d.hides(now)).toList();
    }

    private static void requireItem(String item) {
        requireNonNull(item, "item is null");
        if (item.isBlank() || item.length() > LONGEST_ITEM || item.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    "the item is a suggestion's rule name or a finding's id, 1 to " + LONGEST_ITEM + " characters");
        }
    }
}
