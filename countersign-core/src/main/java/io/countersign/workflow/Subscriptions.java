package io.countersign.workflow;

import io.countersign.outbox.NotificationType;
import java.util.List;
import java.util.Optional;

/**
 * Which channels want to hear of an event. Called inside the workflow's transactions, so it must be
 * quick and must not do I/O.
 */
@FunctionalInterface
public interface Subscriptions {

    /** @param request the request as the change left it; empty for notices about no request */
    List<String> channelsFor(NotificationType type, Optional<ApprovalRequest> request);

    Subscriptions NONE = (type, request) -> List.of();
}
