package io.countersign.server.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What /metrics shows about the audit log: checkpoints signed and the size they cover, and per
 * witness the deliveries by outcome and the size it last acknowledged.
 */
public final class AuditMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter checkpointsSigned;
    private final AtomicLong checkpointSize = new AtomicLong();
    private final AtomicLong unauthenticated = new AtomicLong(-1);

    public AuditMetrics() {
        checkpointsSigned = Counter.builder("countersign.audit.checkpoints.signed")
                .description("Checkpoints signed by this process")
                .register(registry);
        Gauge.builder("countersign.audit.checkpoint.size", checkpointSize, AtomicLong::get)
                .description("Tree size of the latest signed checkpoint")
                .register(registry);
        Gauge.builder("countersign.audit.unauthenticated.entry", unauthenticated, AtomicLong::get)
                .description(
                        "The first audit entry no gateway node wrote (its MAC does not verify), which no checkpoint covers; -1: none")
                .register(registry);
    }

    void unauthenticated(long seq) {
        unauthenticated.set(seq);
    }

    void signed(long size) {
        checkpointsSigned.increment();
        checkpointSize.set(size);
    }

    /** The counters of one witness. */
    Witness witness(URI url) {
        return new Witness(url);
    }

    /** Prometheus text; concatenated with the gateway's own (distinct metric names). */
    public String scrape() {
        return registry.scrape();
    }

    final class Witness {
        private final Counter delivered;
        private final Counter failed;
        private final Counter conflicts;
        private final AtomicLong witnessedSize = new AtomicLong();

        private Witness(URI url) {
            String tag = url.toString();
            delivered = deliveries(tag, "delivered");
            failed = deliveries(tag, "failed");
            conflicts = deliveries(tag, "conflict");
            Gauge.builder("countersign.audit.witness.size", witnessedSize, AtomicLong::get)
                    .description("Tree size of the latest checkpoint the witness acknowledged")
                    .tag("witness", tag)
                    .register(registry);
        }

        private Counter deliveries(String tag, String outcome) {
            return Counter.builder("countersign.audit.witness.deliveries")
                    .description("Checkpoints posted to a witness, by outcome")
                    .tag("witness", tag)
                    .tag("outcome", outcome)
                    .register(registry);
        }

        void delivered(long size) {
            delivered.increment();
            witnessedSize.set(size);
        }

        void failed() {
            failed.increment();
        }

        void conflict() {
            conflicts.increment();
        }

        double failures() {
            return failed.count();
        }
    }
}
