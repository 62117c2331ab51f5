package io.countersign.bench.load;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.proxy.postgres.PostgresProxyConfig;
import io.countersign.server.Gateway;
import io.countersign.server.config.ServerConfig;
import io.countersign.store.sqlite.SqliteStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * pgbench against one embedded PostgreSQL, directly and through the Countersign PostgreSQL proxy
 * (every statement decided and durably recorded before it runs), select-only ({@code -S}) and the
 * default TPC-B-like script (seven statements a transaction: BEGIN, three UPDATEs, a SELECT, an
 * INSERT, END), at 1 and 16 clients, in one run, alternating direct and proxied phases. The
 * upstream user logs in with SCRAM-SHA-256, as in production.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp countersign-bench/target/benchmarks.jar io.countersign.bench.load.PgbenchProxyLoad [seconds=10] [scale=10]
 * </pre>
 */
public final class PgbenchProxyLoad {
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

    private record Phase(String script, String what, int clients, double tps, double p50Millis, double p99Millis) {}

    /** pgbench's built-in scripts: the flag that picks one (none for TPC-B-like) and its name in the report. */
    private record Script(String name, List<String> flags) {}

    private static final List<Script> SCRIPTS =
            List.of(new Script("select-only", List.of("-S")), new Script("tpcb-like", List.of()));

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int scale = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String password = "bench-" + System.nanoTime();
        Path work = Files.createTempDirectory("countersign-pgbench");
        try (EmbeddedPostgres upstream = EmbeddedPostgres.builder()
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "100")
                .start()) {
            try (Connection admin = upstream.getPostgresDatabase().getConnection();
                    Statement sql = admin.createStatement()) {
                sql.execute("CREATE ROLE app LOGIN PASSWORD '" + password + "'");
                sql.execute("CREATE DATABASE app OWNER app");
                ResultSet hba = sql.executeQuery("SHOW hba_file");
                hba.next();
                Files.writeString(
                        Path.of(hba.getString(1)),
                        "host all app 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\nlocal all all trust\n");
                sql.execute("SELECT pg_reload_conf()");
            }
            int upstreamPort = upstream.getPort();
            run(
                    List.of(
                            "pgbench",
                            "-i",
                            "-q",
                            "-s",
                            String.valueOf(scale),
                            "-h",
                            "127.0.0.1",
                            "-p",
                            String.valueOf(upstreamPort),
                            "-U",
                            "app",
                            "app"),
                    password,
                    work.resolve("init.log"));
            Path data = work.resolve("data");
            Path policy = work.resolve("policy.yaml");
            Files.writeString(policy, """
                    default: deny
                    rules:
                      - name: reads-are-free
                        match: {action: "sql.select"}
                        effect: allow
                      - name: pgbench-writes-are-free
                        match: {action: "sql.*", resource: "pg/bench/app/public.pgbench_*"}
                        when: 'params.kind in ["update", "insert"]'
                        effect: allow
                      - name: transactions-are-free
                        match: {action: "sql.transaction"}
                        effect: allow
                    """);
            PostgresProxyConfig proxy = new PostgresProxyConfig(
                    "bench",
                    "127.0.0.1",
                    0,
                    new PostgresProxyConfig.UpstreamSettings(
                            "127.0.0.1",
                            upstreamPort,
                            "app",
                            "app",
                            "BENCH_DB_PASSWORD",
                            PostgresProxyConfig.SslMode.DISABLE),
                    Optional.empty(),
                    PostgresProxyConfig.Unparsed.DENY);
            ServerConfig config = ServerConfig.defaults()
                    .withDataDirectory(data)
                    .withPolicyFile(policy)
                    .withPort(0)
                    .withPostgresProxies(List.of(proxy));
            try (Gateway gateway = Gateway.start(
                    config,
                    Clock.systemUTC(),
                    name -> name.equals("BENCH_DB_PASSWORD") ? Optional.of(password) : Optional.empty())) {
                String key;
                try (SqliteStore store = SqliteStore.open(data)) {
                    key = new ApiTokens(store, Clock.systemUTC())
                            .issue(Agent.named("bench"))
                            .reveal();
                }
                int proxyPort = gateway.postgresProxies().getFirst().port();
                System.out.printf(
                        "pgbench, scale %d, %d s per phase, %d cores, %s%n",
                        scale, seconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
                List<Phase> phases = new ArrayList<>();
                for (Script script : SCRIPTS) {
                    for (int clients : new int[] {1, 16}) {
                        phases.add(pgbench(script, "direct", clients, seconds, upstreamPort, "app", password, work));
                        phases.add(pgbench(script, "proxy", clients, seconds, proxyPort, "bench", key, work));
                    }
                }
                System.out.printf(
                        "%-12s %-8s %7s %10s %9s %9s%n", "script", "path", "clients", "tps", "p50 ms", "p99 ms");
                for (Phase phase : phases) {
                    System.out.printf(
                            "%-12s %-8s %7d %10.1f %9.3f %9.3f%n",
                            phase.script(),
                            phase.what(),
                            phase.clients(),
                            phase.tps(),
                            phase.p50Millis(),
                            phase.p99Millis());
                }
                // The gateway's own floor in the same run: one durable decision of an allowed sql.select through
                // POST /v1/actions, without the proxy (a proxied statement pays for this and its execution record).
                System.out.println(decisionFloor(gateway, key, 1, seconds).line());
                System.out.println(decisionFloor(gateway, key, 16, seconds).line());
                for (int i = 0; i < phases.size(); i += 2) {
                    Phase direct = phases.get(i);
                    Phase proxied = phases.get(i + 1);
                    System.out.printf(
                            "%s, %d client(s): proxy at %.3fx direct throughput, p50 +%.3f ms%n",
                            direct.script(),
                            direct.clients(),
                            proxied.tps() / direct.tps(),
                            proxied.p50Millis() - direct.p50Millis());
                }
            }
        }
    }

    private static Phase pgbench(
            Script script, String what, int clients, int seconds, int port, String user, String password, Path work)
            throws Exception {
        Path logs = Files.createDirectories(work.resolve(script.name() + "-" + what + "-" + clients));
        List<String> command = new ArrayList<>(List.of("pgbench", "-n"));
        command.addAll(script.flags());
        command.addAll(List.of(
                "-c",
                String.valueOf(clients),
                "-j",
                String.valueOf(Math.min(clients, 2)),
                "-T",
                String.valueOf(seconds),
                "-l",
                "--log-prefix=" + logs.resolve("tx"),
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "-U",
                user,
                "app"));
        String output = run(command, password, logs.resolve("pgbench.log"));
        Matcher tps = TPS.matcher(output);
        if (!tps.find()) {
            throw new IllegalStateException("pgbench printed no tps for " + script.name() + " " + what + " at "
                    + clients + " clients:\n" + output);
        }
        List<Long> micros = new ArrayList<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path file : files.filter(path -> path.getFileName().toString().startsWith("tx"))
                    .toList()) {
                for (String line : Files.readAllLines(file)) {
                    String[] fields = line.split(" ");
                    if (fields.length > 2) {
                        micros.add(Long.parseLong(fields[2]));
                    }
                }
            }
        }
        micros.sort(null);
        return new Phase(
                script.name(),
                what,
                clients,
                Double.parseDouble(tps.group(1)),
                percentile(micros, 0.50) / 1000.0,
                percentile(micros, 0.99) / 1000.0);
    }

    private static AllowPathLoad.Result decisionFloor(Gateway gateway, String key, int clients, int seconds)
            throws InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI actions = URI.create(gateway.baseUrl() + "/v1/actions");
        String body = "{\"action\":\"sql.select\",\"resource\":\"pg/bench/app/public.pgbench_accounts\","
                + "\"params\":{\"kind\":\"select\"},\"reason\":\"decision floor\"}";
        Supplier<HttpRequest> allow = () -> HttpRequest.newBuilder(actions)
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return AllowPathLoad.run(http, "POST /v1/actions, " + clients + " client(s)", allow, clients, seconds);
    }

    private static double percentile(List<Long> sorted, double q) {
        return sorted.isEmpty()
                ? Double.NaN
                : sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
    }

    private static String run(List<String> command, String password, Path log)
            throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of("PGPASSWORD", password));
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException(
                    String.join(" ", command) + " failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        return Files.readString(log, StandardCharsets.UTF_8);
    }
}
