package io.countersign.server.webhooks;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Vote;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** A request as webhook receivers see it: who, what, why, the decision and its votes; never a grant token. */
final class EventJson {
    private EventJson() {}

    static void request(ObjectNode data, ApprovalRequest request, String baseUrl) {
        data.put("id", request.id().value());
        data.put("status", request.status().wireName());
        data.put("url", baseUrl + "/console/requests/" + request.id().value());
        ObjectNode agent = data.putObject("agent");
        agent.put("name", request.agent().name());
        ObjectNode labels = agent.putObject("labels");
        request.agent().labels().forEach(labels::put);
        request.action().onBehalfOf().ifPresentOrElse(human -> data.put("onBehalfOf", human), () -> data.putNull("onBehalfOf"));
        data.put("delegation", request.delegation().wireName());
        data.put("action", request.action().action());
        data.put("resource", request.action().resource());
        data.set("params", request.action().params());
        data.put("reason", request.action().reason());
        ObjectNode decision = data.putObject("decision");
        decision.put("effect", request.decision().effect().wireName());
        ArrayNode rules = decision.putArray("rules");
        request.decision().rules().forEach(rules::add);
        decision.put("reason", request.decision().reason());
        decision.put("policyVersion", request.decision().policyVersion());
        ArrayNode approvals = decision.putArray("approvals");
        for (ApprovalRequirement requirement : request.decision().approvals()) {
            ObjectNode item = approvals.addObject();
            item.put("rule", requirement.rule());
            ArrayNode groups = item.putArray("groups");
            requirement.groups().stream().sorted().forEach(groups::add);
            item.put("quorum", requirement.quorum());
        }
        data.put("createdAt", request.createdAt().toString());
        request.expiresAt().ifPresent(at -> data.put("expiresAt", at.toString()));
        ArrayNode votes = data.putArray("votes");
        for (Vote vote : request.votes()) {
            ObjectNode item = votes.addObject();
            item.put("voter", vote.voter());
            item.put("choice", vote.choice().wireName());
            vote.comment().ifPresent(comment -> item.put("comment", comment));
            item.put("channel", vote.channel());
            item.put("at", vote.time().toString());
        }
        request.decidedBy().ifPresent(by -> data.put("decidedBy", by));
        request.decidedAt().ifPresent(at -> data.put("decidedAt", at.toString()));
        request.execution().ifPresent(execution -> {
            ObjectNode executed = data.putObject("execution");
            executed.put("outcome", execution.outcome().wireName());
            execution.detail().ifPresent(detail -> executed.put("detail", detail));
            executed.put("at", execution.time().toString());
        });
    }
}
