package io.countersign.workflow;

import io.countersign.identity.Agent;
import java.time.Instant;

/** The checks several workflow steps make on a request before they change it. */
final class RequestGuards {
    private RequestGuards() {}

    /** Only the agent that asked may act on its request (cancel it, execute it). */
    static void requireRequester(Agent agent, ApprovalRequest request) {
        if (!request.agent().name().equals(agent.name())) {
            throw new WorkflowException.Forbidden("request " + request.id() + " belongs to agent "
                    + request.agent().name() + ", not to " + agent.name());
        }
    }

    /** A request is decided or withdrawn only while it is pending and before its timeout. */
    static void requirePendingAt(ApprovalRequest request, Instant now) {
        if (!request.isPending()) {
            throw new WorkflowException.Conflict(
                    "request " + request.id() + " is " + request.status().wireName() + ", no longer pending");
        }
        if (!now.isBefore(request.expiresAt().orElseThrow())) {
            throw new WorkflowException.Conflict("request " + request.id() + " expired at "
                    + request.expiresAt().get());
        }
    }
}
