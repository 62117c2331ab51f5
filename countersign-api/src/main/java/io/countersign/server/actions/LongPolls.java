package io.countersign.server.actions;

import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Waiters for requests to leave {@code pending}. The workflow tells us about every durable change,
 * so a long-poll wakes the moment a decision lands, with no polling loop.
 */
public final class LongPolls implements RequestListener {
    private final Map<RequestId, List<CompletableFuture<ApprovalRequest>>> waiters = new ConcurrentHashMap<>();

    /**
     * A future completed with the request once it is no longer pending. The caller must read the
     * request again after calling this (a decision may have landed just before) and must call
     * {@link #forget} when it stops waiting.
     */
    public CompletableFuture<ApprovalRequest> awaitDecision(RequestId id) {
        CompletableFuture<ApprovalRequest> future = new CompletableFuture<>();
        waiters.computeIfAbsent(id, ignored -> new CopyOnWriteArrayList<>()).add(future);
        return future;
    }

    public void forget(RequestId id, CompletableFuture<ApprovalRequest> future) {
        waiters.computeIfPresent(id, (ignored, list) -> {
            list.remove(future);
            return list.isEmpty() ? null : list;
        });
    }

    @Override
    public void changed(ApprovalRequest request) {
        if (request.isPending()) {
            return;
        }
        List<CompletableFuture<ApprovalRequest>> waiting = waiters.remove(request.id());
        if (waiting != null) {
            waiting.forEach(future -> future.complete(request));
        }
    }

    int waiting() {
        return waiters.values().stream().mapToInt(List::size).sum();
    }
}
