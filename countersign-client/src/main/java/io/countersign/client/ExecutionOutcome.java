package io.countersign.client;

/** How the work done under a grant ended, as the agent reports it. */
public enum ExecutionOutcome {
    SUCCEEDED("succeeded"),
    FAILED("failed");

    private final String wireName;

    ExecutionOutcome(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
