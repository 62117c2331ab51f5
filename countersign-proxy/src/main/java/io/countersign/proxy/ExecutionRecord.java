package io.countersign.proxy;

import static java.util.Objects.requireNonNull;

import io.countersign.workflow.Execution;

/** What the audit log keeps of one upstream execution: whether it succeeded and a short detail (status, size, digest). */
public record ExecutionRecord(Execution.Outcome outcome, String detail) {
    public ExecutionRecord {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(detail, "detail is null");
    }

    public static ExecutionRecord succeeded(String detail) {
        return new ExecutionRecord(Execution.Outcome.SUCCEEDED, detail);
    }

    public static ExecutionRecord failed(String detail) {
        return new ExecutionRecord(Execution.Outcome.FAILED, detail);
    }
}
