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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The allow path ({@code POST /v1/actions}, an allowed action, durable before the answer) with
 * the same client as {@link AllowPathLoad}, in one run: one gateway on SQLite, then two gateway
 * nodes on one PostgreSQL, the clients alternating between the nodes. Without a URL, an embedded
 * PostgreSQL (fsync and synchronous_commit on) on 127.0.0.1.
 *
 * <pre>
 * java -cp countersign-bench/target/benchmarks.jar io.countersign.bench.load.ScaleOutLoad [clients=32] [seconds=10] [jdbc:postgresql://...]
 * </pre>
 */
public final class ScaleOutLoad {
    private static final String BODY =
            "{\"action\":\"db.query\",\"resource\":\"db/prod/customers\",\"params\":{\"statement_kind\":\"select\"},"
                    + "\"reason\":\"load test\"}";

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
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
            url = embedded.getJdbcUrl("postgres", "countersign_load");
        }
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        System.out.printf(
                "Countersign allow-path load, SQLite vs PostgreSQL: %d clients, %d s per phase, %d cores, %s%n",
                clients, seconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        try {
            Path sqliteData = Files.createTempDirectory("countersign-load-sqlite");
            String sqliteKey;
            try (SqliteStore store = SqliteStore.open(sqliteData)) {
                sqliteKey = new ApiTokens(store, Clock.systemUTC())
                        .issue(Agent.named("load"))
                        .reveal();
            }
            AllowPathLoad.Result sqlite;
            try (Gateway node = Gateway.start(
                    ServerConfig.defaults().withDataDirectory(sqliteData).withPort(0), Clock.systemUTC())) {
                List<Supplier<HttpRequest>> targets = List.of(allow(node, sqliteKey));
                AllowPathLoad.run(http, "warm-up", roundRobin(targets), clients, Math.max(2, seconds / 3));
                sqlite = AllowPathLoad.run(http, "SQLite, 1 node", roundRobin(targets), clients, seconds);
            }

            PostgresSettings database = PostgresSettings.of(url);
            String postgresKey;
            try (PostgresStore store = PostgresStore.open(database)) {
                postgresKey = new ApiTokens(store, Clock.systemUTC())
                        .issue(Agent.named("load"))
                        .reveal();
            }
            Path sharedKeys = Files.createTempDirectory("countersign-load-postgres");
            ServerConfig config = ServerConfig.defaults()
                    .withDataDirectory(sharedKeys)
                    .withPort(0)
                    .withDatabase(DatabaseConfig.postgres(database));
            AllowPathLoad.Result postgres;
            try (Gateway a = Gateway.start(config, Clock.systemUTC());
                    Gateway b = Gateway.start(config, Clock.systemUTC())) {
                List<Supplier<HttpRequest>> targets = List.of(allow(a, postgresKey), allow(b, postgresKey));
                AllowPathLoad.run(http, "warm-up", roundRobin(targets), clients, Math.max(2, seconds / 3));
                postgres = AllowPathLoad.run(http, "PostgreSQL, 2 nodes", roundRobin(targets), clients, seconds);
            }
            System.out.println(sqlite.line());
            System.out.println(postgres.line());
            System.out.printf(
                    "PostgreSQL 2 nodes / SQLite 1 node: throughput %.2fx, p50 %.2fx, p99 %.2fx%n",
                    postgres.perSecond() / sqlite.perSecond(),
                    postgres.percentileMillis(0.5) / sqlite.percentileMillis(0.5),
                    postgres.percentileMillis(0.99) / sqlite.percentileMillis(0.99));
        } finally {
            if (embedded != null) {
                embedded.close();
            }
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
