package io.countersign.server;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.Access;
import io.countersign.server.metrics.GatewayMetrics;
import io.javalin.config.RoutesConfig;
import java.util.function.Supplier;

/** Health, metrics and the OpenAPI document: open to anyone, as DESIGN.md says. The audit log's routes are in {@code server.audit}. */
final class SystemRoutes {
    private final GatewayMetrics metrics;
    private final Supplier<String> moreMetrics;
    private final byte[] openApi;

    /**
     * {@code moreMetrics}: Prometheus text of other registries (the audit log's), appended to the gateway's;
     * {@code openApi}: the OpenAPI document as JSON.
     */
    SystemRoutes(GatewayMetrics metrics, Supplier<String> moreMetrics, byte[] openApi) {
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.moreMetrics = requireNonNull(moreMetrics, "moreMetrics is null");
        this.openApi = requireNonNull(openApi, "openApi is null").clone();
    }

    void register(RoutesConfig routes) {
        routes.get("/healthz", ctx -> ctx.json(java.util.Map.of("status", "ok")), Access.ANYONE);
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape() + moreMetrics.get()),
                Access.ANYONE);
        routes.get("/v1/openapi.json", ctx -> ctx.contentType("application/json").result(openApi), Access.ANYONE);
    }
}
