package io.countersign.server;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.ProblemRenderer;
import io.countersign.server.metrics.GatewayMetrics;
import io.javalin.config.RoutesConfig;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Health, metrics and the OpenAPI document: open to anyone, as DESIGN.md says. The audit log's
 * routes are in {@code server.audit}.
 *
 * <p>{@code /healthz} is liveness (the process answers; restart it if not) and never touches the
 * database. {@code /readyz} is readiness (send it traffic): 503 while the node can't reach its
 * store, so a load balancer or Kubernetes takes it out of rotation rather than restarting it.
 */
final class SystemRoutes {
    private final GatewayMetrics metrics;
    private final Supplier<String> moreMetrics;
    private final BooleanSupplier storeReachable;
    private final byte[] openApi;

    /**
     * {@code moreMetrics}: Prometheus text of other registries (the audit log's), appended to the gateway's;
     * {@code openApi}: the OpenAPI document as JSON.
     */
    SystemRoutes(GatewayMetrics metrics, Supplier<String> moreMetrics, BooleanSupplier storeReachable, byte[] openApi) {
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.moreMetrics = requireNonNull(moreMetrics, "moreMetrics is null");
        this.storeReachable = requireNonNull(storeReachable, "storeReachable is null");
        this.openApi = requireNonNull(openApi, "openApi is null").clone();
    }

    void register(RoutesConfig routes) {
        routes.get("/healthz", ctx -> ctx.json(java.util.Map.of("status", "ok")), Access.ANYONE);
        routes.get(
                "/readyz",
                ctx -> {
                    if (storeReachable.getAsBoolean()) {
                        ctx.json(java.util.Map.of("status", "ready"));
                    } else {
                        ctx.header("Retry-After", Integer.toString(ProblemRenderer.RETRY_AFTER_SECONDS));
                        throw new ApiProblem(503, "unavailable", "Not ready", "the gateway can't reach its database");
                    }
                },
                Access.ANYONE);
        routes.get(
                "/metrics",
                ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(metrics.scrape() + moreMetrics.get()),
                Access.ANYONE);
        routes.get(
                "/v1/openapi.json", ctx -> ctx.contentType("application/json").result(openApi), Access.ANYONE);
    }
}
