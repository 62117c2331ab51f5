package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.Policy;
import io.countersign.policy.PolicyException;
import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.Authentication;
import io.countersign.server.http.WireObject;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/** Suggested rules and policy replay, for admins and auditors: both only read the history. */
public final class InsightsRoutes {
    private static final int MAX_MIN_COUNT = 100_000;

    private final Insights insights;
    private final Dismissals dismissals;
    private final JsonMapper mapper;

    public InsightsRoutes(Insights insights, Dismissals dismissals, JsonMapper mapper) {
        this.insights = requireNonNull(insights, "insights is null");
        this.dismissals = requireNonNull(dismissals, "dismissals is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/insights/suggestions", this::suggestions, Access.ADMIN, Access.AUDITOR);
        routes.post("/v1/policy/replay", this::replay, Access.ADMIN, Access.AUDITOR);
        // Setting an item aside changes what reviewers see: admins only, each change audited.
        routes.post("/v1/insights/items/{item}/dismiss", this::dismiss, Access.ADMIN);
        routes.post("/v1/insights/items/{item}/restore", this::restore, Access.ADMIN);
    }

    private void dismiss(Context ctx) {
        WireObject body = WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of("reason", "snooze"), false);
        String reason = body.requiredString("reason");
        Optional<Duration> snooze = body.optionalString("snooze").map(text -> {
            try {
                return DecisionHistory.parseWindow(text);
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("snooze: " + e.getMessage());
            }
        });
        try {
            ctx.json(InsightsJson.dismissal(
                    mapper,
                    dismissals.dismiss(
                            ctx.pathParam("item"),
                            reason,
                            snooze,
                            Authentication.principal(ctx).auditName())));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(java.util.Objects.requireNonNullElse(e.getMessage(), "bad dismissal"));
        }
    }

    private void restore(Context ctx) {
        WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of(), true);
        boolean restored;
        try {
            restored = dismissals.restore(
                    ctx.pathParam("item"), Authentication.principal(ctx).auditName());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(java.util.Objects.requireNonNullElse(e.getMessage(), "bad item"));
        }
        if (!restored) {
            throw ApiProblem.notFound("'" + ctx.pathParam("item") + "' is neither dismissed nor snoozed");
        }
        ctx.json(mapper.createObjectNode().put("item", ctx.pathParam("item")).put("restored", true));
    }

    private void suggestions(Context ctx) {
        Duration window = window(Optional.ofNullable(ctx.queryParam("since")));
        int min = Optional.ofNullable(ctx.queryParam("min"))
                .map(InsightsRoutes::minCount)
                .orElse(SuggestionFinder.DEFAULT_MIN_COUNT);
        ctx.json(InsightsJson.suggestions(mapper, insights.suggestions(window, min)));
    }

    private void replay(Context ctx) {
        WireObject body = WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of("policy", "since"), false);
        Duration window = window(body.optionalString("since"));
        Policy policy;
        try {
            policy = Policy.parse("policy", body.requiredString("policy"));
        } catch (PolicyException e) {
            throw invalidPolicy(e);
        }
        ctx.json(InsightsJson.replay(mapper, insights.replay(policy, window)));
    }

    /** 422 naming the line and rule, as {@code countersign policy check} does. */
    public static ApiProblem invalidPolicy(PolicyException e) {
        return new ApiProblem(
                422,
                "invalid-policy",
                "The policy is not valid",
                java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
    }

    /** The window {@code since} names ({@code 30d}, {@code 12h}), 30 days without it; a 400 naming the field otherwise. */
    public static Duration window(Optional<String> since) {
        try {
            return since.map(DecisionHistory::parseWindow).orElse(DecisionHistory.DEFAULT_WINDOW);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("since: " + e.getMessage());
        }
    }

    /** A suggestion's least number of decisions, from 1 to 100,000; a 400 saying so otherwise. */
    public static int minCount(String text) {
        try {
            int min = Integer.parseInt(text.trim());
            if (min >= 1 && min <= MAX_MIN_COUNT) {
                return min;
            }
        } catch (NumberFormatException e) {
            // the message below says what is wanted
        }
        throw ApiProblem.badRequest("min must be a whole number from 1 to " + MAX_MIN_COUNT + ", got '" + text + "'");
    }
}
