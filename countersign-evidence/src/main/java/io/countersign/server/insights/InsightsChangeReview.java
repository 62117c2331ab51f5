package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.Policy;
import io.countersign.server.policychange.ChangeReview;
import io.countersign.workflow.RequestStatus;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The review a policy change carries, from the insights: its replay over the last 30 days (how
 * many recorded requests change, and which that humans denied would now pass), and the evidence
 * of the suggestion it adopts.
 */
public final class InsightsChangeReview implements ChangeReview {
    /** The human-denied requests listed by id; the count covers them all. */
    static final int MAX_LISTED = 20;

    private final Insights insights;
    private final JsonMapper mapper;

    public InsightsChangeReview(Insights insights, JsonMapper mapper) {
        this.insights = requireNonNull(insights, "insights is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    @Override
    public Optional<ObjectNode> impact(Policy proposed) {
        Replay.Report report = insights.replay(proposed, DecisionHistory.DEFAULT_WINDOW);
        ObjectNode json = mapper.createObjectNode();
        json.put("from", report.from().toString());
        json.put("to", report.to().toString());
        json.put("replayed", report.replayed());
        json.put("changed", report.changes().size());
        ObjectNode counts = json.putObject("counts");
        report.counts().forEach(counts::put);
        // Loosening is what a reviewer must see: requests a human refused that the new policy lets through.
        List<Replay.Change> nowPassing = report.changes().stream()
                .filter(change -> change.request().status() == RequestStatus.DENIED
                        && change.request()
                                .decidedBy()
                                .filter(by -> by.startsWith("human:"))
                                .isPresent())
                .filter(change -> change.after().effect() == io.countersign.policy.Effect.ALLOW)
                .toList();
        json.put("humanDeniedNowAllowed", nowPassing.size());
        ArrayNode listed = json.putArray("humanDeniedNowAllowedRequests");
        nowPassing.stream().limit(MAX_LISTED).forEach(change -> listed.addObject()
                .put("id", change.request().id().value())
                .put("agent", change.request().agent().name())
                .put("action", change.request().action().action())
                .put("resource", change.request().action().resource())
                .put("deniedBy", change.request().decidedBy().orElse("")));
        json.put("summary", summary(report, nowPassing.size()));
        return Optional.of(json);
    }

    @Override
    public ObjectNode evidence(String suggestion) {
        requireNonNull(suggestion, "suggestion is null");
        Insights.Suggestions current =
                insights.suggestions(DecisionHistory.DEFAULT_WINDOW, SuggestionFinder.DEFAULT_MIN_COUNT);
        ObjectNode all = InsightsJson.suggestions(mapper, current);
        for (tools.jackson.databind.JsonNode item : all.path("suggestions")) {
            if (item.path("ruleName").asString("").equals(suggestion)) {
                ObjectNode evidence = mapper.createObjectNode();
                evidence.put("suggestion", suggestion);
                evidence.put("summary", item.path("summary").asString(""));
                evidence.put("count", item.path("count").asInt());
                evidence.set("resources", item.path("resources").deepCopy());
                evidence.set("evidence", item.path("evidence").deepCopy());
                return evidence;
            }
        }
        throw new IllegalArgumentException("no current suggestion '" + suggestion
                + "' (over the last 30 days, with at least " + SuggestionFinder.DEFAULT_MIN_COUNT
                + " decisions); see GET /v1/insights/suggestions");
    }

    private static String summary(Replay.Report report, int nowAllowed) {
        return report.changes().size() + " of " + report.replayed() + " recorded request(s) from " + report.from()
                + " to " + report.to() + " would be decided differently"
                + (nowAllowed == 0
                        ? "; none that a human denied would now be allowed"
                        : "; " + nowAllowed + " that a human denied would now be allowed");
    }
}
