package io.countersign.workflow;

/**
 * Told about every change of a request after it is durable: wakes long-polls, notifies channels.
 * Implementations must be quick and must not throw; the workflow logs and ignores failures.
 */
@FunctionalInterface
public interface RequestListener {
    void changed(ApprovalRequest request);

    RequestListener NONE = request -> {};
}
