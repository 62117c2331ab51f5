package io.countersign.server.insights;

import io.countersign.insights.Dismissal;
import io.countersign.policy.Decision;
import io.countersign.workflow.ApprovalRequest;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The wire form of suggestions and replay reports. */
final class InsightsJson {
    private InsightsJson() {}

    static ObjectNode suggestions(JsonMapper mapper, Insights.Suggestions suggestions) {
        ObjectNode json = mapper.createObjectNode();
        json.put("from", suggestions.history().from().toString());
        json.put("to", suggestions.history().to().toString());
        json.put("minCount", suggestions.minCount());
        json.put("requests", suggestions.history().requests().size());
        ArrayNode items = json.putArray("suggestions");
        for (Suggestion suggestion : suggestions.items()) {
            ObjectNode item = items.addObject();
            item.put("effect", suggestion.effect().wireName());
            item.put("summary", suggestion.summary());
            item.put("ruleName", suggestion.ruleName());
            item.put("rule", suggestion.ruleYaml());
            item.put("count", suggestion.count());
            ObjectNode period = item.putObject("period");
            period.put("from", suggestion.from().toString());
            period.put("to", suggestion.to().toString());
            ArrayNode groups = item.putArray("groups");
            suggestion.groups().stream().sorted().forEach(groups::add);
            ArrayNode examples = item.putArray("examples");
            suggestion.examples().forEach(examples::add);
            ArrayNode supersedes = item.putArray("supersedes");
            suggestion.supersedes().forEach(supersedes::add);
            suggestion.note().ifPresentOrElse(note -> item.put("note", note), () -> item.putNull("note"));
            ObjectNode resources = item.putObject("resources");
            suggestion.resources().forEach(resources::put);
            evidence(item.putObject("evidence"), suggestion.evidence());
        }
        ArrayNode findings = json.putArray("findings");
        for (ShrinkFindings.Finding finding : suggestions.findings()) {
            ObjectNode item = findings.addObject();
            item.put("id", finding.id());
            item.put("kind", finding.kind());
            if (finding.aboutAgent()) {
                item.put("agent", finding.subject());
            } else {
                item.put("rule", finding.subject());
                item.put("line", finding.line());
            }
            item.put("summary", finding.summary());
            item.put("suggestion", finding.suggestion());
            item.put("replayChanges", finding.replayChanges());
        }
        ArrayNode setAside = json.putArray("setAside");
        suggestions.setAside().forEach(dismissal -> setAside.add(dismissal(mapper, dismissal)));
        return json;
    }

    /** A dismissal or snooze: what, why, by whom, since when and until when ({@code null}: for good). */
    static ObjectNode dismissal(JsonMapper mapper, Dismissal dismissal) {
        ObjectNode json = mapper.createObjectNode();
        json.put("item", dismissal.item());
        json.put("reason", dismissal.reason());
        json.put("by", dismissal.by());
        json.put("at", dismissal.at().toString());
        dismissal.until().ifPresentOrElse(until -> json.put("until", until.toString()), () -> json.putNull("until"));
        return json;
    }

    private static void evidence(ObjectNode json, EvidenceSummary evidence) {
        json.put("first", evidence.first().toString());
        json.put("last", evidence.last().toString());
        ObjectNode deciders = json.putObject("deciders");
        new java.util.TreeMap<>(evidence.deciders()).forEach(deciders::put);
        json.put("medianDecisionSeconds", evidence.medianDecision().toMillis() / 1000.0);
        json.put("fastestDecisionSeconds", evidence.fastestDecision().toMillis() / 1000.0);
        json.put("rubberStamp", evidence.rubberStamp());
        ArrayNode comments = json.putArray("comments");
        evidence.comments().forEach(comments::add);
        ArrayNode examples = json.putArray("examples");
        for (EvidenceSummary.Example example : evidence.examples()) {
            ObjectNode item = examples.addObject();
            item.put("id", example.id());
            item.put("resource", example.resource());
            item.put("createdAt", example.createdAt().toString());
            ArrayNode by = item.putArray("decidedBy");
            example.decidedBy().forEach(by::add);
            item.put("decisionSeconds", example.took().toMillis() / 1000.0);
            ArrayNode said = item.putArray("comments");
            example.comments().forEach(said::add);
        }
    }

    static ObjectNode replay(JsonMapper mapper, Replay.Report report) {
        ObjectNode json = mapper.createObjectNode();
        json.put("from", report.from().toString());
        json.put("to", report.to().toString());
        json.put("policyVersion", report.policyVersion());
        json.put("replayed", report.replayed());
        json.put("notReplayed", report.notReplayed());
        ObjectNode counts = json.putObject("counts");
        report.counts().forEach(counts::put);
        ArrayNode changes = json.putArray("changes");
        for (Replay.Change change : report.changes()) {
            ApprovalRequest request = change.request();
            ObjectNode item = changes.addObject();
            item.put("id", request.id().value());
            item.put("createdAt", request.createdAt().toString());
            item.put("agent", request.agent().name());
            item.put("action", request.action().action());
            item.put("resource", request.action().resource());
            item.put("status", request.status().wireName());
            item.put("kind", change.kind());
            decision(item.putObject("before"), change.before());
            decision(item.putObject("after"), change.after());
        }
        return json;
    }

    private static void decision(ObjectNode json, Decision decision) {
        json.put("effect", decision.effect().wireName());
        ArrayNode rules = json.putArray("rules");
        decision.rules().forEach(rules::add);
        json.put("reason", decision.reason());
        json.put("policyVersion", decision.policyVersion());
    }
}
