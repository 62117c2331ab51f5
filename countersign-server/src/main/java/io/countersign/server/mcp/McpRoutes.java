package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.Access;
import io.countersign.server.http.Authentication;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServlet;

/**
 * {@code /mcp}: MCP over Streamable HTTP, for agents only (bearer token, checked by
 * {@link Authentication} like every route). The SDK's servlet does the protocol; this handler only
 * hands it the authenticated agent.
 */
final class McpRoutes {
    static final String PATH = "/mcp";

    private final HttpServlet servlet;

    McpRoutes(HttpServlet servlet) {
        this.servlet = requireNonNull(servlet, "servlet is null");
    }

    void register(RoutesConfig routes) {
        routes.post(PATH, this::handle, Access.AGENT);
        routes.get(PATH, this::handle, Access.AGENT);
        routes.delete(PATH, this::handle, Access.AGENT);
    }

    private void handle(Context ctx) throws Exception {
        ctx.req().setAttribute(McpProtocol.AGENT, Authentication.agent(ctx));
        servlet.service(ctx.req(), ctx.res());
    }
}
