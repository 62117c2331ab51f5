package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/** What the agent reported after using its grant. */
public record Execution(Outcome outcome, Optional<String> detail, Instant time) {
    public enum Outcome {
        SUCCEEDED("succeeded"),
        FAILED("failed");

        private final String wireName;

        Outcome(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Outcome fromWireName(String name) {
            return switch (name) {
                case "succeeded" -> SUCCEEDED;
                case "failed" -> FAILED;
                default ->
                    throw new IllegalArgumentException("outcome must be 'succeeded' or 'failed', got '" + name + "'");
            };
        }
    }

    public Execution {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(detail, "detail is null");
        requireNonNull(time, "time is null");
    }
}
