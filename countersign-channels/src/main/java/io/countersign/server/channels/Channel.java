package io.countersign.server.channels;

import io.countersign.outbox.NotificationType;
import io.countersign.workflow.ApprovalRequest;
import java.util.Optional;

/**
 * Somewhere people hear of requests: Slack, Teams, a webhook. The workflow writes what a channel
 * {@link #wants} to the outbox; the {@link OutboxWorker} hands each one to {@link #deliver} until
 * it returns normally.
 */
public interface Channel {

    /** Unique among the configured channels, and stable: outbox rows name their channel by it. */
    String name();

    /** Called in the workflow's transaction: quick, no I/O. */
    boolean wants(NotificationType type, Optional<ApprovalRequest> request);

    /**
     * Delivers one notification, at least once: it may come again after a crash, so a channel that
     * can should make a repeat harmless (update a message rather than post a second one).
     *
     * @return the reference of the message this posted or updated, to be given back as
     *     {@link Notification#messageRef()} with the request's later notifications; empty to keep the old one
     * @throws Exception when it did not arrive: the worker retries later, with backoff
     */
    Optional<String> deliver(Notification notification) throws Exception;
}
