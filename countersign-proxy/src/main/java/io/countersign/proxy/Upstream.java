package io.countersign.proxy;

import io.countersign.policy.ColumnMask;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A protocol's part of executing: sends exactly the approved message upstream with the gateway's
 * credential. Called at most once per enforcement, and only after every request is approved.
 * The stage completes when the upstream has answered (a protocol that streams its answer back
 * completes it when the stream ends); the seam records it then.
 */
@FunctionalInterface
public interface Upstream {

    /** @throws UpstreamFailure when the message could not be sent; the seam records the failure */
    CompletionStage<ExecutionRecord> execute() throws UpstreamFailure;

    /**
     * {@link #execute()}, told the column masks of the decisions that let the message run (every
     * matching allow and require_approval rule's {@code mask}). The seam always calls this one. A
     * protocol whose answers have result columns (the PostgreSQL proxy) applies them; the default,
     * for protocols without columns, ignores them.
     */
    default CompletionStage<ExecutionRecord> execute(List<ColumnMask> masks) throws UpstreamFailure {
        return execute();
    }

    /** The upstream could not be reached or refused the message before answering it. */
    final class UpstreamFailure extends Exception {
        public UpstreamFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
