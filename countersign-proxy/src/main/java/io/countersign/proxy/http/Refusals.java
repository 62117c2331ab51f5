package io.countersign.proxy.http;

import io.countersign.proxy.Hold;
import io.countersign.proxy.Outcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The problem an agent gets for an action that did not run: which status, and the request and rules it names. */
final class Refusals {
    private Refusals() {}

    static ProxyAnswer.Problem problem(Outcome.Refused refused, boolean retry, List<Hold.Pending> pending) {
        Map<String, Object> members = new LinkedHashMap<>();
        refused.request().ifPresent(id -> members.put("countersignRequest", id.value()));
        if (!refused.rules().isEmpty()) {
            members.put("rules", refused.rules());
        }
        return switch (refused.reason()) {
            case AWAITING -> {
                pending.stream()
                        .filter(held -> refused.request().map(held.id()::equals).orElse(false))
                        .findFirst()
                        .ifPresent(held -> members.put("consoleUrl", held.consoleUrl()));
                members.put("retryWith", HttpProxy.RETRY_HEADER);
                yield new ProxyAnswer.Problem(
                        202,
                        "approval-pending",
                        "Waiting for a human's approval",
                        refused.message() + ". Send the same request again with " + HttpProxy.RETRY_HEADER + ": "
                                + refused.request().map(Object::toString).orElse("?")
                                + " to have it run once approved.",
                        members);
            }
            case DENIED_BY_POLICY, DENIED_BY_HUMAN, EXPIRED ->
                new ProxyAnswer.Problem(403, "denied", "Countersign denied the request", refused.message(), members);
            case CHANGED ->
                new ProxyAnswer.Problem(
                        409, "request-changed", "Not the request that was decided", refused.message(), members);
            case NOT_RUN, AGENT_GONE ->
                new ProxyAnswer.Problem(409, "conflict", "The request did not run", refused.message(), members);
            case REFUSED ->
                retry && refused.request().isEmpty()
                        ? new ProxyAnswer.Problem(404, "not-found", "Not found", refused.message(), members)
                        : new ProxyAnswer.Problem(
                                403, "forbidden", "Countersign refused the request", refused.message(), members);
        };
    }
}
