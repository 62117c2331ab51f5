package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import io.countersign.insights.Dismissal;
import io.countersign.server.http.Access;
import io.countersign.server.insights.DecisionHistory;
import io.countersign.server.insights.Dismissals;
import io.countersign.server.insights.EvidenceSummary;
import io.countersign.server.insights.Insights;
import io.countersign.server.insights.InsightsRoutes;
import io.countersign.server.insights.ShrinkFindings;
import io.countersign.server.insights.Suggestion;
import io.countersign.server.insights.SuggestionFinder;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.util.Optional;

/**
 * The insights page: the suggestions and findings of {@code GET /v1/insights/suggestions}, each with
 * the evidence a reviewer judges it by, for admins and auditors. Admins set an item aside (for good,
 * or snoozed for a while) with a reason, or bring it back, through the same {@link Dismissals} as the
 * API and the command line, so each change is audited under their name.
 */
final class InsightsPages {
    private final Insights insights;
    private final Dismissals dismissals;
    private final ConsoleSessions sessions;
    private final Views views;

    InsightsPages(Insights insights, Dismissals dismissals, ConsoleSessions sessions, Views views) {
        this.insights = requireNonNull(insights, "insights is null");
        this.dismissals = requireNonNull(dismissals, "dismissals is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.views = requireNonNull(views, "views is null");
    }

    void register(RoutesConfig routes) {
        routes.get("/console/insights", this::page, Access.ADMIN, Access.AUDITOR);
        // The item is a form field, not a path segment: rule names and finding ids carry ':' and '.'.
        routes.post("/console/insights/dismiss", this::dismiss, Access.ADMIN);
        routes.post("/console/insights/restore", this::restore, Access.ADMIN);
    }

    private void page(Context ctx) {
        ConsoleSession session = ConsoleSessions.current(ctx);
        String since = DecisionRoutes.filter(ctx, "since");
        Duration window = InsightsRoutes.window(Optional.of(since).filter(text -> !text.isEmpty()));
        String minText = DecisionRoutes.filter(ctx, "min");
        int min = minText.isEmpty() ? SuggestionFinder.DEFAULT_MIN_COUNT : InsightsRoutes.minCount(minText);
        Insights.Suggestions found = insights.suggestions(window, min);
        views.page(
                ctx,
                200,
                "insights",
                new Pages.Insights(
                        DecisionRoutes.viewer(session),
                        session.caller().roles().contains(Access.ADMIN),
                        since.isEmpty() ? DecisionHistory.DEFAULT_WINDOW.toDays() + "d" : since,
                        min,
                        found.history().from().toString(),
                        found.history().to().toString(),
                        found.history().requests().size(),
                        found.items().stream().map(InsightsPages::suggestion).toList(),
                        found.findings().stream().map(InsightsPages::finding).toList(),
                        found.setAside().stream().map(InsightsPages::setAside).toList(),
                        sessions.takeFlash(session)));
    }

    private void dismiss(Context ctx) {
        ConsoleSession session = ConsoleSessions.current(ctx);
        String item = form(ctx, "item");
        String reason = form(ctx, "reason");
        String snooze = form(ctx, "snooze");
        if (reason.isEmpty()) {
            sessions.flash(session, "Setting '" + item + "' aside needs a reason; nothing changed.");
        } else {
            try {
                Optional<Duration> until =
                        snooze.isEmpty() ? Optional.empty() : Optional.of(DecisionHistory.parseWindow(snooze));
                Dismissal done = dismissals.dismiss(
                        item, reason, until, session.caller().principal().auditName());
                sessions.flash(
                        session,
                        done.until()
                                .map(end -> "Snoozed '" + item + "' until " + end + ".")
                                .orElse("Dismissed '" + item + "'."));
            } catch (IllegalArgumentException e) {
                sessions.flash(session, "Nothing changed: " + e.getMessage());
            }
        }
        ctx.redirect("/console/insights", HttpStatus.SEE_OTHER);
    }

    private void restore(Context ctx) {
        ConsoleSession session = ConsoleSessions.current(ctx);
        String item = form(ctx, "item");
        try {
            sessions.flash(
                    session,
                    dismissals.restore(item, session.caller().principal().auditName())
                            ? "Restored '" + item + "': it is back among the insights."
                            : "'" + item + "' is neither dismissed nor snoozed; nothing changed.");
        } catch (IllegalArgumentException e) {
            sessions.flash(session, "Nothing changed: " + e.getMessage());
        }
        ctx.redirect("/console/insights", HttpStatus.SEE_OTHER);
    }

    private static Pages.InsightSuggestion suggestion(Suggestion suggestion) {
        EvidenceSummary evidence = suggestion.evidence();
        return new Pages.InsightSuggestion(
                suggestion.ruleName(),
                suggestion.effect().wireName(),
                suggestion.summary(),
                evidence.describe(),
                evidence.rubberStamp(),
                suggestion.resources().entrySet().stream()
                        .map(entry -> entry.getKey() + " (" + entry.getValue() + ")")
                        .toList(),
                evidence.comments(),
                evidence.examples().stream()
                        .map(example -> example.id() + ": " + example.resource() + ", by "
                                + (example.decidedBy().isEmpty() ? "nobody" : String.join(", ", example.decidedBy()))
                                + " in " + example.took().toSeconds() + "s")
                        .toList(),
                suggestion.note().orElse(""),
                suggestion.ruleYaml());
    }

    private static Pages.InsightFinding finding(ShrinkFindings.Finding finding) {
        return new Pages.InsightFinding(
                finding.id(),
                finding.kind(),
                finding.subject(),
                finding.summary(),
                finding.suggestion(),
                finding.replayChanges());
    }

    private static Pages.SetAside setAside(Dismissal dismissal) {
        return new Pages.SetAside(
                dismissal.item(),
                dismissal.reason(),
                dismissal.by(),
                dismissal.at().toString(),
                dismissal.until().map(Object::toString).orElse(""));
    }

    private static String form(Context ctx, String name) {
        return Optional.ofNullable(ctx.formParam(name)).map(String::strip).orElse("");
    }
}
