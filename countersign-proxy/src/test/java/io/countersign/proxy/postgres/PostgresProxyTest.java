package io.countersign.proxy.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.identity.Human;
import io.countersign.proxy.ProxyFixture;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The PostgreSQL proxy against a real PostgreSQL (embedded), with pgJDBC and raw protocol bytes as
 * clients; psql, node-postgres and psycopg2 are in {@link PostgresClientsTest}. One upstream and one
 * proxy for the class: they are the heavy parts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresProxyTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String POLICY = Upstreams.resource("/postgres-proxy-policy.yaml");
    static final Human ALICE = new Human("alice", "alice@example.com", Set.of("data-owners"));

    @TempDir
    static Path directory;

    Upstreams upstream;
    ProxyFixture fixture;
    PostgresProxy proxy;
    String key;

    @BeforeAll
    void start() throws Exception {
        upstream = new Upstreams(directory.resolve("pg"));
        PostgresProxyConfig config = config(upstream.port());
        fixture = new ProxyFixture(
                directory.resolve("data"), POLICY, policy -> new UnparsedStatementPolicy(policy, List.of(config)));
        proxy = PostgresProxy.start(
                config,
                name -> name.equals("APP_DB_PASSWORD") ? Optional.of(upstream.password) : Optional.empty(),
                fixture.enforcement,
                fixture.authenticator);
        key = fixture.keyFor("reporter").reveal();
    }

    static PostgresProxyConfig config(int upstreamPort) {
        return new PostgresProxyConfig(
                "main",
                "127.0.0.1",
                0,
                new PostgresProxyConfig.UpstreamSettings(
                        "127.0.0.1",
                        upstreamPort,
                        "app",
                        "app",
                        "APP_DB_PASSWORD",
                        PostgresProxyConfig.SslMode.DISABLE),
                Optional.empty(),
                PostgresProxyConfig.Unparsed.DENY);
    }

    @BeforeEach
    void tables() throws SQLException {
        upstream.resetTables();
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        fixture.close();
        upstream.close();
    }

    Connection agent() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/app", "reporter", key);
    }

    static List<String> rows(ResultSet result) throws SQLException {
        List<String> rows = new ArrayList<>();
        int columns = result.getMetaData().getColumnCount();
        while (result.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= columns; i++) {
                row.append(i > 1 ? "|" : "").append(result.getString(i));
            }
            rows.add(row.toString());
        }
        return rows;
    }

    static List<String> query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            return rows(result);
        }
    }

    @Test
    void anAllowedQueryGetsTheSameRowsAsDirectlyWithItsDecisionLoggedBeforeAndItsExecutionAfter() throws Exception {
        String sql = "SELECT id, item FROM orders ORDER BY id";
        List<String> direct;
        try (Connection connection = upstream.direct()) {
            direct = query(connection, sql);
        }
        try (Connection connection = agent()) {
            assertThat(query(connection, sql)).isEqualTo(direct).hasSize(3);
        }
        // Allowed outright: one entry before it ran, one after, under one id, and no request.
        JsonNode allowed = awaitEntry("action.allowed", entry -> entry.path("data")
                .path("params")
                .path("statement")
                .asString()
                .equals(sql));
        assertThat(allowed.path("data").path("action").asString()).isEqualTo("sql.select");
        assertThat(allowed.path("data").path("resource").asString()).isEqualTo("pg/main/app/public.orders");
        assertThat(allowed.path("data").path("decision").path("effect").asString())
                .isEqualTo("allow");
        String id = allowed.path("request").asString();
        JsonNode executed = awaitEntry(
                "action.allowed.executed",
                entry -> entry.path("request").asString().equals(id));
        assertThat(executed.path("seq").asLong())
                .isGreaterThan(allowed.path("seq").asLong());
        assertThat(executed.path("data").path("outcome").asString()).isEqualTo("succeeded");
        assertThat(executed.path("data").path("detail").asString()).contains("SELECT 3");
        assertThat(fixture.workflow.find(new RequestId(id))).isEmpty();
    }

    @Test
    void aDeniedStatementGets42501NamingTheRuleAndNeverReachesTheUpstream() throws Exception {
        try (Connection connection = agent()) {
            assertThatThrownBy(() -> query(connection, "SELECT value FROM secrets WHERE name = 'never-logged-1'"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        assertThat(e.getMessage()).contains("no-secrets").contains("agents never read secrets");
                    });
            assertThatThrownBy(() -> query(connection, "SELECT pg_read_file('/etc/passwd') AS never_logged_2"))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            assertThatThrownBy(() -> query(connection, "VACUUM never_logged_3"))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getMessage()).contains("unparsed"));
            assertThat(query(connection, "SELECT count(*) FROM orders")).containsExactly("3");
        }
        assertThat(upstream.logged("never-logged-1")).isFalse();
        assertThat(upstream.logged("never_logged_2")).isFalse();
        assertThat(upstream.logged("never_logged_3")).isFalse();
    }

    @Test
    void aHeldDeleteRunsOnceAfterApprovalAndNotAtAllAfterADenialOrAnExpiry() throws Exception {
        ExecutorService agents = Executors.newFixedThreadPool(3);
        try (Connection approved = agent();
                Connection denied = agent();
                Connection expiring = agent()) {
            Future<Integer> first =
                    agents.submit(() -> approved.createStatement().executeUpdate("DELETE FROM orders WHERE id = 1"));
            ApprovalRequest pending = awaitRequest(request -> request.isPending()
                    && request.action()
                            .paramsView()
                            .path("statement")
                            .asString()
                            .contains("id = 1"));
            assertThat(first.isDone()).isFalse();
            fixture.workflow.approve(ALICE, pending.id(), Optional.of("ok"), "test");
            assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo(1);

            Future<Integer> second =
                    agents.submit(() -> denied.createStatement().executeUpdate("DELETE FROM orders WHERE id = 2"));
            ApprovalRequest pendingToo = awaitRequest(request -> request.isPending()
                    && request.action()
                            .paramsView()
                            .path("statement")
                            .asString()
                            .contains("id = 2"));
            fixture.workflow.deny(ALICE, pendingToo.id(), "not this one", "test");
            assertThatThrownBy(() -> second.get(20, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SQLException.class)
                    .cause()
                    .hasMessageContaining("alice denied")
                    .hasMessageContaining("not this one");

            Future<Integer> third =
                    agents.submit(() -> expiring.createStatement().executeUpdate("DELETE FROM drafts WHERE id = 1"));
            assertThatThrownBy(() -> third.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SQLException.class)
                    .cause()
                    .hasMessageContaining("expired");
        } finally {
            agents.shutdownNow();
        }
        try (Connection direct = upstream.direct()) {
            assertThat(query(direct, "SELECT id FROM orders ORDER BY id")).containsExactly("2", "3");
            assertThat(query(direct, "SELECT count(*) FROM drafts")).containsExactly("1");
        }
        assertThat(upstream.logged("DELETE FROM orders WHERE id = 2")).isFalse();
        assertThat(upstream.logged("DELETE FROM drafts")).isFalse();
    }

    @Test
    void boundParametersAreDecidedAndRecordedWithTheStatement() throws Exception {
        try (Connection connection = agent();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO events (what) VALUES (?)");
                PreparedStatement select =
                        connection.prepareStatement("SELECT what FROM events WHERE id > ? ORDER BY id LIMIT 2")) {
            insert.setString(1, "bound value 42");
            assertThat(insert.executeUpdate()).isEqualTo(1);
            for (int round = 0; round < 7; round++) {
                // pgJDBC switches to a named server-side statement from the fifth execution on.
                select.setInt(1, 97 + (round % 2));
                try (ResultSet result = select.executeQuery()) {
                    assertThat(rows(result)).hasSizeBetween(1, 2);
                }
            }
        }
        JsonNode insert = awaitEntry(
                "action.allowed",
                entry -> entry.path("data").path("action").asString().equals("sql.insert"));
        assertThat(insert.path("data").path("params").path("parameters").get(0).asString())
                .isEqualTo("bound value 42");
        String id = insert.path("request").asString();
        JsonNode executed = awaitEntry(
                "action.allowed.executed",
                entry -> entry.path("request").asString().equals(id));
        assertThat(executed.path("data").path("detail").asString()).contains("INSERT 0 1");
    }

    @Test
    void aDeniedStatementInsideATransactionLeavesItFailedAsARealErrorWould() throws Exception {
        try (Connection connection = agent()) {
            connection.setAutoCommit(false);
            try (Statement sql = connection.createStatement()) {
                sql.executeUpdate("INSERT INTO events (what) VALUES ('inside the transaction')");
                assertThatThrownBy(() -> sql.executeQuery("SELECT * FROM secrets"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState())
                                .isEqualTo("42501"));
                assertThatThrownBy(() -> sql.executeQuery("SELECT 1"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState())
                                .isEqualTo("25P02"));
                connection.rollback();
                connection.setAutoCommit(true);
                assertThat(query(connection, "SELECT count(*) FROM events WHERE what = 'inside the transaction'"))
                        .containsExactly("0");
            }
        }
    }

    @Test
    void copyOutStreamsTheTableAsDirectly() throws Exception {
        java.io.StringWriter direct = new java.io.StringWriter();
        try (Connection connection = upstream.direct()) {
            connection.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY events TO STDOUT", direct);
        }
        java.io.StringWriter proxied = new java.io.StringWriter();
        try (Connection connection = agent()) {
            long rows = connection.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY events TO STDOUT", proxied);
            assertThat(rows).isEqualTo(100);
            assertThatThrownBy(() -> connection
                            .unwrap(PGConnection.class)
                            .getCopyAPI()
                            .copyOut("COPY secrets TO STDOUT", new java.io.StringWriter()))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }
        assertThat(proxied.toString()).isEqualTo(direct.toString());
    }

    @Test
    void copyInLoadsRowsWhenAllowedAndIsRefusedOtherwise() throws Exception {
        try (Connection connection = agent()) {
            long rows = connection
                    .unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("COPY events (what) FROM STDIN", new java.io.StringReader("copied one\ncopied two\n"));
            assertThat(rows).isEqualTo(2);
            assertThatThrownBy(() -> connection
                            .unwrap(PGConnection.class)
                            .getCopyAPI()
                            .copyIn("COPY secrets FROM STDIN", new java.io.StringReader("x\ty\n")))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            assertThat(query(connection, "SELECT count(*) FROM events WHERE what LIKE 'copied%'"))
                    .containsExactly("2");
        }
        try (Connection direct = upstream.direct()) {
            assertThat(query(direct, "SELECT count(*) FROM secrets")).containsExactly("1");
        }
    }

    @Test
    void aKeyRevokedMidSessionEndsTheSessionAtTheNextStatementAfterASecond() throws Exception {
        String revoked = fixture.keyFor("short-lived").reveal();
        try (RawClient client = new RawClient(proxy.port())) {
            client.login("short-lived", revoked);
            client.query("SELECT 1");
            assertThat(RawClient.sqlState(client.untilReady())).isEmpty();
            fixture.store.revokeAgent("short-lived", Instant.now());
            Thread.sleep(1100); // keys are checked again at most once a second
            client.query("SELECT 2");
            List<RawClient.Message> answer = client.readToEnd();
            assertThat(RawClient.sqlState(answer)).contains("28000");
            assertThat(answer.getFirst().text()).contains("FATAL").contains("may no longer connect");
        }
    }

    @Test
    void aListenerOffLoopbackWithoutTlsRefusesToStart() {
        PostgresProxyConfig exposed = new PostgresProxyConfig(
                "exposed",
                "0.0.0.0",
                0,
                config(upstream.port()).upstream(),
                Optional.empty(),
                PostgresProxyConfig.Unparsed.DENY);
        assertThatThrownBy(() -> PostgresProxy.start(
                        exposed, name -> Optional.of(upstream.password), fixture.enforcement, fixture.authenticator))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a loopback address")
                .hasMessageContaining("tls");
        assertThatThrownBy(() -> PostgresProxy.start(
                        config(upstream.port()), name -> Optional.empty(), fixture.enforcement, fixture.authenticator))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$APP_DB_PASSWORD");
    }

    @Test
    void aTlsListenerServesClientsThatAskForTls() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                new java.io.File("/usr/bin/openssl").canExecute(), "openssl is not installed: skipping the TLS test");
        Path cert = directory.resolve("proxy.crt");
        Path keyFile = directory.resolve("proxy.key");
        Process openssl = new ProcessBuilder(
                        "/usr/bin/openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:prime256v1",
                        "-nodes",
                        "-keyout",
                        keyFile.toString(),
                        "-out",
                        cert.toString(),
                        "-days",
                        "1",
                        "-subj",
                        "/CN=localhost")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0)
                .isTrue();
        PostgresProxyConfig tls = new PostgresProxyConfig(
                "main",
                "127.0.0.1",
                0,
                config(upstream.port()).upstream(),
                Optional.of(new PostgresProxyConfig.TlsFiles(cert, keyFile)),
                PostgresProxyConfig.Unparsed.DENY);
        try (PostgresProxy secured = PostgresProxy.start(
                        tls, name -> Optional.of(upstream.password), fixture.enforcement, fixture.authenticator);
                Connection connection = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + secured.port() + "/app?sslmode=require", "reporter", key)) {
            assertThat(query(connection, "SELECT count(*) FROM orders")).containsExactly("3");
            assertThat(query(connection, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                    .hasSize(1);
        }
    }

    @Test
    void aCancelWhileHeldWithdrawsTheRequestAndNothingRunsLater() throws Exception {
        ExecutorService agents = Executors.newSingleThreadExecutor();
        try (Connection connection = agent();
                Statement delete = connection.createStatement()) {
            Future<Integer> held = agents.submit(() -> delete.executeUpdate("DELETE FROM orders WHERE id = 3"));
            ApprovalRequest pending = awaitRequest(request -> request.isPending()
                    && request.action()
                            .paramsView()
                            .path("statement")
                            .asString()
                            .contains("id = 3"));
            delete.cancel();
            assertThatThrownBy(() -> held.get(20, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SQLException.class)
                    .cause()
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
            assertThat(fixture.workflow.find(pending.id()).orElseThrow().status())
                    .isEqualTo(RequestStatus.CANCELLED);
            assertThat(query(connection, "SELECT count(*) FROM orders")).containsExactly("3");
        } finally {
            agents.shutdownNow();
        }
    }

    @Test
    void aCancelOfARunningStatementIsForwardedToItsUpstreamBackend() throws Exception {
        ExecutorService agents = Executors.newSingleThreadExecutor();
        try (Connection connection = agent();
                Statement sleep = connection.createStatement()) {
            Future<Boolean> running = agents.submit(() -> sleep.execute("SELECT pg_sleep(60)"));
            // Allowed outright: its allowance is logged before it is forwarded.
            awaitEntry("action.allowed", entry -> entry.path("data")
                    .path("params")
                    .path("statement")
                    .asString()
                    .contains("pg_sleep"));
            Thread.sleep(500);
            sleep.cancel();
            assertThatThrownBy(() -> running.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SQLException.class)
                    .cause()
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
            assertThat(query(connection, "SELECT count(*) FROM orders")).containsExactly("3");
        } finally {
            agents.shutdownNow();
        }
    }

    @Test
    void anAgentThatDisconnectsWhileHeldHasItsRequestCancelled() throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            client.login("reporter", key);
            client.query("DELETE FROM orders WHERE id = 2");
            RawClient.Message notice = client.read();
            assertThat(notice.type()).isEqualTo('N');
            assertThat(notice.text())
                    .contains("holds this statement for approval")
                    .contains("/console/requests/");
        }
        ApprovalRequest cancelled = awaitRequest(request -> request.status() == RequestStatus.CANCELLED
                && request.action()
                        .paramsView()
                        .path("statement")
                        .asString()
                        .equals("DELETE FROM orders WHERE id = 2"));
        assertThatThrownBy(() -> fixture.workflow.approve(ALICE, cancelled.id(), Optional.empty(), "test"))
                .hasMessageContaining("no longer pending");
        try (Connection direct = upstream.direct()) {
            assertThat(query(direct, "SELECT count(*) FROM orders")).containsExactly("3");
        }
    }

    @Test
    void noByteSentToTheClientContainsTheUpstreamPassword() throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            client.login("reporter", key);
            for (String sql : List.of(
                    "SELECT current_user, version()",
                    "SELECT * FROM secrets",
                    "SELECT nonsense FROM nowhere",
                    "SHOW password_encryption",
                    "SELECT 1/0")) {
                client.query(sql);
                client.untilReady();
            }
            client.message('X', new byte[0]);
            client.readToEnd();
            String seen = client.received.toString(StandardCharsets.ISO_8859_1);
            assertThat(seen).doesNotContain(upstream.password).contains("SELECT 1");
        }
    }

    @Test
    void fiftyConcurrentSessionsEachGetTheirRows() throws Exception {
        ExecutorService agents = Executors.newFixedThreadPool(50);
        try {
            List<Future<List<String>>> sessions = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i + 1;
                sessions.add(agents.submit(() -> {
                    try (Connection connection = agent()) {
                        return query(connection, "SELECT what FROM events WHERE id = " + n);
                    }
                }));
            }
            for (int i = 0; i < 50; i++) {
                assertThat(sessions.get(i).get(60, TimeUnit.SECONDS)).containsExactly("event " + (i + 1));
            }
        } finally {
            agents.shutdownNow();
        }
    }

    @Test
    void badInputEndsOnlyThatSessionAndReachesNothingUpstream() throws Exception {
        try (Connection bystander = agent()) {
            // A Query whose string has no terminating zero.
            try (RawClient client = new RawClient(proxy.port())) {
                client.login("reporter", key);
                client.message('Q', "SELECT 'bad_input_1'".getBytes(StandardCharsets.UTF_8));
                assertThat(RawClient.sqlState(client.readToEnd())).contains("08P01");
            }
            // A message cut short: the length promises more than ever comes.
            try (RawClient client = new RawClient(proxy.port())) {
                client.login("reporter", key);
                client.send(new byte[] {'Q', 0, 0, 0, 100, 'S', 'E', 'L'});
                client.socket.shutdownOutput();
                client.readToEnd();
            }
            // A 1 GB length prefix.
            try (RawClient client = new RawClient(proxy.port())) {
                client.login("reporter", key);
                client.send(new byte[] {'Q', 0x40, 0, 0, 0});
                assertThat(RawClient.sqlState(client.readToEnd())).contains("08P01");
            }
            // A startup packet with no user; one of an unknown agent; a wrong key.
            try (RawClient client = new RawClient(proxy.port())) {
                client.startup("database", "app");
                assertThat(RawClient.sqlState(client.readToEnd())).contains("28000");
            }
            try (RawClient client = new RawClient(proxy.port())) {
                assertThat(RawClient.sqlState(client.login("nobody", key))).contains("28P01");
            }
            try (RawClient client = new RawClient(proxy.port())) {
                assertThat(RawClient.sqlState(client.login("reporter", "csa_0000000000000000_" + "x".repeat(43))))
                        .contains("28P01");
            }
            // A 1 GB startup packet, and garbage after Terminate.
            try (RawClient client = new RawClient(proxy.port())) {
                client.send(new byte[] {0x40, 0, 0, 0, 0, 3, 0, 0});
                assertThat(RawClient.sqlState(client.readToEnd())).contains("08P01");
            }
            try (RawClient client = new RawClient(proxy.port())) {
                client.login("reporter", key);
                client.send(new byte[] {
                    'X', 0, 0, 0, 4, 'Q', 0, 0, 0, 20, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '\'', 'b', 'a', 'd', '_', '2',
                    '\'', 0
                });
                client.readToEnd();
            }
            // Replication and an unknown message type.
            try (RawClient client = new RawClient(proxy.port())) {
                client.startup("user", "reporter", "database", "app", "replication", "database");
                assertThat(RawClient.sqlState(client.readToEnd())).contains("0A000");
            }
            try (RawClient client = new RawClient(proxy.port())) {
                client.login("reporter", key);
                client.message('Y', new byte[] {1, 2, 3});
                assertThat(RawClient.sqlState(client.readToEnd())).contains("08P01");
            }
            assertThat(query(bystander, "SELECT count(*) FROM orders")).containsExactly("3");
        }
        assertThat(upstream.logged("bad_input_1")).isFalse();
        assertThat(upstream.logged("bad_2")).isFalse();
    }

    @Test
    void encryptionRequestsAreAnsweredNWithoutTlsOnLoopbackAndGssAlways() throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send(new Wire.Builder().int32(8).int32(Wire.GSSENC_REQUEST).build());
            assertThat(client.readByte()).isEqualTo('N');
            client.send(new Wire.Builder().int32(8).int32(Wire.SSL_REQUEST).build());
            assertThat(client.readByte()).isEqualTo('N');
            assertThat(client.login("reporter", key))
                    .extracting(RawClient.Message::type)
                    .contains('R', 'K', 'Z');
        }
    }

    /** The latest audit entry of {@code type} that matches, as its leaf's JSON; waits up to 20 s for it. */
    JsonNode awaitEntry(String type, java.util.function.Predicate<JsonNode> matching) throws InterruptedException {
        return ProxyWaits.entry(fixture, type, matching);
    }

    /** The newest state of the first request matching, waiting up to 20 s for it to appear. */
    ApprovalRequest awaitRequest(java.util.function.Predicate<ApprovalRequest> matching) throws InterruptedException {
        return ProxyWaits.request(fixture, matching);
    }
}
