package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.Authentication;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.NoSuchElementException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The admin API for tool pins, open to the admin role only: {@code GET /v1/admin/mcp/pins} lists
 * the tools whose definition changed and waits for an admin; {@code POST
 * /v1/admin/mcp/pins/{tool}/accept} (tool as {@code server__tool}) makes the new definition the pin.
 */
final class PinRoutes {
    private final ToolPinning pins;
    private final JsonMapper mapper;

    PinRoutes(ToolPinning pins, JsonMapper mapper) {
        this.pins = requireNonNull(pins, "pins is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/admin/mcp/pins", this::list, Access.ADMIN);
        routes.post("/v1/admin/mcp/pins/{tool}/accept", this::accept, Access.ADMIN);
    }

    private void list(Context ctx) {
        ObjectNode body = mapper.createObjectNode();
        ArrayNode items = body.putArray("changed");
        pins.changes().forEach(change -> items.add(render(change)));
        ctx.json(body);
    }

    private void accept(Context ctx) {
        String tool = ctx.pathParam("tool");
        ToolPinning.Change accepted;
        try {
            accepted = pins.accept(tool, Authentication.principal(ctx).auditName());
        } catch (NoSuchElementException e) {
            throw ApiProblem.notFound(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
        ObjectNode body = render(accepted);
        body.put("accepted", true);
        ctx.json(body);
    }

    private ObjectNode render(ToolPinning.Change change) {
        ObjectNode item = mapper.createObjectNode();
        item.put("tool", change.name());
        item.put("server", change.server());
        item.put("name", change.tool());
        item.put("pinnedSha256", change.pinned());
        item.put("presentedSha256", change.presented());
        item.put("noticedAt", change.noticedAt().toString());
        return item;
    }
}
