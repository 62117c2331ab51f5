package io.countersign.server.breakers;

import static java.util.Objects.requireNonNull;

import io.countersign.breaker.TrippedBreaker;
import io.countersign.server.http.Access;
import io.countersign.server.http.Authentication;
import io.countersign.server.http.WireObject;
import io.countersign.store.GatewayStore;
import io.countersign.workflow.BreakerReset;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The admin API for circuit breakers, open to admins only (humans: an agent can never reset the
 * breaker that holds it): the tripped breakers, and a reset that names who did it and why.
 */
public final class BreakerRoutes {
    private final GatewayStore store;
    private final BreakerReset reset;
    private final JsonMapper mapper;

    public BreakerRoutes(GatewayStore store, BreakerReset reset, JsonMapper mapper) {
        this.store = requireNonNull(store, "store is null");
        this.reset = requireNonNull(reset, "reset is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/admin/breakers", this::list, Access.ADMIN);
        routes.post("/v1/admin/breakers/{agent}/{breaker}/reset", this::reset, Access.ADMIN);
    }

    private void list(Context ctx) {
        ObjectNode body = mapper.createObjectNode();
        ArrayNode items = body.putArray("items");
        store.trippedBreakers().forEach(tripped -> items.add(render(tripped)));
        ctx.json(body);
    }

    private void reset(Context ctx) {
        WireObject body = WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of("comment"), false);
        TrippedBreaker was = reset.reset(
                ctx.pathParam("agent"),
                ctx.pathParam("breaker"),
                Authentication.principal(ctx).auditName(),
                body.requiredString("comment"));
        ObjectNode answer = render(was);
        answer.put("reset", true);
        ctx.json(answer);
    }

    private ObjectNode render(TrippedBreaker tripped) {
        ObjectNode json = mapper.createObjectNode();
        json.put("agent", tripped.agent());
        json.put("breaker", tripped.breaker());
        json.put("trippedAt", tripped.trippedAt().toString());
        json.put("count", tripped.count());
        json.put("window", tripped.window().toString());
        tripped.requestId().ifPresentOrElse(id -> json.put("requestId", id), () -> json.putNull("requestId"));
        return json;
    }
}
