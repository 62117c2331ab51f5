package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.Authentication;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /mcp}: MCP over Streamable HTTP, for agents only (bearer token, checked by
 * {@link Authentication} like every route). The SDK's servlet does the protocol; this handler only
 * hands it the authenticated agent.
 */
final class McpRoutes {
    static final String PATH = "/mcp";

    private final HttpServlet servlet;
    private final Optional<SessionOwners> sessions;

    /** {@code sessions} when the servlet keeps sessions ({@code mcp.http: sessions}), so that each stays with its agent. */
    McpRoutes(HttpServlet servlet, Optional<SessionOwners> sessions) {
        this.servlet = requireNonNull(servlet, "servlet is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
    }

    void register(RoutesConfig routes) {
        routes.post(PATH, this::handle, Access.AGENT);
        routes.get(PATH, this::handle, Access.AGENT);
        routes.delete(PATH, this::handle, Access.AGENT);
    }

    private void handle(Context ctx) throws Exception {
        Agent agent = Authentication.agent(ctx);
        String session = ctx.header(SessionOwners.HEADER);
        if (session != null && sessions.isPresent() && !sessions.get().mayUse(session, agent.name())) {
            // As for a session that does not exist: a client that lost its session opens a new one.
            throw ApiProblem.notFound("no MCP session " + session + " of agent " + agent.name() + "; initialize a new one");
        }
        ctx.req().setAttribute(McpProtocol.AGENT, agent);
        servlet.service(ctx.req(), ctx.res());
        if (sessions.isPresent()) {
            String opened = ctx.res().getHeader(SessionOwners.HEADER);
            if (session == null && opened != null) {
                sessions.get().mayUse(opened, agent.name());
            }
            if (session != null && "DELETE".equals(ctx.method().name()) && ctx.statusCode() < 300) {
                sessions.get().forget(session);
            }
        }
        if (ctx.req().isAsyncStarted()) {
            // The SDK left an event stream open (a session's GET stream, with mcp.http: sessions):
            // Javalin must wait for the SDK to end it, not end the response itself when this returns.
            ctx.future(() -> streamEnded(ctx.req()));
        }
    }

    private static CompletableFuture<Void> streamEnded(HttpServletRequest request) {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        request.getAsyncContext().addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                ended.complete(null);
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                ended.complete(null);
            }

            @Override
            public void onError(AsyncEvent event) {
                ended.complete(null);
            }

            @Override
            public void onStartAsync(AsyncEvent event) {}
        });
        if (!request.isAsyncStarted()) {
            // Ended before the listener was added.
            ended.complete(null);
        }
        return ended;
    }
}
