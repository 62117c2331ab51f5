package io.countersign.server.metrics;

import io.countersign.policy.Effect;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What /metrics shows: decisions by effect, the pending count, tripped breakers, and how long a
 * decision takes (durable write included). The counts read from the database come through
 * {@link StoreReading}, so a scrape never waits on a database that is away.
 */
public final class GatewayMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // One field per effect and an exhaustive switch, not a map: a new effect can't go uncounted.
    private final Counter allowed;
    private final Counter held;
    private final Counter denied;
    private final Timer decisionLatency;

    public GatewayMetrics(Supplier<Number> pendingCount) {
        allowed = decisionCounter(Effect.ALLOW);
        held = decisionCounter(Effect.REQUIRE_APPROVAL);
        denied = decisionCounter(Effect.DENY);
        decisionLatency = Timer.builder("countersign.decision.latency")
                .description("From a POST /v1/actions to its durable decision")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        StoreReading<Number> pending = new StoreReading<>("pending", pendingCount);
        Gauge.builder("countersign.requests.pending", pending, StoreReading::number)
                .strongReference(true)
                .description("Requests waiting for a human decision")
                .register(registry);
    }

    /** Shows {@code countersign_breakers_tripped}: circuit breakers tripped and not yet reset, read at each scrape. */
    public void trippedBreakers(Supplier<Number> count) {
        StoreReading<Number> tripped = new StoreReading<>("breakers", count);
        Gauge.builder("countersign.breakers.tripped", tripped, StoreReading::number)
                .strongReference(true)
                .description("Circuit breakers tripped for an agent and waiting for a human to reset them")
                .register(registry);
    }

    public void decided(Effect effect, long nanos) {
        Counter decisions =
                switch (effect) {
                    case ALLOW -> allowed;
                    case REQUIRE_APPROVAL -> held;
                    case DENY -> denied;
                };
        decisions.increment();
        decisionLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    private Counter decisionCounter(Effect effect) {
        return Counter.builder("countersign.decisions")
                .description("Actions decided, by the policy's effect")
                .tag("effect", effect.wireName())
                .register(registry);
    }

    /** For the parts that add meters of their own (the outbox). */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }
}
