package io.countersign.server.console;

import io.countersign.action.AgentText;
import io.countersign.identity.Delegation;
import io.countersign.identity.OnBehalfOf;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Vote;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** Turns requests into what the templates show: readable times, a params tree, formatted SQL. */
final class RequestPages {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    private static final List<String> SQL_KEYS = List.of("sql", "statement", "query");
    private static final Pattern SQL_CLAUSE = Pattern.compile(
            "\\s+(?=(?i:from|where|group\\s+by|order\\s+by|having|limit|values|set|returning|inner\\s+join|left\\s+join|right\\s+join|join|union)\\b)");

    private RequestPages() {}

    static Pages.Row row(ApprovalRequest request, Instant now) {
        return new Pages.Row(
                request.id().value(),
                request.action().action(),
                request.action().resource(),
                request.agent().name(),
                request.onBehalfOf()
                        .map(OnBehalfOf::display)
                        .map(AgentText::visible)
                        .orElse("—"),
                AgentText.visible(request.action().reason()),
                request.createdAt().toString(),
                timeLeft(request, now).orElse("—"));
    }

    static Pages.Request page(
            Pages.Viewer viewer,
            ApprovalRequest request,
            Instant now,
            Optional<String> refusal,
            boolean stepUp,
            boolean canDeny,
            String notice) {
        List<String> groups = new ArrayList<>();
        for (ApprovalRequirement requirement : request.decision().approvals()) {
            groups.add(requirement.quorum() + " of " + String.join(", ", requirement.groups()));
        }
        String decided = request.decidedAt()
                .map(at -> request.decidedBy().orElse("?") + " at " + TIME.format(at)
                        + lastVoteChannel(request)
                                .map(channel -> " via " + channel)
                                .orElse("")
                        + request.resolution().map(note -> " (" + note + ")").orElse(""))
                .orElse(null);
        String execution = request.execution()
                .map(run -> run.outcome().wireName() + " at " + TIME.format(run.time())
                        + run.detail().map(detail -> ": " + detail).orElse(""))
                .orElse(request.decidedAt().isPresent() ? "not reported" : null);
        return new Pages.Request(
                viewer,
                request.id().value(),
                request.createdAt().toString(),
                request.status().wireName(),
                request.agent().name(),
                // Agent text as Slack and Teams show it: a zero-width or bidi character is an escape, a newline a
                // symbol.
                request.onBehalfOf()
                        .map(OnBehalfOf::display)
                        .map(AgentText::visible)
                        .orElse("—"),
                request.delegation() == Delegation.NONE
                        ? ""
                        : request.delegation().wireName(),
                request.action().action(),
                request.action().resource(),
                AgentText.visible(request.action().reason()),
                params(request.action().params()),
                sql(request.action().params()).orElse(null),
                String.join(", ", request.decision().rules()),
                request.decision().policyVersion(),
                groups.isEmpty() ? "—" : String.join("; ", groups),
                request.votes().stream().map(RequestPages::vote).toList(),
                timeLeft(request, now).orElse(null),
                refusal.orElse(null),
                stepUp,
                canDeny,
                decided,
                execution,
                notice,
                review(request).orElse(null));
    }

    /** A policy change's review, shown above its parameters. */
    private static Optional<Pages.PolicyChangeReview> review(ApprovalRequest request) {
        if (!request.action().action().equals("policy.change")) {
            return Optional.empty();
        }
        JsonNode params = request.action().paramsView();
        List<String> denied = new java.util.ArrayList<>();
        params.path("impact")
                .path("humanDeniedNowAllowedRequests")
                .forEach(item -> denied.add(item.path("id").asString("")
                        + " (" + item.path("agent").asString("") + " "
                        + item.path("action").asString("") + " "
                        + item.path("resource").asString("") + ", denied by "
                        + item.path("deniedBy").asString("") + ")"));
        return Optional.of(new Pages.PolicyChangeReview(
                params.path("impact").path("summary").asString(""),
                denied,
                params.path("evidence").path("summary").asString(""),
                params.path("lineDiff").asString("")));
    }

    private static Optional<String> lastVoteChannel(ApprovalRequest request) {
        return request.votes().isEmpty()
                ? Optional.empty()
                : Optional.of(request.votes().getLast().channel());
    }

    private static Pages.VoteLine vote(Vote vote) {
        return new Pages.VoteLine(
                vote.voter(),
                vote.choice().wireName(),
                vote.comment().map(AgentText::visible).orElse(""),
                vote.time().toString(),
                vote.channel());
    }

    static Optional<String> timeLeft(ApprovalRequest request, Instant now) {
        return request.expiresAt().filter(at -> request.isPending()).map(at -> {
            Duration left = Duration.between(now, at);
            if (left.isNegative() || left.isZero()) {
                return "expiring";
            }
            long seconds = left.toSeconds();
            return seconds >= 3600
                    ? String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, seconds % 3600 / 60)
                    : String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
        });
    }

    /** Params as a tree: objects and arrays nest, scalars show as JSON (strings without quotes). */
    static List<Pages.Param> params(JsonNode node) {
        List<Pages.Param> out = new ArrayList<>();
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                out.add(param(field.getKey(), field.getValue()));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.add(param("[" + i + "]", node.get(i)));
            }
        }
        return out;
    }

    private static Pages.Param param(String key, JsonNode value) {
        if (value.isContainer()) {
            return new Pages.Param(AgentText.visible(key), null, params(value));
        }
        return new Pages.Param(
                AgentText.visible(key),
                AgentText.visible(value.isString() ? value.asString() : value.toString()),
                null);
    }

    /** A SQL statement in the params, one clause a line, for a reader who must see what it touches. */
    static Optional<String> sql(JsonNode params) {
        for (String key : SQL_KEYS) {
            JsonNode value = params.get(key);
            if (value != null && value.isString() && !value.asString().isBlank()) {
                return Optional.of(SQL_CLAUSE.matcher(value.asString().strip()).replaceAll("\n"));
            }
        }
        return Optional.empty();
    }
}
