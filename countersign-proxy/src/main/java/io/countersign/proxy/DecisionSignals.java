package io.countersign.proxy;

import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import java.util.concurrent.CompletableFuture;

/**
 * Wakes a held action the moment its request is decided, so holding needs no polling loop. The
 * gateway implements it with the long-polls the API uses (which also hear other nodes' decisions).
 */
public interface DecisionSignals {

    /**
     * A future completed with the request once it is no longer pending. The caller reads the
     * request again after calling this (a decision may have landed just before) and calls
     * {@link #forget} when it stops waiting.
     */
    CompletableFuture<ApprovalRequest> awaitDecision(RequestId id);

    void forget(RequestId id, CompletableFuture<ApprovalRequest> future);
}
