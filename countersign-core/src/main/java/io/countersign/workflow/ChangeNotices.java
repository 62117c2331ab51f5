package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.NotificationType;
import io.countersign.outbox.OutboxEvent;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the workflow tells people about its changes: outbox rows for the channels that want them,
 * written in the transaction that makes the change, and notices for the {@link Notifier}.
 */
final class ChangeNotices {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeNotices.class);

    private final Subscriptions subscriptions;
    private final Notifier notifier;

    ChangeNotices(Subscriptions subscriptions, Notifier notifier) {
        this.subscriptions = requireNonNull(subscriptions, "subscriptions is null");
        this.notifier = requireNonNull(notifier, "notifier is null");
    }

    /** The change, for every channel that wants it. */
    void enqueue(Transaction tx, NotificationType type, ApprovalRequest request, Instant at) {
        for (String channel : subscriptions.channelsFor(type, Optional.of(request))) {
            tx.enqueue(new OutboxEvent(channel, type, Optional.of(request.id().value()), "{}", at));
        }
    }

    /** A notice for the channels; its payload is {@code {"group", "subject", "text"}}. */
    void notice(Transaction tx, Notifier.Notice notice, Instant at) {
        Optional<ApprovalRequest> request = notice.request().flatMap(tx::find);
        for (String channel : subscriptions.channelsFor(NotificationType.NOTICE, request)) {
            tx.enqueue(new OutboxEvent(
                    channel, NotificationType.NOTICE, notice.request().map(RequestId::value), payload(notice), at));
        }
    }

    /** The notice for the notifier, after the change is durable; a failing notifier is logged, never fatal. */
    void tell(Notifier.Notice notice) {
        try {
            notifier.notifyGroup(notice);
        } catch (RuntimeException e) {
            LOG.warn("notifier failed for {}", notice.subject(), e);
        }
    }

    private static String payload(Notifier.Notice notice) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.put("group", notice.group());
        payload.put("subject", notice.subject());
        payload.put("text", notice.text());
        return payload.toString();
    }
}
