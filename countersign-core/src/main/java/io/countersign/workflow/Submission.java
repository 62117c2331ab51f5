package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

/** What {@link Workflow#submitAllowingOutright} recorded: a light allowance, or a request as ever. */
public sealed interface Submission permits Submission.Allowed, Submission.Recorded {
    /** Allowed outright; one audit entry is durable, and the caller runs the action and reports it once. */
    record Allowed(Allowance allowance) implements Submission {
        public Allowed {
            requireNonNull(allowance, "allowance is null");
        }
    }

    /** Anything else (denied, held, allowed with a breaker's say): a request, as {@link Workflow#submit} records it. */
    record Recorded(ApprovalRequest request) implements Submission {
        public Recorded {
            requireNonNull(request, "request is null");
        }
    }
}
