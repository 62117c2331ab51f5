package io.countersign.server.channels;

import static java.util.Objects.requireNonNull;

import io.countersign.outbox.Delivery;
import io.countersign.outbox.Outbox;
import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The admin view of the outbox: what is waiting or failed, and a retry for failed deliveries. */
public final class OutboxRoutes {
    private static final int MAX_LIMIT = 500;

    private final Outbox outbox;
    private final OutboxWorker worker;
    private final JsonMapper mapper;
    private final Clock clock;

    public OutboxRoutes(Outbox outbox, OutboxWorker worker, JsonMapper mapper, Clock clock) {
        this.outbox = requireNonNull(outbox, "outbox is null");
        this.worker = requireNonNull(worker, "worker is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/admin/outbox", this::list, Access.ADMIN);
        routes.post("/v1/admin/outbox/{id}/retry", this::retry, Access.ADMIN);
    }

    private void list(Context ctx) {
        Delivery.Status status = status(ctx.queryParam("status"));
        int limit = limit(ctx.queryParam("limit"));
        ObjectNode body = mapper.createObjectNode();
        ObjectNode counts = body.putObject("counts");
        for (Map.Entry<Delivery.Status, Long> count : outbox.counts().entrySet()) {
            counts.put(count.getKey().wireName(), count.getValue());
        }
        ArrayNode items = body.putArray("items");
        outbox.list(status, limit).forEach(delivery -> items.add(render(delivery)));
        ctx.json(body);
    }

    private void retry(Context ctx) {
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("'" + ctx.pathParam("id") + "' is not a delivery id");
        }
        if (!outbox.retry(id, clock.instant())) {
            throw ApiProblem.notFound("no failed delivery " + id + " (only failed deliveries can be retried)");
        }
        worker.wake();
        ctx.json(mapper.createObjectNode().put("id", id).put("status", Delivery.Status.PENDING.wireName()));
    }

    private ObjectNode render(Delivery delivery) {
        ObjectNode item = mapper.createObjectNode();
        item.put("id", delivery.id());
        item.put("channel", delivery.event().channel());
        item.put("type", delivery.event().type().wireName());
        delivery.event()
                .request()
                .ifPresentOrElse(request -> item.put("request", request), () -> item.putNull("request"));
        item.put("createdAt", delivery.event().at().toString());
        item.put("status", delivery.status().wireName());
        item.put("attempts", delivery.attempts());
        item.put("nextAttemptAt", delivery.nextAttemptAt().toString());
        delivery.lastError().ifPresent(error -> item.put("lastError", error));
        delivery.deliveredAt().ifPresent(at -> item.put("deliveredAt", at.toString()));
        return item;
    }

    private static Delivery.Status status(@Nullable String text) {
        if (text == null) {
            return Delivery.Status.FAILED;
        }
        try {
            return Delivery.Status.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("'status' must be pending, delivered or failed, not '" + text + "'");
        }
    }

    private static int limit(@Nullable String text) {
        if (text == null) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // falls through to the problem below
        }
        throw ApiProblem.badRequest("'limit' must be a number from 1 to " + MAX_LIMIT + ", not '" + text + "'");
    }
}
