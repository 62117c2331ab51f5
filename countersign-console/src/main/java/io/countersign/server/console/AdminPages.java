package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import io.countersign.breaker.TrippedBreaker;
import io.countersign.outbox.Delivery;
import io.countersign.server.http.Access;
import io.countersign.server.identity.AgentAdmin;
import io.countersign.workflow.BreakerReset;
import io.countersign.workflow.KillSwitch;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The admin pages: agents (suspend, resume, revoke), tripped breakers (reset with a comment),
 * failed notifications (retry) and changed MCP tool definitions (accept),
 * what {@code /v1/admin/agents…} and {@code /v1/admin/breakers…} do, for the admin role only
 * (the same route metadata the API's routes carry). Every change goes through the same
 * {@link AgentAdmin} and {@link BreakerReset} as the API, so it is audited under the admin's name.
 */
final class AdminPages {
    private final Console.AdminActions actions;
    private final ConsoleSessions sessions;
    private final Views views;
    private final Clock clock;

    AdminPages(Console.AdminActions actions, ConsoleSessions sessions, Views views, Clock clock) {
        this.actions = requireNonNull(actions, "actions is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.views = requireNonNull(views, "views is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void register(RoutesConfig routes) {
        routes.get("/console/admin", this::page, Access.ADMIN);
        routes.post("/console/admin/agents/{name}/suspend", ctx -> agent(ctx, "suspend"), Access.ADMIN);
        routes.post("/console/admin/agents/{name}/resume", ctx -> agent(ctx, "resume"), Access.ADMIN);
        routes.post("/console/admin/agents/{name}/revoke", ctx -> agent(ctx, "revoke"), Access.ADMIN);
        routes.post("/console/admin/breakers/{agent}/{breaker}/reset", this::reset, Access.ADMIN);
        routes.post("/console/admin/outbox/{id}/retry", this::retry, Access.ADMIN);
        routes.post("/console/admin/mcp/pins/{tool}/accept", this::acceptPin, Access.ADMIN);
    }

    private void page(Context ctx) {
        ConsoleSession session = ConsoleSessions.current(ctx);
        List<Pages.AdminAgent> agents = actions.agents().list().stream()
                .map(agent -> new Pages.AdminAgent(
                        agent.name(),
                        agent.source(),
                        (int) agent.keys().stream()
                                .filter(key -> key.unusableAt(clock.instant()).isEmpty())
                                .count(),
                        agent.keys().stream()
                                .flatMap(key -> key.lastUsedAt().stream())
                                .max(java.util.Comparator.naturalOrder())
                                .map(Object::toString)
                                .orElse(""),
                        agent.suspension()
                                .map(s -> s.reason() + " (" + s.by() + ")")
                                .orElse("")))
                .toList();
        List<Pages.AdminBreaker> breakers = actions.tripped().get().stream()
                .map(trip -> new Pages.AdminBreaker(
                        trip.agent(),
                        trip.breaker(),
                        trip.trippedAt().toString(),
                        trip.count(),
                        trip.window().toString()))
                .toList();
        List<Pages.AdminDelivery> failed = actions.outbox().list(Delivery.Status.FAILED, 100).stream()
                .map(delivery -> new Pages.AdminDelivery(
                        delivery.id(),
                        delivery.event().channel(),
                        delivery.event().type().wireName(),
                        delivery.event().request().orElse(""),
                        delivery.attempts(),
                        delivery.lastError().orElse("")))
                .toList();
        views.page(
                ctx,
                200,
                "admin",
                new Pages.Admin(
                        DecisionRoutes.viewer(session),
                        agents,
                        breakers,
                        failed,
                        actions.pins().changed().stream()
                                .map(change -> new Pages.AdminPin(
                                        change.tool(),
                                        change.pinnedSha256(),
                                        change.presentedSha256(),
                                        change.noticedAt().toString()))
                                .toList(),
                        sessions.takeFlash(session)));
    }

    private void agent(Context ctx, String change) {
        ConsoleSession session = ConsoleSessions.current(ctx);
        String name = ctx.pathParam("name");
        String by = session.caller().principal().auditName();
        String reason = Optional.ofNullable(ctx.formParam("reason"))
                .map(String::strip)
                .filter(r -> !r.isEmpty())
                .orElse(KillSwitch.REASON);
        try {
            String done =
                    switch (change) {
                        case "suspend" -> {
                            KillSwitch.Suspended suspended = actions.agents().suspend(name, by, reason);
                            yield (suspended.newly() ? "Suspended " : "Already suspended: ") + name + "; denied "
                                    + suspended.denied().size() + " pending request(s).";
                        }
                        case "resume" ->
                            actions.agents().resume(name, by) ? "Resumed " + name + "." : name + " was not suspended.";
                        default -> "Revoked " + actions.agents().revoke(name, by) + " key(s) of " + name + ".";
                    };
            sessions.flash(session, done);
        } catch (AgentAdmin.UnknownAgent | IllegalArgumentException e) {
            sessions.flash(session, "Nothing changed: " + e.getMessage());
        }
        ctx.redirect("/console/admin", HttpStatus.SEE_OTHER);
    }

    private void acceptPin(Context ctx) {
        ConsoleSession session = ConsoleSessions.current(ctx);
        String tool = ctx.pathParam("tool");
        try {
            ToolPinChanges.Changed accepted =
                    actions.pins().accept(tool, session.caller().principal().auditName());
            sessions.flash(
                    session,
                    "Accepted the new definition of " + accepted.tool()
                            + ": its calls are no longer held for the change.");
        } catch (java.util.NoSuchElementException | IllegalArgumentException e) {
            sessions.flash(session, "Nothing accepted: " + e.getMessage());
        }
        ctx.redirect("/console/admin", HttpStatus.SEE_OTHER);
    }

    private void retry(Context ctx) {
        ConsoleSession session = ConsoleSessions.current(ctx);
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            id = -1;
        }
        sessions.flash(
                session,
                id >= 0 && actions.outbox().retry(id, clock.instant())
                        ? "Delivery " + id + " is back in the queue."
                        : "No failed delivery " + ctx.pathParam("id") + "; nothing retried.");
        ctx.redirect("/console/admin", HttpStatus.SEE_OTHER);
    }

    private void reset(Context ctx) {
        ConsoleSession session = ConsoleSessions.current(ctx);
        String comment =
                Optional.ofNullable(ctx.formParam("comment")).orElse("").strip();
        if (comment.isEmpty()) {
            sessions.flash(session, "Resetting a breaker needs a comment saying why; nothing was reset.");
        } else {
            try {
                TrippedBreaker reset = actions.breakers()
                        .reset(
                                ctx.pathParam("agent"),
                                ctx.pathParam("breaker"),
                                session.caller().principal().auditName(),
                                comment);
                sessions.flash(session, "Reset breaker " + reset.breaker() + " of " + reset.agent() + ".");
            } catch (io.countersign.workflow.WorkflowException e) {
                sessions.flash(session, "Nothing reset: " + e.getMessage());
            }
        }
        ctx.redirect("/console/admin", HttpStatus.SEE_OTHER);
    }
}
