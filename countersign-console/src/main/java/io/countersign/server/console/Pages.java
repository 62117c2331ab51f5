package io.countersign.server.console;

import io.countersign.breaker.TrippedBreaker;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What the console's templates show: plain, already-formatted values, no domain objects. */
public final class Pages {
    private Pages() {}

    /** Who is signed in, for the header and every form's CSRF field. */
    public record Viewer(String name, String csrf) {}

    public record SignIn(
            String next,
            @Nullable String issuer,
            boolean localTokens,
            String formToken,
            @Nullable String error) {}

    /** {@code created} is an ISO-8601 instant; the page shows it in the viewer's time zone, UTC on hover. */
    public record Row(
            String id,
            String action,
            String resource,
            String agent,
            String onBehalfOf,
            String reason,
            String created,
            String timeLeft) {}

    public record Inbox(
            Viewer viewer, List<Row> rows, String action, String agent, String resource, String sort, String notice) {}

    /** One key of the params tree: a scalar {@code value}, or {@code children} for objects and arrays. */
    public record Param(
            String key, @Nullable String value, @Nullable List<Param> children) {}

    /** {@code time}: an ISO-8601 instant, shown in the viewer's time zone by console.js (UTC on hover). */
    public record VoteLine(String voter, String choice, String comment, String time, String channel) {}

    /** {@code created}: an ISO-8601 instant, shown in the viewer's time zone by console.js. */
    public record Request(
            Viewer viewer,
            String id,
            String created,
            String status,
            String agent,
            String onBehalfOf,
            String delegation,
            String action,
            String resource,
            String reason,
            List<Param> params,
            @Nullable String sql,
            String rules,
            String policyVersion,
            String groups,
            List<VoteLine> votes,
            @Nullable String timeLeft,
            @Nullable String refusal,
            boolean stepUp,
            boolean canDeny,
            @Nullable String decided,
            @Nullable String execution,
            String notice,
            @Nullable PolicyChangeReview review) {}

    /**
     * What a policy change's approvers judge it by, from the params the gateway wrote: the replay's
     * impact, the adopted suggestion's evidence (empty when none) and the line diff.
     */
    public record PolicyChangeReview(
            String impact, List<String> humanDeniedNowAllowed, String evidence, String lineDiff) {}

    /** One decided request in the history; {@code created} and {@code decided} are ISO-8601 instants (decided may be empty). */
    public record HistoryRow(
            String id,
            String action,
            String resource,
            String agent,
            String status,
            String decidedBy,
            String created,
            String decided) {}

    /** {@code query} repeats the filters for the paging links, already URL-encoded. */
    public record History(
            Viewer viewer,
            List<HistoryRow> rows,
            int total,
            int page,
            int pages,
            int days,
            String status,
            String agent,
            String action,
            String resource,
            String decidedBy,
            String q,
            String query) {}

    public record AdminAgent(String name, String source, int liveKeys, String lastUsed, String suspended) {}

    public record AdminBreaker(String agent, String breaker, String trippedAt, int count, String window) {}

    public record AdminDelivery(long id, String channel, String type, String request, int attempts, String lastError) {}

    public record Admin(
            Viewer viewer,
            List<AdminAgent> agents,
            List<AdminBreaker> breakers,
            List<AdminDelivery> failed,
            List<AdminPin> pins,
            String notice) {}

    /** A changed MCP tool definition waiting for an admin; {@code noticedAt} is an ISO-8601 instant. */
    public record AdminPin(String tool, String pinnedSha256, String presentedSha256, String noticedAt) {}

    public record Error(@Nullable Viewer viewer, int status, String message) {}

    public record AuditLine(long seq, String time, String type, String actor, String request, String data) {}

    /** The latest checkpoint as the server's verifier saw it: {@code verified} false names the problem in {@code verdict}. */
    public record Checkpoint(
            long size, String root, String origin, String key, boolean verified, String verdict, String note) {}

    public record Audit(
            Viewer viewer,
            long size,
            @Nullable Checkpoint checkpoint,
            List<AuditLine> entries,
            String type,
            String actor,
            String request,
            long before,
            long older,
            long newer) {}

    public record Simulation(String effect, String rules, String reason) {}

    public record Policy(
            Viewer viewer,
            String file,
            String version,
            String source,
            List<AuditLine> history,
            List<TrippedBreaker> tripped,
            String action,
            String resource,
            String agent,
            String params,
            String onBehalfOf,
            @Nullable Simulation result,
            @Nullable String error,
            List<String> expiring) {}

    /** A suggested rule with what a reviewer judges it by; {@code item} is what dismissing names. */
    public record InsightSuggestion(
            String item,
            String effect,
            String summary,
            String evidence,
            boolean rubberStamp,
            List<String> resources,
            List<String> comments,
            List<String> examples,
            String note,
            String rule) {}

    public record InsightFinding(
            String item, String kind, String subject, String summary, String suggestion, int replayChanges) {}

    /** A dismissed or snoozed item; {@code until} is empty for good, else an ISO-8601 instant. */
    public record SetAside(String item, String reason, String by, String at, String until) {}

    /** {@code admin}: whether the viewer may set items aside (auditors only read). */
    public record Insights(
            Viewer viewer,
            boolean admin,
            String since,
            int min,
            String from,
            String to,
            int decided,
            List<InsightSuggestion> suggestions,
            List<InsightFinding> findings,
            List<SetAside> setAside,
            String notice) {}
}
