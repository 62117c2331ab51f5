package io.countersign.server;

import static io.countersign.server.Http.json;

import io.countersign.server.channels.Backoff;
import io.countersign.server.config.NotificationsConfig;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.server.webhooks.WebhookConfig;
import io.countersign.server.webhooks.WebhookSecret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * What notifying adds to an agent's request, side by side in one run: the same pending
 * {@code POST /v1/actions} against a gateway without channels and one with three webhooks whose
 * receiver takes 500 ms to answer (delivery is asynchronous, so only the outbox rows written in the
 * request's transaction should show). Not part of the test run; by hand:
 *
 * <pre>./mvnw -o -pl countersign-server test -Dtest=NotifyOverheadBench -Dcountersign.bench=true</pre>
 */
@EnabledIfSystemProperty(named = "countersign.bench", matches = "true")
final class NotifyOverheadBench {
    private static final int WARMUP = 300;
    private static final int CALLS = 2000;

    @Test
    void pendingRequest_withAndWithoutChannels(@TempDir Path directory) throws Exception {
        try (FakeWebhookReceiver receiver = new FakeWebhookReceiver()) {
            receiver.delay(500);
            WebhookSecret secret = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
            List<WebhookConfig> webhooks = List.of("a", "b", "c").stream()
                    .map(name -> new WebhookConfig(name, receiver.url(), secret, WebhookConfig.DEFAULT_EVENTS))
                    .toList();
            UnaryOperator<io.countersign.server.config.ServerConfig> withWebhooks = config ->
                    config.withNotifications(new NotificationsConfig(Backoff.DEFAULT, Duration.ofSeconds(1), webhooks));
            try (TestGateway plain = new TestGateway(
                            Files.createDirectory(directory.resolve("plain")),
                            IdentityConfig.localOnly(),
                            "/e2e-policy.yaml");
                    TestGateway notifying = new TestGateway(
                            Files.createDirectory(directory.resolve("notifying")),
                            IdentityConfig.localOnly(),
                            "/e2e-policy.yaml",
                            withWebhooks)) {
                String plainAgent = plain.agent("bench");
                String notifyingAgent = notifying.agent("bench");
                String body = json(
                        "action",
                        "db.export",
                        "resource",
                        "db/prod/customers",
                        "params",
                        java.util.Map.of("rows", 10),
                        "reason",
                        "bench");
                for (int i = 0; i < WARMUP; i++) {
                    plain.http.post("/v1/actions", plainAgent, body);
                    notifying.http.post("/v1/actions", notifyingAgent, body);
                }
                long[] without = new long[CALLS];
                long[] with = new long[CALLS];
                for (int i = 0; i < CALLS; i++) { // interleaved: both see the same machine load
                    long start = System.nanoTime();
                    plain.http.post("/v1/actions", plainAgent, body);
                    without[i] = System.nanoTime() - start;
                    start = System.nanoTime();
                    notifying.http.post("/v1/actions", notifyingAgent, body);
                    with[i] = System.nanoTime() - start;
                }
                System.out.printf("pending POST /v1/actions, %d calls each:%n", CALLS);
                System.out.printf(
                        "  no channels          p50 %.2f ms  p99 %.2f ms%n",
                        percentile(without, 50), percentile(without, 99));
                System.out.printf(
                        "  3 webhooks (500 ms)  p50 %.2f ms  p99 %.2f ms%n",
                        percentile(with, 50), percentile(with, 99));
                System.out.printf(
                        "  added                p50 %.2f ms  p99 %.2f ms (ratio p50 %.2fx)%n",
                        percentile(with, 50) - percentile(without, 50),
                        percentile(with, 99) - percentile(without, 99),
                        percentile(with, 50) / percentile(without, 50));
            }
        }
    }

    private static double percentile(long[] nanos, int percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1e6;
    }
}
