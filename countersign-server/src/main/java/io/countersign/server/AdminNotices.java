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
 * A notice for a group that is about no request (an audit entry no node wrote, a person who looks
 * like another): queued in the outbox for every channel that takes notices, and told to the
 * notifier (the log). Failing to tell is logged, never thrown: the caller has already acted.
 */
final class AdminNotices implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(AdminNotices.class);

    private final Store store;
    private final Subscriptions channels;
    private final Notifier notifier;
    private final Clock clock;

    AdminNotices(Store store, Subscriptions channels, Notifier notifier, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.channels = requireNonNull(channels, "channels is null");
        this.notifier = requireNonNull(notifier, "notifier is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void notifyGroup(Notice notice) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.put("group", notice.group());
        payload.put("subject", notice.subject());
        payload.put("text", notice.text());
        try {
            store.transact(tx -> {
                for (String channel : channels.channelsFor(NotificationType.NOTICE, Optional.empty())) {
                    tx.enqueue(new OutboxEvent(
                            channel,
                            NotificationType.NOTICE,
                            Optional.empty(),
                            payload.toString(),
                            clock.instant().truncatedTo(ChronoUnit.MILLIS)));
                }
                return null;
            });
            notifier.notifyGroup(notice);
        } catch (RuntimeException e) {
            LOG.warn("telling group {} '{}' failed", notice.group(), notice.subject(), e);
        }
    }
}
