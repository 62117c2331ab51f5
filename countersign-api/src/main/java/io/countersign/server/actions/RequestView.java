package io.countersign.server.actions;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Decision;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Vote;
import java.util.TreeSet;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The wire view of a request (Public API v1) without its grant: what the API shows to anyone who
 * may read the request, and what webhooks send. {@link RequestJson} adds the grant for its agent.
 */
public final class RequestView {
    private final JsonMapper mapper;
    private final Supplier<String> baseUrl;

    /** {@code baseUrl} is asked at render time: with port 0 the server knows its address only once started. */
    public RequestView(JsonMapper mapper, Supplier<String> baseUrl) {
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.baseUrl = requireNonNull(baseUrl, "baseUrl is null");
    }

    /** Everything but the grant token: what any authorized reader of the request may see. */
    public ObjectNode render(ApprovalRequest request) {
        ObjectNode json = mapper.createObjectNode();
        json.put("id", request.id().value());
        json.put("status", request.status().wireName());
        json.put("agent", request.agent().name());
        ObjectNode action = json.putObject("action");
        action.put("action", request.action().action());
        action.put("resource", request.action().resource());
        action.set("params", request.action().params());
        action.put("reason", request.action().reason());
        request.action().onBehalfOf().ifPresent(human -> action.put("onBehalfOf", human));
        // Whom onBehalfOf resolved to at submission, beside what the agent sent (action.onBehalfOf, which the grant
        // binds).
        request.resolvedOnBehalfOf()
                .ifPresent(person -> json.putObject("onBehalfOfPerson").put("name", person.name()));
        json.put("delegation", request.delegation().wireName());
        json.put("digest", request.digest().hex());
        json.set("decision", decision(request.decision()));
        if (!request.decision().approvals().isEmpty()) {
            ObjectNode approval = json.putObject("approval");
            ArrayNode groups = approval.putArray("groups");
            TreeSet<String> allGroups = new TreeSet<>();
            request.decision().approvals().forEach(requirement -> allGroups.addAll(requirement.groups()));
            allGroups.forEach(groups::add);
            approval.put(
                    "quorum",
                    request.decision().approvals().stream()
                            .mapToInt(ApprovalRequirement::quorum)
                            .max()
                            .orElse(1));
            request.expiresAt().ifPresent(at -> approval.put("expiresAt", at.toString()));
            // The page a human decides on, as in Slack and Teams; /v1/actions/{id} is JSON behind a token.
            approval.put(
                    "url", baseUrl.get() + "/console/requests/" + request.id().value());
            ArrayNode requirements = approval.putArray("requirements");
            for (ApprovalRequirement requirement : request.decision().approvals()) {
                ObjectNode item = requirements.addObject();
                item.put("rule", requirement.rule());
                ArrayNode requirementGroups = item.putArray("groups");
                requirement.groups().stream().sorted().forEach(requirementGroups::add);
                item.put("quorum", requirement.quorum());
            }
        }
        ArrayNode votes = json.putArray("votes");
        for (Vote vote : request.votes()) {
            ObjectNode item = votes.addObject();
            item.put("voter", vote.voter());
            item.put("choice", vote.choice().wireName());
            vote.comment().ifPresent(comment -> item.put("comment", comment));
            item.put("time", vote.time().toString());
            item.put("channel", vote.channel());
        }
        json.put("createdAt", request.createdAt().toString());
        request.decidedAt().ifPresent(at -> json.put("decidedAt", at.toString()));
        request.decidedBy().ifPresent(by -> json.put("decidedBy", by));
        request.resolution().ifPresent(reason -> json.put("resolution", reason));
        request.breakGlass().ifPresent(breakGlass -> {
            ObjectNode item = json.putObject("breakGlass");
            item.put("usedBy", breakGlass.usedBy());
            item.put("reason", breakGlass.reason());
            item.put("usedAt", breakGlass.usedAt().toString());
            item.put("review", breakGlass.reviewOpen() ? "open" : "acknowledged");
            breakGlass.acknowledgedBy().ifPresent(by -> item.put("acknowledgedBy", by));
            breakGlass.acknowledgedAt().ifPresent(at -> item.put("acknowledgedAt", at.toString()));
            breakGlass.comment().ifPresent(comment -> item.put("comment", comment));
        });
        request.execution().ifPresent(execution -> {
            ObjectNode item = json.putObject("execution");
            item.put("outcome", execution.outcome().wireName());
            execution.detail().ifPresent(detail -> item.put("detail", detail));
            item.put("time", execution.time().toString());
        });
        return json;
    }

    public ObjectNode decision(Decision decision) {
        ObjectNode json = mapper.createObjectNode();
        json.put("effect", decision.effect().wireName());
        ArrayNode rules = json.putArray("rules");
        decision.rules().forEach(rules::add);
        json.put("reason", decision.reason());
        json.put("policyVersion", decision.policyVersion());
        return json;
    }
}
