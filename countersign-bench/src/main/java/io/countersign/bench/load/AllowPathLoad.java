package io.countersign.bench.load;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.server.Gateway;
import io.countersign.server.config.ServerConfig;
import io.countersign.store.sqlite.SqliteStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Load on the allow path: {@code POST /v1/actions} for an allowed action, from the request to
 * the durable answer with its grant, on loopback. The baseline, measured in the same run on the
 * same server with the same client, is {@code GET /healthz}: HTTP, routing and JSON without a
 * policy decision or a database write.
 *
 * <pre>
 * java -cp countersign-bench/target/benchmarks.jar io.countersign.bench.load.AllowPathLoad [clients=32] [seconds=10]
 * </pre>
 */
public final class AllowPathLoad {

    record Result(String name, long requests, long errors, double seconds, long[] latenciesNanos) {
        double perSecond() {
            return requests / seconds;
        }

        double percentileMillis(double p) {
            if (latenciesNanos.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.min(latenciesNanos.length - 1, Math.ceil(p * latenciesNanos.length) - 1);
            return latenciesNanos[Math.max(0, index)] / 1e6;
        }

        String line() {
            return String.format(
                    "%-26s %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms   errors %d",
                    name, perSecond(), percentileMillis(0.50), percentileMillis(0.99), errors);
        }
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path data = Files.createTempDirectory("countersign-load");
        String key;
        try (SqliteStore store = SqliteStore.open(data)) {
            key = new ApiTokens(store, Clock.systemUTC())
                    .issue(Agent.named("load"))
                    .reveal();
        }
        try (Gateway gateway =
                Gateway.start(ServerConfig.defaults().withDataDirectory(data).withPort(0), Clock.systemUTC())) {
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI actions = URI.create(gateway.baseUrl() + "/v1/actions");
            URI health = URI.create(gateway.baseUrl() + "/healthz");
            String body =
                    "{\"action\":\"db.query\",\"resource\":\"db/prod/customers\",\"params\":{\"statement_kind\":\"select\"},\"reason\":\"load test\"}";
            Supplier<HttpRequest> allow = () -> HttpRequest.newBuilder(actions)
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            Supplier<HttpRequest> baseline =
                    () -> HttpRequest.newBuilder(health).GET().build();

            HttpResponse<String> probe = http.send(allow.get(), HttpResponse.BodyHandlers.ofString());
            if (probe.statusCode() != 200 || !probe.body().contains("\"status\":\"approved\"")) {
                throw new IllegalStateException(
                        "the bundled policy did not allow the load action: " + probe.statusCode() + " " + probe.body());
            }
            System.out.printf(
                    "Countersign allow-path load: %d clients, %d s per phase, %d cores, %s%n",
                    clients, seconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            run(http, "warm-up", allow, clients, Math.max(2, seconds / 3));
            Result base = run(http, "baseline GET /healthz", baseline, clients, seconds);
            Result allowPath = run(http, "allow POST /v1/actions", allow, clients, seconds);
            System.out.println(base.line());
            System.out.println(allowPath.line());
            System.out.printf(
                    "allow path / baseline: throughput %.2fx, p50 %.2fx, p99 %.2fx%n",
                    allowPath.perSecond() / base.perSecond(),
                    allowPath.percentileMillis(0.5) / base.percentileMillis(0.5),
                    allowPath.percentileMillis(0.99) / base.percentileMillis(0.99));
        }
    }

    static Result run(HttpClient http, String name, Supplier<HttpRequest> request, int clients, int seconds)
            throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        AtomicLong errors = new AtomicLong();
        Queue<long[]> finished = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        long started = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                long[] latencies = new long[1 << 14];
                int count = 0;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    try {
                        if (http.send(request.get(), HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                >= 300) {
                            errors.incrementAndGet();
                            continue;
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        continue;
                    }
                    if (count == latencies.length) {
                        latencies = Arrays.copyOf(latencies, count * 2);
                    }
                    latencies[count++] = System.nanoTime() - t0;
                }
                finished.add(Arrays.copyOf(latencies, count));
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        long[] all = finished.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(name, all.length, errors.get(), elapsed, all);
    }
}
