package io.countersign.server;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.NotificationType;
import io.countersign.outbox.OutboxEvent;
import io.countersign.workflow.Notifier;
import io.countersign.workflow.Store;
import io.countersign.workflow.Subscriptions;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tells the admins, on every channel that takes notices and through the notifier, that the
 * checkpointer found an audit entry no gateway node wrote. The checkpointer starts (and checks)
 * before the channels exist, so an entry found then is told once they are wired.
 */
final class UnauthenticatedEntryAlarm {
    private static final Logger LOG = LoggerFactory.getLogger(UnauthenticatedEntryAlarm.class);

    private final Store store;
    private final Clock clock;
    private Optional<Subscriptions> channels = Optional.empty(); // guarded by this
    private Optional<Notifier> notifier = Optional.empty(); // guarded by this
    private Optional<Long> pending = Optional.empty(); // guarded by this

    UnauthenticatedEntryAlarm(Store store, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    synchronized void wire(Subscriptions subscriptions, Notifier notices) {
        this.channels = Optional.of(subscriptions);
        this.notifier = Optional.of(notices);
        pending.ifPresent(this::tell);
        pending = Optional.empty();
    }

    synchronized void raise(long seq) {
        if (channels.isEmpty()) {
            pending = Optional.of(seq);
            return;
        }
        tell(seq);
    }

    private void tell(long seq) {
        Notifier.Notice notice = new Notifier.Notice(
                "admins",
                "Audit entry " + seq + " was not written by Countersign",
                "The audit log holds an entry (" + seq
                        + ") whose MAC does not verify: something other than a gateway node appended it to"
                        + " the database. No checkpoint will cover it or any later entry. Run 'countersign audit verify --data' and review who"
                        + " can write the database.",
                Optional.empty());
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.put("group", notice.group());
        payload.put("subject", notice.subject());
        payload.put("text", notice.text());
        try {
            store.transact(tx -> {
                for (String channel : channels.orElseThrow().channelsFor(NotificationType.NOTICE, Optional.empty())) {
                    tx.enqueue(new OutboxEvent(
                            channel,
                            NotificationType.NOTICE,
                            Optional.empty(),
                            payload.toString(),
                            clock.instant().truncatedTo(ChronoUnit.MILLIS)));
                }
                return null;
            });
            notifier.orElseThrow().notifyGroup(notice);
        } catch (RuntimeException e) {
            LOG.warn("telling the admins of the unauthenticated audit entry {} failed", seq, e);
        }
    }
}
