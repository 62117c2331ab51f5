package io.countersign.server.actions;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.policy.Decision;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Workflow;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The wire view of a request (Public API v1). The grant token goes only to the agent that asked. */
public final class RequestJson {
    private final RequestView view;
    private final Workflow workflow;

    /** {@code baseUrl} is asked at render time: with port 0 the server knows its address only once started. */
    public RequestJson(JsonMapper mapper, Workflow workflow, Supplier<String> baseUrl) {
        this.view = new RequestView(mapper, baseUrl);
        this.workflow = requireNonNull(workflow, "workflow is null");
    }

    public ObjectNode render(ApprovalRequest request, Principal viewer) {
        ObjectNode json = view.render(request);
        if (viewer instanceof Human) {
            request.resolvedOnBehalfOf()
                    .filter(person -> !person.email().isBlank())
                    .ifPresent(person -> ((ObjectNode) json.get("onBehalfOfPerson")).put("email", person.email()));
        }
        boolean requester = viewer instanceof Agent agent
                && agent.name().equals(request.agent().name());
        if (requester) {
            workflow.grantToken(request).ifPresent(token -> {
                ObjectNode grant = json.putObject("grant");
                grant.put("token", token);
                grant.put("expiresAt", request.grant().orElseThrow().expiresAt().toString());
            });
        }
        return json;
    }

    public ObjectNode decision(Decision decision) {
        return view.decision(decision);
    }
}
