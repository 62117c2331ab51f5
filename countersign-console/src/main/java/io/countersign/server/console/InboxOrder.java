package io.countersign.server.console;

import io.countersign.workflow.ApprovalRequest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;

/** How the inbox is sorted ({@code ?sort=}); anything unknown is the default, newest first. */
enum InboxOrder {
    NEWEST("newest", Comparator.comparing(ApprovalRequest::createdAt).reversed()),
    OLDEST("oldest", Comparator.comparing(ApprovalRequest::createdAt)),
    /** The requests that expire first: the ones to decide now. */
    EXPIRING("expiring", Comparator.comparing((ApprovalRequest r) -> r.expiresAt()
            .orElse(Instant.MAX))),
    ACTION(
            "action",
            Comparator.comparing((ApprovalRequest r) -> r.action().action())
                    .thenComparing(r -> r.action().resource())),
    AGENT(
            "agent",
            Comparator.comparing((ApprovalRequest r) -> r.agent().name()).thenComparing(ApprovalRequest::createdAt));

    private final String wireName;
    private final Comparator<ApprovalRequest> comparator;

    InboxOrder(String wireName, Comparator<ApprovalRequest> comparator) {
        this.wireName = wireName;
        this.comparator = comparator.thenComparing(r -> r.id().value());
    }

    String wireName() {
        return wireName;
    }

    Comparator<ApprovalRequest> comparator() {
        return comparator;
    }

    static InboxOrder of(String text) {
        return Arrays.stream(values())
                .filter(order -> order.wireName.equals(text))
                .findFirst()
                .orElse(NEWEST);
    }
}
