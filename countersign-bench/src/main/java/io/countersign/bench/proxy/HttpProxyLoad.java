package io.countersign.bench.proxy;

import com.sun.net.httpserver.HttpServer;
import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.server.Gateway;
import io.countersign.server.config.ConfigFile;
import io.countersign.store.sqlite.SqliteStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wrk against a local upstream (the JDK's HTTP server answering a small JSON document) directly
 * and through the HTTP API proxy ({@code /proxy/up/...}: every GET decided by the policy, recorded
 * in the audit log before it goes upstream, with the upstream's credential injected), at 1 and at
 * 32 connections, alternating direct and proxied phases in one run. Reports p50 and p99 latency,
 * requests per second, and the proxied figures against the direct ones of the same run.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp countersign-bench/target/benchmarks.jar io.countersign.bench.proxy.HttpProxyLoad [seconds=10]
 * </pre>
 *
 * Needs {@code wrk} (Debian's package {@code wrk}).
 */
public final class HttpProxyLoad {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P50 = Pattern.compile("\\s50%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    record Phase(String what, int connections, double rps, double p50Millis, double p99Millis) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        byte[] document =
                "{\"id\": 7, \"state\": \"open\", \"title\": \"a small answer\"}".getBytes(StandardCharsets.UTF_8);
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, document.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(document);
            }
        });
        upstream.start();
        Path work = Files.createTempDirectory("countersign-http-proxy-bench");
        Files.writeString(work.resolve("policy.yaml"), """
                default: deny
                rules:
                  - name: reads
                    match: {action: "http.up.get", resource: "up/repos/**"}
                    effect: allow
                """);
        Path config = Files.writeString(work.resolve("countersign.yaml"), """
                server: {port: 0}
                data: ./data
                policy: ./policy.yaml
                proxies:
                  http:
                    - name: up
                      upstream: http://127.0.0.1:%d
                      credentials: {header: Authorization, prefix: "Bearer ", valueEnv: UP_TOKEN}
                """.formatted(
                        upstream.getAddress().getPort()));
        try (Gateway gateway = Gateway.start(
                ConfigFile.load(config),
                Clock.systemUTC(),
                name -> name.equals("UP_TOKEN") ? Optional.of("bench-upstream-secret") : Optional.empty())) {
            String key;
            try (SqliteStore store = SqliteStore.open(work.resolve("data"))) {
                key = new ApiTokens(store, Clock.systemUTC())
                        .issue(Agent.named("bench"))
                        .reveal();
            }
            String direct = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/repos/acme/api/pulls/7";
            String proxied = gateway.baseUrl() + "/proxy/up/repos/acme/api/pulls/7";
            // Warm both paths (JIT, connection pools) before anything is measured.
            wrk(direct, key, 8, 3, work);
            wrk(proxied, key, 8, 3, work);
            List<Phase> phases = new ArrayList<>();
            for (int connections : List.of(1, 32)) {
                phases.add(phase("direct", wrk(direct, key, connections, seconds, work), connections));
                phases.add(phase("proxied", wrk(proxied, key, connections, seconds, work), connections));
            }
            report(phases, seconds);
        } finally {
            upstream.stop(0);
        }
    }

    private static void report(List<Phase> phases, int seconds) {
        System.out.printf(Locale.ROOT, "HTTP API proxy vs direct, wrk -t2, %d s a phase, one run%n", seconds);
        System.out.printf(Locale.ROOT, "%-8s %5s %12s %9s %9s%n", "path", "conns", "req/s", "p50 ms", "p99 ms");
        for (Phase p : phases) {
            System.out.printf(
                    Locale.ROOT,
                    "%-8s %5d %12.0f %9.3f %9.3f%n",
                    p.what(),
                    p.connections(),
                    p.rps(),
                    p.p50Millis(),
                    p.p99Millis());
        }
        for (int i = 0; i + 1 < phases.size(); i += 2) {
            Phase direct = phases.get(i);
            Phase proxied = phases.get(i + 1);
            System.out.printf(
                    Locale.ROOT,
                    "%d connection(s): p50 added %.3f ms (target <= 1 ms at 1 connection), throughput %.2fx direct"
                            + " (target >= 0.5x at 32)%n",
                    direct.connections(),
                    proxied.p50Millis() - direct.p50Millis(),
                    proxied.rps() / direct.rps());
        }
    }

    private static Phase phase(String what, String output, int connections) {
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) {
            throw new IllegalStateException(what + ": " + non2xx.group(1) + " answers were not 2xx:\n" + output);
        }
        return new Phase(what, connections, number(RPS, output), millis(P50, output), millis(P99, output));
    }

    private static String wrk(String url, String key, int connections, int seconds, Path work)
            throws IOException, InterruptedException {
        Path log = work.resolve("wrk.log");
        Process wrk = new ProcessBuilder(
                        "wrk",
                        "-t",
                        String.valueOf(Math.min(2, connections)),
                        "-c",
                        String.valueOf(connections),
                        "-d",
                        seconds + "s",
                        "--latency",
                        "-H",
                        "Authorization: Bearer " + key,
                        "-H",
                        "Accept: application/json",
                        url)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!wrk.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
            wrk.destroyForcibly();
            throw new IllegalStateException("wrk did not finish");
        }
        String output = Files.readString(log);
        if (wrk.exitValue() != 0) {
            throw new IllegalStateException("wrk failed:\n" + output);
        }
        return output;
    }

    private static double number(Pattern pattern, String output) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + pattern + " in wrk's output:\n" + output);
        }
        return Double.parseDouble(matcher.group(1));
    }

    private static double millis(Pattern pattern, String output) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + pattern + " in wrk's output:\n" + output);
        }
        double value = Double.parseDouble(matcher.group(1));
        return switch (matcher.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }
}
