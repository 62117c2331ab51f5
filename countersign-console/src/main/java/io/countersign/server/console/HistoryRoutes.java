package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.Access;
import io.countersign.store.GatewayStore;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestStatus;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The past beside the inbox: decided requests (everything but pending) created in the last
 * {@code days}, newest first, searchable by agent, action, resource (globs as in the inbox),
 * status, who decided, and free text over all of a request's words, 50 a page. Any human may read
 * a request (as {@code GET /v1/actions/{id}}), so any human may search them.
 */
final class HistoryRoutes {
    static final int PAGE_SIZE = 50;
    static final int DEFAULT_DAYS = 30;
    static final int MAX_DAYS = 400;

    private final GatewayStore store;
    private final Clock clock;
    private final Views views;

    HistoryRoutes(GatewayStore store, Clock clock, Views views) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.views = requireNonNull(views, "views is null");
    }

    void register(RoutesConfig routes) {
        routes.get("/console/history", this::history, Access.HUMAN);
    }

    private void history(Context ctx) {
        ConsoleSession session = ConsoleSessions.current(ctx);
        int days = number(DecisionRoutes.filter(ctx, "days"), DEFAULT_DAYS, 1, MAX_DAYS);
        int page = number(DecisionRoutes.filter(ctx, "page"), 1, 1, Integer.MAX_VALUE);
        String status = DecisionRoutes.filter(ctx, "status").toLowerCase(Locale.ROOT);
        Pattern agent = DecisionRoutes.glob(DecisionRoutes.filter(ctx, "agent"));
        Pattern action = DecisionRoutes.glob(DecisionRoutes.filter(ctx, "action"));
        Pattern resource = DecisionRoutes.glob(DecisionRoutes.filter(ctx, "resource"));
        Pattern decidedBy = DecisionRoutes.glob(DecisionRoutes.filter(ctx, "decidedBy"));
        String text = DecisionRoutes.filter(ctx, "q").toLowerCase(Locale.ROOT);
        Instant now = clock.instant();
        List<ApprovalRequest> matching =
                store.requestsCreatedBetween(now.minus(Duration.ofDays(days)), now.plusSeconds(1)).stream()
                        .filter(r -> r.status() != RequestStatus.PENDING)
                        .filter(r -> status.isEmpty() || r.status().wireName().equals(status))
                        .filter(r -> agent.matcher(r.agent().name()).matches()
                                && action.matcher(r.action().action()).matches()
                                && resource.matcher(r.action().resource()).matches()
                                && decidedBy.matcher(r.decidedBy().orElse("")).matches())
                        .filter(r -> text.isEmpty() || words(r).contains(text))
                        .sorted(Comparator.comparing(ApprovalRequest::createdAt)
                                .reversed()
                                .thenComparing(r -> r.id().value()))
                        .toList();
        int pages = Math.max(1, (matching.size() + PAGE_SIZE - 1) / PAGE_SIZE);
        int shown = Math.min(page, pages);
        List<Pages.HistoryRow> rows = matching.stream()
                .skip((long) (shown - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
                .map(r -> new Pages.HistoryRow(
                        r.id().value(),
                        r.action().action(),
                        r.action().resource(),
                        r.agent().name(),
                        r.status().wireName(),
                        r.decidedBy().orElse("—"),
                        r.createdAt().toString(),
                        r.decidedAt().map(Instant::toString).orElse("")))
                .toList();
        String query =
                "days=" + days + "&status=" + encode(status) + "&agent=" + encode(DecisionRoutes.filter(ctx, "agent"))
                        + "&action=" + encode(DecisionRoutes.filter(ctx, "action")) + "&resource="
                        + encode(DecisionRoutes.filter(ctx, "resource"))
                        + "&decidedBy=" + encode(DecisionRoutes.filter(ctx, "decidedBy")) + "&q="
                        + encode(DecisionRoutes.filter(ctx, "q"));
        views.page(
                ctx,
                200,
                "history",
                new Pages.History(
                        DecisionRoutes.viewer(session),
                        rows,
                        matching.size(),
                        shown,
                        pages,
                        days,
                        status,
                        DecisionRoutes.filter(ctx, "agent"),
                        DecisionRoutes.filter(ctx, "action"),
                        DecisionRoutes.filter(ctx, "resource"),
                        DecisionRoutes.filter(ctx, "decidedBy"),
                        DecisionRoutes.filter(ctx, "q"),
                        query));
    }

    /** What free text searches: the request's id, names, reason, parameters, who decided and the votes' comments. */
    private static String words(ApprovalRequest r) {
        return (r.id().value() + " " + r.action().action() + " " + r.action().resource() + " "
                        + r.agent().name() + " "
                        + r.action().reason() + " " + r.action().onBehalfOf().orElse("") + " "
                        + r.action().params() + " " + r.decidedBy().orElse("") + " "
                        + r.votes().stream()
                                .map(vote -> vote.voter() + " " + vote.comment().orElse(""))
                                .collect(Collectors.joining(" ")))
                .toLowerCase(Locale.ROOT);
    }

    private static int number(String text, int fallback, int min, int max) {
        try {
            return text.isEmpty() ? fallback : Math.clamp(Long.parseLong(text), min, max);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }
}
