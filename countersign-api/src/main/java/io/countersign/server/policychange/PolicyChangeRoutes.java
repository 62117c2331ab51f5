package io.countersign.server.policychange;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.PolicyException;
import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.Authentication;
import io.countersign.server.http.WireObject;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.Vote;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Policy changes through the API: admins propose and apply, the configured group approves with
 * the ordinary {@code POST /v1/actions/{id}/approve}, auditors may read.
 */
public final class PolicyChangeRoutes {
    private final PolicyChanges changes;
    private final JsonMapper mapper;

    public PolicyChangeRoutes(PolicyChanges changes, JsonMapper mapper) {
        this.changes = requireNonNull(changes, "changes is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/policy/changes", this::propose, Access.ADMIN);
        routes.get("/v1/policy/changes/{id}", this::read, Access.ADMIN, Access.AUDITOR);
        routes.post("/v1/policy/changes/{id}/apply", this::apply, Access.ADMIN);
    }

    private void propose(Context ctx) {
        WireObject body = WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of("policy", "reason", "suggestion"), false);
        String yaml = body.requiredString("policy");
        String reason = body.requiredString("reason");
        ApprovalRequest request;
        try {
            request = changes.propose(Authentication.human(ctx), yaml, reason, body.optionalString("suggestion"));
        } catch (PolicyException e) {
            throw new ApiProblem(
                    422,
                    "invalid-policy",
                    "The policy is not valid",
                    java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
        ctx.status(request.isPending() ? 202 : 200).json(render(changes.find(request.id())));
    }

    private void read(Context ctx) {
        ctx.json(render(changes.find(id(ctx))));
    }

    private void apply(Context ctx) {
        WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of(), true);
        RequestId id = id(ctx);
        changes.apply(Authentication.human(ctx), id);
        ctx.json(render(changes.find(id)));
    }

    private static RequestId id(Context ctx) {
        String id = ctx.pathParam("id");
        if (!RequestId.isValid(id)) {
            throw ApiProblem.notFound(
                    "no policy change '" + (id.length() > 40 ? id.substring(0, 40) + "..." : id) + "'");
        }
        return new RequestId(id);
    }

    private ObjectNode render(PolicyChanges.Proposal proposal) {
        ApprovalRequest request = proposal.request();
        JsonNode params = request.action().paramsView();
        ObjectNode json = mapper.createObjectNode();
        json.put("id", request.id().value());
        json.put("status", request.status().wireName());
        json.put("proposedBy", request.action().onBehalfOf().orElse(""));
        json.put("reason", request.action().reason());
        json.put("createdAt", request.createdAt().toString());
        json.put("version", params.path("version").asString());
        json.put("previousVersion", params.path("previousVersion").asString());
        json.put("activeVersion", proposal.activeVersion());
        json.put("applied", request.execution().isPresent());
        json.set("diff", params.path("diff").deepCopy());
        json.put("lineDiff", params.path("lineDiff").asString(""));
        if (params.has("impact")) {
            json.set("impact", params.path("impact").deepCopy());
        }
        if (params.has("evidence")) {
            json.set("evidence", params.path("evidence").deepCopy());
        }
        if (!request.decision().approvals().isEmpty()) {
            ObjectNode approval = json.putObject("approval");
            ArrayNode groups = approval.putArray("groups");
            Set<String> names = new TreeSet<>();
            request.decision().approvals().stream()
                    .map(ApprovalRequirement::groups)
                    .forEach(names::addAll);
            names.forEach(groups::add);
            approval.put(
                    "quorum",
                    request.decision().approvals().stream()
                            .mapToInt(ApprovalRequirement::quorum)
                            .max()
                            .orElse(1));
            request.expiresAt().ifPresent(at -> approval.put("expiresAt", at.toString()));
        }
        ArrayNode votes = json.putArray("votes");
        for (Vote vote : request.votes()) {
            ObjectNode item = votes.addObject();
            item.put("voter", vote.voter());
            item.put("choice", vote.choice().wireName());
            item.put("at", vote.time().toString());
            vote.comment().ifPresent(comment -> item.put("comment", comment));
        }
        request.decidedBy().ifPresent(by -> json.put("decidedBy", by));
        return json;
    }
}
