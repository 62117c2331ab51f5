package io.countersign.server;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.metrics.GatewayMetrics;
import io.countersign.store.sqlite.SqliteStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.util.List;

/** Health, metrics and the public audit entries: open to anyone, as DESIGN.md says. */
final class SystemRoutes {
    /** One page of entries at most; a client pages with start/end. */
    static final long MAX_ENTRIES_PER_CALL = 10_000;

    private final SqliteStore store;
    private final GatewayMetrics metrics;

    SystemRoutes(SqliteStore store, GatewayMetrics metrics) {
        this.store = requireNonNull(store, "store is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    void register(RoutesConfig routes) {
        routes.get("/healthz", ctx -> ctx.json(java.util.Map.of("status", "ok")), Access.ANYONE);
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()), Access.ANYONE);
        routes.get("/v1/audit/entries", this::entries, Access.ANYONE);
    }

    private void entries(Context ctx) {
        long size = store.auditSize();
        long start = longParam(ctx, "start", 0);
        long end = longParam(ctx, "end", Math.min(size, start + MAX_ENTRIES_PER_CALL));
        if (start < 0 || end < start) {
            throw ApiProblem.badRequest("want 0 <= start <= end, got start=" + start + " end=" + end);
        }
        if (end > size) {
            throw ApiProblem.badRequest("end=" + end + " is past the log's size " + size);
        }
        if (end - start > MAX_ENTRIES_PER_CALL) {
            throw ApiProblem.badRequest("at most " + MAX_ENTRIES_PER_CALL + " entries per call, asked for " + (end - start));
        }
        List<byte[]> leaves = store.auditLeaves(start, end);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] leaf : leaves) {
            body.writeBytes(leaf);
            body.write('\n');
        }
        ctx.header("X-Audit-Size", Long.toString(size));
        ctx.contentType("application/x-ndjson").result(body.toByteArray());
    }

    private static long longParam(Context ctx, String name, long fallback) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest(name + " must be a whole number, got '" + raw + "'");
        }
    }
}
