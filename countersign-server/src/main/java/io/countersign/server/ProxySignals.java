package io.countersign.server;

import static java.util.Objects.requireNonNull;

import io.countersign.proxy.DecisionSignals;
import io.countersign.server.actions.LongPolls;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import java.util.concurrent.CompletableFuture;

/** The proxies' wake-ups are the API's long-polls: a decision on any node (with PostgreSQL) wakes a held statement at once. */
final class ProxySignals implements DecisionSignals {
    private final LongPolls longPolls;

    ProxySignals(LongPolls longPolls) {
        this.longPolls = requireNonNull(longPolls, "longPolls is null");
    }

    @Override
    public CompletableFuture<ApprovalRequest> awaitDecision(RequestId id) {
        return longPolls.awaitDecision(id);
    }

    @Override
    public void forget(RequestId id, CompletableFuture<ApprovalRequest> future) {
        longPolls.forget(id, future);
    }
}
