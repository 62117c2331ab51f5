package io.countersign.bench.load;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.server.Gateway;
import io.countersign.server.config.DatabaseConfig;
import io.countersign.server.config.ServerConfig;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.sqlite.SqliteStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The allow path ({@code POST /v1/actions}, an allowed action, durable before the answer) with
 * the same client as {@link AllowPathLoad}, in one run: one gateway on SQLite; one, then two
 * gateway nodes on one PostgreSQL (the clients alternating between the nodes); and the same two
 * again through a {@link DelayingProxy} that adds 1 ms each way between the nodes and the
 * database, a 2 ms round trip as across a network. Without a URL, an embedded PostgreSQL (fsync
 * and synchronous_commit on) on 127.0.0.1.
 *
 * <p>Each PostgreSQL phase also reports the database's commits ({@code xact_commit}) and WAL
 * flushes ({@code wal_sync}) per request, counted from before its nodes start to after they
 * stopped, over the warm-up and the measured requests: node start and stop, the signer's
 * heartbeat, pooled reads (every autocommit read is a commit too) and PostgreSQL's own background
 * work inflate them a little.
 *
 * <pre>
 * java -cp countersign-bench/target/benchmarks.jar io.countersign.bench.load.ScaleOutLoad [clients=32] [seconds=10] [jdbc:postgresql://...]
 * </pre>
 */
public final class ScaleOutLoad {
    private static final String BODY =
            "{\"action\":\"db.query\",\"resource\":\"db/prod/customers\",\"params\":{\"statement_kind\":\"select\"},"
                    + "\"reason\":\"load test\"}";
    private static final long PROXY_DELAY_MICROS = 1_000;

    /** A phase's load and what the database counted meanwhile, per request. */
    private record Phase(AllowPathLoad.Result load, double commitsPerRequest, double walFlushesPerRequest) {
        String line() {
            return Double.isNaN(commitsPerRequest)
                    ? load.line()
                    : String.format(
                            "%s   commits/req %.2f   WAL flushes/req %.2f",
                            load.line(), commitsPerRequest, walFlushesPerRequest);
        }

        double perSecond() {
            return load.perSecond();
        }
    }

    /** The database's counters of commits and WAL flushes. */
    private record Counters(long commits, long walFlushes) {}

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final int clients;
    private final int seconds;

    private ScaleOutLoad(int clients, int seconds) {
        this.clients = clients;
        this.seconds = seconds;
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        System.out.printf(
                "Countersign allow-path load, SQLite vs PostgreSQL: %d clients, %d s per phase, %d cores, %s%n",
                clients, seconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        EmbeddedPostgres embedded = null;
        String url;
        if (args.length > 2) {
            url = args[2];
        } else {
            embedded = EmbeddedPostgres.builder()
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .start();
            try (Connection connection = embedded.getPostgresDatabase().getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE countersign_load");
            }
            url = embedded.getJdbcUrl("postgres", "countersign_load").replace("localhost", "127.0.0.1");
        }
        try {
            new ScaleOutLoad(clients, seconds).run(url);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private void run(String url) throws Exception {
        Phase sqlite = sqlite();
        String postgresKey;
        try (PostgresStore store = PostgresStore.open(PostgresSettings.of(url))) {
            postgresKey = new ApiTokens(store, Clock.systemUTC())
                    .issue(Agent.named("load"))
                    .reveal();
        }
        Path sharedKeys = Files.createTempDirectory("countersign-load-postgres");
        Phase one = postgres("PostgreSQL, 1 node", url, url, sharedKeys, postgresKey, 1);
        Phase two = postgres("PostgreSQL, 2 nodes", url, url, sharedKeys, postgresKey, 2);
        Phase oneDelayed;
        Phase twoDelayed;
        URI database = URI.create(url.substring("jdbc:".length()));
        try (DelayingProxy proxy = new DelayingProxy(
                new InetSocketAddress(database.getHost(), database.getPort() < 0 ? 5432 : database.getPort()),
                PROXY_DELAY_MICROS)) {
            String proxied = "jdbc:postgresql://127.0.0.1:" + proxy.port() + database.getRawPath()
                    + (database.getRawQuery() == null ? "" : "?" + database.getRawQuery());
            System.out.printf(
                    "round trip of SELECT 1: direct p50 %.2f ms, through the proxy p50 %.2f ms%n",
                    roundTripMillis(url), roundTripMillis(proxied));
            oneDelayed = postgres("PG +2 ms RTT, 1 node", url, proxied, sharedKeys, postgresKey, 1);
            twoDelayed = postgres("PG +2 ms RTT, 2 nodes", url, proxied, sharedKeys, postgresKey, 2);
        }
        for (Phase phase : List.of(sqlite, one, two, oneDelayed, twoDelayed)) {
            System.out.println(phase.line());
        }
        target("PostgreSQL 1 node / SQLite 1 node", one, sqlite, 0.5);
        target("PostgreSQL 2 nodes / 1 node", two, one, 1.0);
        target("PostgreSQL +2 ms RTT, 2 nodes / 1 node", twoDelayed, oneDelayed, 1.6);
    }

    private static void target(String name, Phase measured, Phase baseline, double target) {
        double ratio = measured.perSecond() / baseline.perSecond();
        System.out.printf(
                "%-40s throughput %.2fx (target %.1fx: %s), p50 %.2fx, p99 %.2fx%n",
                name,
                ratio,
                target,
                ratio >= target ? "met" : "missed",
                measured.load().percentileMillis(0.5) / baseline.load().percentileMillis(0.5),
                measured.load().percentileMillis(0.99) / baseline.load().percentileMillis(0.99));
    }

    private Phase sqlite() throws Exception {
        Path data = Files.createTempDirectory("countersign-load-sqlite");
        String key;
        try (SqliteStore store = SqliteStore.open(data)) {
            key = new ApiTokens(store, Clock.systemUTC())
                    .issue(Agent.named("load"))
                    .reveal();
        }
        try (Gateway node =
                Gateway.start(ServerConfig.defaults().withDataDirectory(data).withPort(0), Clock.systemUTC())) {
            Supplier<HttpRequest> requests = roundRobin(List.of(allow(node, key)));
            AllowPathLoad.run(http, "warm-up", requests, clients, Math.max(2, seconds / 3));
            return new Phase(AllowPathLoad.run(http, "SQLite, 1 node", requests, clients, seconds), Double.NaN, 0);
        }
    }

    /**
     * Starts {@code nodes} gateways on the database at {@code nodeUrl}, loads them, stops them,
     * and counts on {@code statsUrl} (the database itself, not through the proxy).
     */
    private Phase postgres(String name, String statsUrl, String nodeUrl, Path keys, String key, int nodes)
            throws Exception {
        ServerConfig config = ServerConfig.defaults()
                .withDataDirectory(keys)
                .withPort(0)
                .withDatabase(DatabaseConfig.postgres(PostgresSettings.of(nodeUrl)));
        Counters before = counters(statsUrl);
        List<Gateway> gateways = new ArrayList<>();
        long requests;
        AllowPathLoad.Result load;
        try {
            for (int i = 0; i < nodes; i++) {
                gateways.add(Gateway.start(config, Clock.systemUTC()));
            }
            Supplier<HttpRequest> targets =
                    roundRobin(gateways.stream().map(node -> allow(node, key)).toList());
            AllowPathLoad.Result warmUp =
                    AllowPathLoad.run(http, "warm-up", targets, clients, Math.max(2, seconds / 3));
            load = AllowPathLoad.run(http, name, targets, clients, seconds);
            requests = warmUp.requests() + warmUp.errors() + load.requests() + load.errors();
        } finally {
            for (Gateway gateway : gateways) {
                gateway.close();
            }
        }
        Counters after = countersOnceIdle(statsUrl);
        return new Phase(
                load,
                (after.commits() - before.commits()) / (double) requests,
                (after.walFlushes() - before.walFlushes()) / (double) requests);
    }

    /**
     * The counters once the nodes' sessions have ended: a backend reports its counts when it
     * exits (and while busy, at most once a second), so the stopped nodes' last counts are in.
     */
    private static Counters countersOnceIdle(String url) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline && otherSessions(url) > 0) {
            Thread.sleep(100);
        }
        Thread.sleep(200); // an exiting backend flushes its counts after it left pg_stat_activity's view
        return counters(url);
    }

    private static long otherSessions(String url) throws SQLException {
        return single(
                url,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND pid <> pg_backend_pid()");
    }

    private static Counters counters(String url) throws SQLException {
        return new Counters(
                single(url, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"),
                single(url, "SELECT wal_sync FROM pg_stat_wal"));
    }

    /** The median time of 200 {@code SELECT 1} on one connection: what a statement's round trip costs. */
    private static double roundTripMillis(String url) throws SQLException {
        long[] nanos = new long[200];
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement()) {
            for (int i = 0; i < nanos.length; i++) {
                long start = System.nanoTime();
                statement.execute("SELECT 1");
                nanos[i] = System.nanoTime() - start;
            }
        }
        Arrays.sort(nanos);
        return nanos[nanos.length / 2] / 1e6;
    }

    private static long single(String url, String query) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Supplier<HttpRequest> allow(Gateway node, String key) {
        URI actions = URI.create(node.baseUrl() + "/v1/actions");
        return () -> HttpRequest.newBuilder(actions)
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY))
                .build();
    }

    private static Supplier<HttpRequest> roundRobin(List<Supplier<HttpRequest>> targets) {
        AtomicLong next = new AtomicLong();
        return () ->
                targets.get((int) (next.getAndIncrement() % targets.size())).get();
    }
}
