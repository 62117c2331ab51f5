package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Human;
import io.countersign.server.http.Access;
import io.countersign.server.http.WireText;
import io.countersign.server.identity.Caller;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.Vote;
import io.countersign.workflow.Voter;
import io.countersign.workflow.VotingRule;
import io.countersign.workflow.Workflow;
import io.countersign.workflow.WorkflowException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The inbox, the request page and votes. Every vote goes through the workflow, one call per
 * request, which applies the one voting rule and logs it; the console only decides what to show,
 * with the same rule ({@link Workflow#whyNotAllowedToVote}).
 */
final class DecisionRoutes {
    static final String CHANNEL = "console";

    private final Workflow workflow;
    private final ConsoleSessions sessions;
    private final Optional<ProviderSessions> provider;
    private final Views views;
    private final Clock clock;

    DecisionRoutes(
            Workflow workflow,
            ConsoleSessions sessions,
            Optional<ProviderSessions> provider,
            Views views,
            Clock clock) {
        this.workflow = requireNonNull(workflow, "workflow is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.provider = requireNonNull(provider, "provider is null");
        this.views = requireNonNull(views, "views is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void register(RoutesConfig routes) {
        routes.get("/console", ctx -> ctx.redirect("/console/inbox", HttpStatus.SEE_OTHER), Access.HUMAN);
        routes.get("/console/inbox", this::inbox, Access.HUMAN);
        routes.get("/console/inbox/rows", this::rows, Access.HUMAN);
        routes.post("/console/inbox/decide", this::decideMany, Access.HUMAN);
        routes.get("/console/requests/{id}", this::request, Access.HUMAN);
        routes.post("/console/requests/{id}/approve", ctx -> vote(ctx, Vote.Choice.APPROVE), Access.HUMAN);
        routes.post("/console/requests/{id}/deny", ctx -> vote(ctx, Vote.Choice.DENY), Access.HUMAN);
    }

    private void inbox(Context ctx) {
        ConsoleSession session = ConsoleSessions.current(ctx);
        views.page(
                ctx,
                200,
                "inbox",
                new Pages.Inbox(
                        viewer(session),
                        rowsFor(ctx, session),
                        filter(ctx, "action"),
                        filter(ctx, "agent"),
                        filter(ctx, "resource"),
                        InboxOrder.of(filter(ctx, "sort")).wireName(),
                        sessions.takeFlash(session)));
    }

    private void rows(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        ctx.html(views.render("rows", rowsFor(ctx, ConsoleSessions.current(ctx))));
    }

    private List<Pages.Row> rowsFor(Context ctx, ConsoleSession session) {
        Pattern action = glob(filter(ctx, "action"));
        Pattern agent = glob(filter(ctx, "agent"));
        Pattern resource = glob(filter(ctx, "resource"));
        Instant now = clock.instant();
        return workflow.inbox(human(session)).stream()
                .filter(r -> action.matcher(r.action().action()).matches()
                        && agent.matcher(r.agent().name()).matches()
                        && resource.matcher(r.action().resource()).matches())
                .sorted(InboxOrder.of(filter(ctx, "sort")).comparator())
                .map(r -> RequestPages.row(r, now))
                .toList();
    }

    /** Bulk decisions: one comment, one workflow call per request, so each is checked and logged on its own. */
    private void decideMany(Context ctx) {
        Optional<ConsoleSession> confirmed = confirmedBeforeVoting(ctx, ConsoleSessions.current(ctx));
        if (confirmed.isEmpty()) {
            return;
        }
        ConsoleSession session = confirmed.get();
        Vote.Choice choice = "deny".equals(ctx.formParam("decision")) ? Vote.Choice.DENY : Vote.Choice.APPROVE;
        String comment =
                Optional.ofNullable(ctx.formParam("comment")).orElse("").strip();
        List<String> ids = ctx.formParams("id");
        Optional<String> badComment = WireText.problem(comment);
        if (badComment.isPresent()) {
            sessions.flash(
                    session, "The comment is not valid text (it has " + badComment.get() + "); nothing was decided.");
        } else if (ids.isEmpty()) {
            sessions.flash(session, "Select at least one request.");
        } else if (choice == Vote.Choice.DENY && comment.isEmpty()) {
            sessions.flash(session, "Denying needs a comment saying why; nothing was decided.");
        } else {
            int done = 0;
            List<String> refused = new ArrayList<>();
            for (String id : ids) {
                try {
                    cast(session, parse(id), choice, comment);
                    done++;
                } catch (WorkflowException | IllegalArgumentException e) {
                    refused.add(e.getMessage());
                }
            }
            String verb = choice == Vote.Choice.APPROVE ? "Approved" : "Denied";
            sessions.flash(
                    session,
                    verb + " " + done + " of " + ids.size() + " request(s)."
                            + (refused.isEmpty() ? "" : " Refused: " + String.join("; ", refused)));
        }
        ctx.redirect("/console/inbox", HttpStatus.SEE_OTHER);
    }

    private void request(Context ctx) {
        ConsoleSession session = ConsoleSessions.current(ctx);
        Optional<ApprovalRequest> found = find(ctx.pathParam("id"));
        if (found.isEmpty()) {
            error(ctx, session, 404, "No request " + ctx.pathParam("id") + ".");
            return;
        }
        ApprovalRequest request = found.get();
        Voter voter = voter(session);
        Optional<VotingRule.Refusal> approve = workflow.whyNotAllowedToVote(voter, Vote.Choice.APPROVE, request);
        Optional<VotingRule.Refusal> deny = workflow.whyNotAllowedToVote(voter, Vote.Choice.DENY, request);
        views.page(
                ctx,
                200,
                "request",
                RequestPages.page(
                        viewer(session),
                        request,
                        clock.instant(),
                        approve.map(VotingRule.Refusal::reason),
                        approve.map(VotingRule.Refusal::stepUpRequired).orElse(false),
                        deny.isEmpty(),
                        sessions.takeFlash(session)));
    }

    private void vote(Context ctx, Vote.Choice choice) {
        Optional<ConsoleSession> confirmed = confirmedBeforeVoting(ctx, ConsoleSessions.current(ctx));
        if (confirmed.isEmpty()) {
            return;
        }
        ConsoleSession session = confirmed.get();
        String id = ctx.pathParam("id");
        String comment =
                Optional.ofNullable(ctx.formParam("comment")).orElse("").strip();
        Optional<String> badComment = WireText.problem(comment);
        if (badComment.isPresent()) {
            error(
                    ctx,
                    session,
                    400,
                    "The comment is not valid text: it has " + badComment.get() + ". Nothing was recorded.");
            return;
        }
        try {
            ApprovalRequest after = cast(session, parse(id), choice, comment);
            sessions.flash(
                    session,
                    "Your " + choice.wireName() + " was recorded; the request is "
                            + after.status().wireName() + ".");
            ctx.redirect("/console/requests/" + after.id().value(), HttpStatus.SEE_OTHER);
        } catch (IllegalArgumentException e) {
            error(ctx, session, 404, "No request " + id + ".");
        } catch (WorkflowException e) {
            error(ctx, session, status(e), java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
    }

    /**
     * A sign-in at the provider older than a few minutes is confirmed there (a refresh) before it
     * votes, so a person disabled or logged out at the provider stops voting at once; their groups
     * are taken as the provider says now. Empty when the vote must not go ahead (the page says why).
     */
    private Optional<ConsoleSession> confirmedBeforeVoting(Context ctx, ConsoleSession session) {
        if (provider.isEmpty() || !sessions.confirmationDue(session)) {
            return Optional.of(session);
        }
        return switch (provider.get().refresh(session)) {
            case ProviderSessions.Confirmed confirmed -> {
                ConsoleSession updated = session.confirmed(confirmed.caller(), confirmed.signIn());
                sessions.confirmed(ctx, updated);
                yield Optional.of(updated);
            }
            case ProviderSessions.Ended ended -> {
                sessions.end(ctx);
                error(ctx, session, 401, ended.reason());
                yield Optional.empty();
            }
            case ProviderSessions.Unavailable unavailable -> {
                error(ctx, session, 503, unavailable.reason() + "; nothing was decided");
                yield Optional.empty();
            }
        };
    }

    private ApprovalRequest cast(ConsoleSession session, RequestId id, Vote.Choice choice, String comment) {
        Voter voter = voter(session);
        return switch (choice) {
            case APPROVE ->
                workflow.approve(voter, id, comment.isEmpty() ? Optional.empty() : Optional.of(comment), CHANNEL);
            case DENY -> workflow.deny(voter, id, comment, CHANNEL);
        };
    }

    private Optional<ApprovalRequest> find(String id) {
        try {
            return workflow.find(parse(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static RequestId parse(String id) {
        if (id == null || !RequestId.isValid(id)) {
            throw new IllegalArgumentException("'" + id + "' is not a request id");
        }
        return new RequestId(id);
    }

    private void error(Context ctx, ConsoleSession session, int status, String message) {
        views.page(ctx, status, "error", new Pages.Error(viewer(session), status, message));
    }

    private static int status(WorkflowException e) {
        return switch (e) {
            case WorkflowException.NotFound notFound -> 404;
            case WorkflowException.Forbidden forbidden -> 403;
            case WorkflowException.StepUpRequired stepUp -> 403;
            case WorkflowException.Conflict conflict -> 409;
            case WorkflowException.BadInput badInput -> 400;
            case WorkflowException.Unprocessable unprocessable -> 422;
        };
    }

    private static Human human(ConsoleSession session) {
        if (session.caller().principal() instanceof Human human) {
            return human;
        }
        throw new IllegalStateException(
                "console session of a non-human " + session.caller().principal().auditName());
    }

    private static Voter voter(ConsoleSession session) {
        Caller caller = session.caller();
        return new Voter(human(session), caller.signedInAt(), Optional.empty());
    }

    static Pages.Viewer viewer(ConsoleSession session) {
        return new Pages.Viewer(session.caller().principal().name(), session.csrfToken());
    }

    static String filter(Context ctx, String name) {
        return Optional.ofNullable(ctx.queryParam(name)).map(String::strip).orElse("");
    }

    /** Empty matches all; {@code *} is a wildcard; without one, a case-insensitive substring. */
    static Pattern glob(String filter) {
        if (filter.isEmpty()) {
            return Pattern.compile(".*", Pattern.DOTALL);
        }
        String quoted = Pattern.quote(filter).replace("*", "\\E.*\\Q");
        return Pattern.compile(
                filter.contains("*") ? quoted : ".*" + quoted + ".*", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }
}
