package io.countersign.server.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.proxy.postgres.Upstreams;
import io.countersign.server.Gateway;
import io.countersign.server.Main;
import io.countersign.server.TestCredentials;
import io.countersign.server.config.ConfigFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code countersign serve} with {@code proxies.postgres} from a config file, in front of a real
 * PostgreSQL: psql, pgJDBC, node-postgres and psycopg2 each get the same rows as directly, 42501
 * for a denied statement that the upstream's log never shows, and a held DELETE that runs once a
 * human approves it through the API; a denial or an expiry runs nothing; a SIGKILL of the gateway
 * while a statement is held runs nothing afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresProxyGatewayTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path directory;

    Upstreams upstream;
    Gateway gateway;
    int port;
    String agentKey;
    String aliceToken;

    @BeforeAll
    void start() throws Exception {
        upstream = new Upstreams(directory.resolve("pg"));
        Path config = writeConfig(directory.resolve("gateway"), upstream.port());
        gateway = Gateway.start(
                ConfigFile.load(config),
                Clock.systemUTC(),
                name -> name.equals("APP_DB_PASSWORD") ? Optional.of(upstream.password) : Optional.empty());
        port = gateway.postgresProxies().getFirst().port();
        agentKey = TestCredentials.issue(directory.resolve("gateway/data"), Agent.named("reporter"));
        aliceToken = TestCredentials.issue(
                directory.resolve("gateway/data"), new Human("alice", "alice@example.com", Set.of("data-owners")));
    }

    static Path writeConfig(Path folder, int upstreamPort) throws Exception {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("policy.yaml"), Upstreams.resource("/postgres-proxy-policy.yaml"));
        Path config = folder.resolve("countersign.yaml");
        Files.writeString(config, """
                server: {port: 0}
                data: ./data
                policy: ./policy.yaml
                proxies:
                  postgres:
                    - name: main
                      listen: 127.0.0.1:0
                      upstream: {host: 127.0.0.1, port: %d, database: app, user: app, passwordEnv: APP_DB_PASSWORD}
                      unparsed: deny
                """.formatted(upstreamPort));
        return config;
    }

    @BeforeEach
    void tables() throws SQLException {
        upstream.resetTables();
        try (Connection direct = upstream.direct();
                Statement sql = direct.createStatement()) {
            sql.execute("INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(10, 20) g");
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    @ParameterizedTest
    @EnumSource(PgClients.class)
    void anAllowedQueryGetsTheSameRowsAsDirectly(PgClients client) throws Exception {
        client.requireInstalled();
        String sql = "SELECT id, item FROM orders WHERE id < 4 ORDER BY id";
        PgClients.Result direct = PgClients.PGJDBC.run(upstream.port(), "app", upstream.password, sql);
        PgClients.Result proxied = client.run(port, "reporter", agentKey, sql);
        assertThat(proxied.sqlState()).isEmpty();
        assertThat(proxied.rows()).isEqualTo(direct.rows()).containsExactly("1|apples", "2|pears", "3|plums");
    }

    @ParameterizedTest
    @EnumSource(PgClients.class)
    void aDeniedStatementGets42501AndNeverReachesTheUpstream(PgClients client) throws Exception {
        client.requireInstalled();
        String marker = "denied_" + client.name().toLowerCase();
        PgClients.Result result = client.run(port, "reporter", agentKey, "SELECT value AS " + marker + " FROM secrets");
        assertThat(result.sqlState()).contains("42501");
        assertThat(result.message()).contains("no-secrets");
        assertThat(upstream.logged(marker)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(PgClients.class)
    void aHeldDeleteRunsOnceAfterAnApprovalThroughTheApi(PgClients client) throws Exception {
        client.requireInstalled();
        int id = 10 + client.ordinal();
        String sql = "DELETE FROM orders WHERE id = " + id;
        CompletableFuture<PgClients.Result> held = CompletableFuture.supplyAsync(() -> {
            try {
                return client.run(port, "reporter", agentKey, sql);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String request = awaitPending(sql);
        assertThat(held).isNotDone();
        assertThat(count("SELECT count(*) FROM orders WHERE id = " + id)).isEqualTo(1);
        HttpResponse<String> approved = post("/v1/actions/" + request + "/approve", "{\"comment\": \"ok\"}");
        assertThat(approved.statusCode()).isEqualTo(200);
        PgClients.Result result = held.get(60, TimeUnit.SECONDS);
        assertThat(result.sqlState()).isEmpty();
        assertThat(count("SELECT count(*) FROM orders WHERE id = " + id)).isZero();
        if (client == PgClients.PSQL || client == PgClients.NODE_POSTGRES || client == PgClients.PSYCOPG2) {
            assertThat(String.join("\n", result.notices()))
                    .contains("holds this statement for approval")
                    .contains("/console/requests/" + request);
        }
    }

    @Test
    void aDenialThroughTheApiAndAnExpiryRunNothing() throws Exception {
        String sql = "DELETE FROM orders WHERE id = 20";
        CompletableFuture<PgClients.Result> denied = CompletableFuture.supplyAsync(() -> jdbc(sql));
        String request = awaitPending(sql);
        assertThat(post("/v1/actions/" + request + "/deny", "{\"comment\": \"not this one\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(denied.get(60, TimeUnit.SECONDS).message())
                .contains("alice denied")
                .contains("not this one");

        PgClients.Result expired = jdbc("DELETE FROM drafts WHERE id = 1");
        assertThat(expired.sqlState()).contains("42501");
        assertThat(expired.message()).contains("expired");
        assertThat(count("SELECT count(*) FROM orders WHERE id = 20")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM drafts")).isEqualTo(1);
        assertThat(upstream.logged("DELETE FROM orders WHERE id = 20")).isFalse();
    }

    @Test
    void aGatewayKilledWhileAStatementIsHeldRunsNothingAfterwards() throws Exception {
        Path folder = directory.resolve("killed");
        Path config = writeConfig(folder, upstream.port());
        String key = TestCredentials.issue(folder.resolve("data"), Agent.named("reporter"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = folder.resolve("stdout.txt");
        ProcessBuilder builder = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "serve",
                        "--config",
                        config.toString())
                .redirectOutput(out.toFile())
                .redirectError(folder.resolve("stderr.txt").toFile());
        builder.environment().put("APP_DB_PASSWORD", upstream.password);
        Process killed = builder.start();
        try {
            int proxyPort = Integer.parseInt(
                    awaitLine(out, Pattern.compile("PostgreSQL proxy 'main' listening on port (\\d+)")));
            String baseUrl = awaitLine(out, Pattern.compile("Countersign listening on (http://\\S+)"));
            String human = TestCredentials.issue(
                    folder.resolve("data"), new Human("bob", "bob@example.com", Set.of("data-owners")));
            String sql = "DELETE FROM orders WHERE id = 19";
            CompletableFuture<PgClients.Result> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return PgClients.PGJDBC.run(proxyPort, "reporter", key, sql);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitPending(baseUrl, human, sql);
            assertThat(held).isNotDone();
            killed.destroyForcibly();
            assertThat(killed.waitFor(20, TimeUnit.SECONDS)).isTrue();
            PgClients.Result dropped = held.get(30, TimeUnit.SECONDS);
            assertThat(dropped.sqlState()).isPresent();
            assertThat(dropped.sqlState().get()).startsWith("08");
        } finally {
            killed.destroyForcibly();
        }
        // The restart: the request is still pending (its timeout is 30 minutes), and nothing ran it.
        try (Gateway restarted = Gateway.start(
                ConfigFile.load(config),
                Clock.systemUTC(),
                name -> name.equals("APP_DB_PASSWORD") ? Optional.of(upstream.password) : Optional.empty())) {
            Thread.sleep(2000);
            String human = TestCredentials.issue(
                    folder.resolve("data"), new Human("carol", "carol@example.com", Set.of("data-owners")));
            JsonNode inbox = JSON.readTree(HTTP.send(
                            HttpRequest.newBuilder(URI.create(restarted.baseUrl() + "/v1/approvals?status=pending"))
                                    .header("Authorization", "Bearer " + human)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            assertThat(inbox.toString()).contains("DELETE FROM orders WHERE id = 19");
        }
        assertThat(count("SELECT count(*) FROM orders WHERE id = 19")).isEqualTo(1);
        assertThat(upstream.logged("DELETE FROM orders WHERE id = 19")).isFalse();
    }

    private PgClients.Result jdbc(String sql) {
        try {
            return PgClients.PGJDBC.run(port, "reporter", agentKey, sql);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String awaitPending(String statement) throws Exception {
        return awaitPending(gateway.baseUrl(), aliceToken, statement);
    }

    private static String awaitPending(String baseUrl, String token, String statement) throws Exception {
        Instant until = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(until)) {
            HttpResponse<String> inbox = HTTP.send(
                    HttpRequest.newBuilder(URI.create(baseUrl + "/v1/approvals?status=pending"))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode item : JSON.readTree(inbox.body()).path("items")) {
                if (item.toString().contains(statement)) {
                    return item.path("id").asString();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no pending request for '" + statement + "' within 60 s");
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
                        .header("Authorization", "Bearer " + aliceToken)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStatementAllowedOutrightIsInTheEvidencePopulation_andThePackageVerifies() throws Exception {
        String marker = "evidence_marker_" + System.nanoTime();
        PgClients.Result allowed = PgClients.PGJDBC.run(
                port, "reporter", agentKey, "SELECT id AS " + marker + " FROM orders WHERE id = 1");
        assertThat(allowed.sqlState()).isEmpty();
        Path data = directory.resolve("gateway/data");
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        Path zip = directory.resolve("evidence-" + marker + ".zip");

        // The export covers the newest signed checkpoint (one a second): wait until it holds the execution too.
        JsonNode row = null;
        Instant until = Instant.now().plus(Duration.ofSeconds(30));
        while (row == null && Instant.now().isBefore(until)) {
            Files.deleteIfExists(zip);
            io.countersign.server.Cli.Run export = io.countersign.server.Cli.run(
                    "evidence",
                    "export",
                    "--from",
                    today.toString(),
                    "--to",
                    today.plusDays(1).toString(),
                    "--out",
                    zip.toString(),
                    "--data",
                    data.toString());
            assertThat(export.exitCode()).as(export.all()).isZero();
            row = populationRows(zip).stream()
                    .filter(r -> r.path("resource").asString().endsWith("public.orders"))
                    .filter(r -> !r.path("outcome").isNull())
                    .filter(r -> r.path("action").asString().equals("sql.select"))
                    .reduce((first, last) -> last)
                    .orElse(null);
            if (row == null) {
                Thread.sleep(250);
            }
        }
        assertThat(row)
                .as("an allowed sql.select on public.orders with its outcome in population.jsonl")
                .isNotNull();
        assertThat(row.path("action").asString()).isEqualTo("sql.select");
        assertThat(row.path("effect").asString()).isEqualTo("allow");
        assertThat(row.path("status").asString()).isEqualTo("approved");
        assertThat(row.path("decidedBy").asString()).isEqualTo("policy");
        assertThat(row.path("agent").asString()).isEqualTo("reporter");
        assertThat(row.path("outcome").asString()).isEqualTo("succeeded");

        String key = io.countersign.server.Cli.run("audit", "key", "--data", data.toString())
                .out()
                .strip();
        io.countersign.server.Cli.Run verified = io.countersign.server.Cli.run(
                "audit",
                "verify",
                "--export",
                zip.toString(),
                "--key",
                key,
                "--state",
                directory.resolve("evidence-state-" + marker).toString());
        assertThat(verified.exitCode()).as(verified.all()).isZero();
    }

    private static java.util.List<JsonNode> populationRows(Path zip) throws Exception {
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            java.util.zip.ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                if (entry.getName().equals("population.jsonl")) {
                    return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                            .lines()
                            .map(JSON::readTree)
                            .toList();
                }
            }
        }
        throw new AssertionError("no population.jsonl in " + zip);
    }

    private long count(String sql) throws SQLException {
        try (Connection direct = upstream.direct();
                Statement statement = direct.createStatement();
                var result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }

    private static String awaitLine(Path file, Pattern pattern) throws Exception {
        Instant until = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(until)) {
            if (Files.exists(file)) {
                Matcher matcher = pattern.matcher(Files.readString(file));
                if (matcher.find()) {
                    return matcher.group(1);
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the gateway never printed " + pattern);
    }
}
