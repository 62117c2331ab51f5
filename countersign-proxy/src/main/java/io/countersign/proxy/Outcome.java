package io.countersign.proxy;

import static java.util.Objects.requireNonNull;

import io.countersign.workflow.RequestId;
import java.util.List;
import java.util.Optional;

/** How one enforcement ended: the approved message went upstream, or it did not and why. */
public sealed interface Outcome {

    /** Sent upstream once; {@code requests} are the approved requests whose grants the execution consumes. */
    record Executed(List<RequestId> requests) implements Outcome {
        public Executed {
            requests = List.copyOf(requests);
        }
    }

    /** Approved, but sending it upstream failed; the failure is recorded. */
    record UpstreamFailed(String message) implements Outcome {
        public UpstreamFailed {
            requireNonNull(message, "message is null");
        }
    }

    /** Never sent upstream. {@code message} says which rule or person refused it and why; it is safe to show the agent. */
    record Refused(Reason reason, String message, Optional<RequestId> request, List<String> rules) implements Outcome {
        public Refused {
            requireNonNull(reason, "reason is null");
            requireNonNull(message, "message is null");
            requireNonNull(request, "request is null");
            rules = List.copyOf(rules);
        }
    }

    enum Reason {
        /** The policy, a suspension or the credential's scopes denied it. */
        DENIED_BY_POLICY,
        /** A human denied it. */
        DENIED_BY_HUMAN,
        /** Nobody decided in time. */
        EXPIRED,
        /** The agent went away (disconnected, cancelled) while it was held; its requests were cancelled. */
        AGENT_GONE,
        /** Cancelled by someone else, or still pending when the gateway stopped waiting, or its grant lapsed. */
        NOT_RUN,
        /** The workflow refused the submission itself. */
        REFUSED,
        /** The hold's deadline passed first; the requests stay pending and the agent may come back (resume). */
        AWAITING,
        /** The agent came back for a request with a message other than the one the request is for. */
        CHANGED
    }
}
