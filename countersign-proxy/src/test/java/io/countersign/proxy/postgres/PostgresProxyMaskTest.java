package io.countersign.proxy.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.countersign.identity.Human;
import io.countersign.proxy.ProxyFixture;
import io.countersign.workflow.ApprovalRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import tools.jackson.databind.JsonNode;

/**
 * Column masks through the PostgreSQL proxy against a real PostgreSQL, with pgJDBC, psql and raw
 * protocol bytes: masked columns come back as {@code ***} (text types) or NULL (others), the rest
 * unchanged; what can't be traced to a table column is refused with 42501 before it runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresProxyMaskTest {
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
        PostgresProxyConfig config = PostgresProxyTest.config(upstream.port());
        fixture = new ProxyFixture(
                directory.resolve("data"),
                Upstreams.resource("/postgres-mask-policy.yaml"),
                policy -> new UnparsedStatementPolicy(policy, List.of(config)));
        proxy = PostgresProxy.start(
                config,
                name -> name.equals("APP_DB_PASSWORD") ? Optional.of(upstream.password) : Optional.empty(),
                fixture.enforcement,
                fixture.authenticator);
        key = fixture.keyFor("reporter").reveal();
    }

    @BeforeEach
    void tables() throws SQLException {
        upstream.resetTables();
        try (Connection direct = upstream.direct();
                Statement sql = direct.createStatement()) {
            sql.execute("DROP VIEW IF EXISTS customer_emails");
            sql.execute("DROP TABLE IF EXISTS customers");
            sql.execute("CREATE TABLE customers (id int PRIMARY KEY, name text, email text, ssn varchar(11),"
                    + " birthday date, score int)");
            sql.execute("INSERT INTO customers VALUES (1, 'Ann', 'ann@example.com', '123-45-6789', '1990-01-02', 7),"
                    + " (2, 'Bob', 'bob@example.com', NULL, '1985-03-04', 9)");
            sql.execute("CREATE VIEW customer_emails AS SELECT id, email AS contact FROM customers");
        }
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        fixture.close();
        upstream.close();
    }

    Connection agent(Properties extra) throws SQLException {
        Properties properties = new Properties();
        properties.putAll(extra);
        properties.setProperty("user", "reporter");
        properties.setProperty("password", key);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/app", properties);
    }

    Connection agent() throws SQLException {
        return agent(new Properties());
    }

    @Test
    void maskedColumnsComeBackMaskedAndTheOthersAsDirectly() throws Exception {
        try (Connection connection = agent()) {
            assertThat(PostgresProxyTest.query(
                            connection, "SELECT id, name, email, ssn, birthday, score FROM customers ORDER BY id"))
                    .containsExactly("1|Ann|***|***|null|7", "2|Bob|***|***|null|9");
            // An alias neither unmasks a column nor masks another: what counts is the table column it reads.
            assertThat(PostgresProxyTest.query(
                            connection, "SELECT c.email AS contact, c.name AS email FROM customers c WHERE id = 1"))
                    .containsExactly("***|Ann");
            // Through a subquery and a join, a column still names its table column.
            assertThat(PostgresProxyTest.query(
                            connection,
                            "SELECT s.email, o.item FROM (SELECT * FROM customers) s JOIN orders o ON o.id = s.id"
                                    + " ORDER BY o.id"))
                    .containsExactly("***|apples", "***|pears");
            // A table no mask names is untouched, even when the statement is under a mask.
            assertThat(PostgresProxyTest.query(connection, "SELECT item FROM orders ORDER BY id"))
                    .containsExactly("apples", "pears", "plums");
        }
    }

    @Test
    void theExecutionRecordNamesTheMaskedColumnsAndTheDecisionItsMasks() throws Exception {
        String sql = "SELECT id, email, birthday FROM customers ORDER BY id";
        try (Connection connection = agent()) {
            assertThat(PostgresProxyTest.query(connection, sql)).containsExactly("1|***|null", "2|***|null");
        }
        JsonNode allowed =
                awaitEntry("action.allowed", entry -> statement(entry).equals(sql));
        JsonNode masks = allowed.path("data").path("decision").path("masks");
        assertThat(masks.path(0).path("rule").asString()).isEqualTo("customer-reads-are-masked");
        assertThat(masks.path(0).path("columns").toString())
                .isEqualTo("[\"email\",\"ssn\",\"public.customers.birthday\"]");
        String id = allowed.path("request").asString();
        JsonNode executed = awaitEntry(
                "action.allowed.executed",
                entry -> entry.path("request").asString().equals(id));
        assertThat(executed.path("data").path("outcome").asString()).isEqualTo("succeeded");
        assertThat(executed.path("data").path("detail").asString())
                .isEqualTo("SELECT 2; masked public.customers.email (2 values), public.customers.birthday (2 values)"
                        + " [rule customer-reads-are-masked]");
    }

    @Test
    void theExtendedProtocolWithBinaryResultsIsMaskedInTheBinaryFormat() throws Exception {
        Properties binary = new Properties();
        // -1: every statement server-prepared with binary results, for the types named (text, varchar) and the
        // driver's defaults (int4, date).
        binary.setProperty("prepareThreshold", "-1");
        binary.setProperty("binaryTransferEnable", "25,1043");
        try (Connection connection = agent(binary);
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT name, email, ssn, birthday, score FROM customers WHERE id = ?")) {
            statement.setInt(1, 1);
            try (ResultSet result = statement.executeQuery()) {
                assertThat(result.next()).isTrue();
                assertThat(result.getString("name")).isEqualTo("Ann");
                assertThat(result.getString("email")).isEqualTo("***");
                assertThat(result.getString("ssn")).isEqualTo("***");
                assertThat(result.getDate("birthday")).isNull();
                assertThat(result.getInt("score")).isEqualTo(7);
            }
        }
        // At the byte level: every result column asked for in binary; the int4 is the upstream's 4 bytes.
        try (RawClient client = new RawClient(proxy.port())) {
            assertThat(RawClient.sqlState(client.login("reporter", key))).isEmpty();
            client.message(
                    'P',
                    new Wire.Builder()
                            .cstring("")
                            .cstring("SELECT email, birthday, score FROM customers WHERE id = 2")
                            .int16(0)
                            .build());
            client.message(
                    'B',
                    new Wire.Builder()
                            .cstring("")
                            .cstring("")
                            .int16(0)
                            .int16(0)
                            .int16(1)
                            .int16(1)
                            .build());
            client.message('D', new Wire.Builder().int8('P').cstring("").build());
            client.message('E', new Wire.Builder().cstring("").int32(0).build());
            client.message('S', new byte[0]);
            List<RawClient.Message> answer = client.untilReady();
            assertThat(answer).extracting(RawClient.Message::type).containsExactly('1', '2', 'T', 'D', 'C', 'Z');
            byte[] expected = new Wire.Builder()
                    .int16(3)
                    .int32(3)
                    .bytes("***".getBytes(StandardCharsets.US_ASCII))
                    .int32(-1)
                    .int32(4)
                    .int32(9)
                    .build();
            assertThat(answer.get(3).body()).isEqualTo(expected);
        }
    }

    @Test
    void aColumnThatCantBeTracedToATableColumnIsRefusedWith42501AndNeverRuns() throws Exception {
        try (Connection connection = agent()) {
            assertRefused(connection, "SELECT upper(email) AS never_run_1 FROM customers", "is computed");
            assertRefused(connection, "SELECT count(*) AS never_run_2 FROM customers", "is computed");
            assertRefused(connection, "SELECT contact AS never_run_3 FROM customer_emails", "which is not a table");
            assertRefused(
                    connection,
                    "SELECT email AS never_run_4 FROM customers UNION SELECT 'x' FROM customers",
                    "is computed");
            assertRefused(connection, "SELECT c AS never_run_5 FROM customers c", "is computed");
            // The session is still usable, and the mask still applies.
            assertThat(PostgresProxyTest.query(connection, "SELECT email FROM customers WHERE id = 1"))
                    .containsExactly("***");
        }
        for (int i = 1; i <= 5; i++) {
            assertThat(upstream.logged("never_run_" + i)).isFalse();
        }
    }

    @Test
    void aMaskedExecuteAfterAFailedOneInTheSameBatchIsNotRunAndTheSessionAnswersTheSync() throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            assertThat(RawClient.sqlState(client.login("reporter", key))).isEmpty();
            for (String sql : List.of("SELECT 1 / (id - id) FROM orders", "SELECT email FROM customers")) {
                client.message(
                        'P',
                        new Wire.Builder().cstring("").cstring(sql).int16(0).build());
                client.message(
                        'B',
                        new Wire.Builder()
                                .cstring("")
                                .cstring("")
                                .int16(0)
                                .int16(0)
                                .int16(0)
                                .build());
                client.message('E', new Wire.Builder().cstring("").int32(0).build());
            }
            client.message('S', new byte[0]);
            List<RawClient.Message> answer = client.untilReady();
            // The upstream skips what follows the division by zero up to the Sync: the masked statement never runs.
            assertThat(answer).extracting(RawClient.Message::type).containsExactly('1', '2', 'E', 'Z');
            assertThat(RawClient.sqlState(answer)).contains("22012");
            client.query("SELECT email FROM customers WHERE id = 1");
            List<RawClient.Message> next = client.untilReady();
            assertThat(next).extracting(RawClient.Message::type).containsExactly('T', 'D', 'C', 'Z');
            assertThat(next.get(1).text()).contains("***").doesNotContain("ann@");
        }
    }

    @Test
    void aRefusalInsideATransactionLeavesItFailedAsARealErrorWould() throws Exception {
        try (Connection connection = agent()) {
            connection.setAutoCommit(false);
            assertThat(PostgresProxyTest.query(connection, "SELECT name FROM customers WHERE id = 1"))
                    .containsExactly("Ann");
            assertRefused(connection, "SELECT lower(email) FROM customers", "is computed");
            assertThatThrownBy(() -> PostgresProxyTest.query(connection, "SELECT 1"))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
            connection.rollback();
            assertThat(PostgresProxyTest.query(connection, "SELECT ssn FROM customers WHERE id = 1"))
                    .containsExactly("***");
        }
    }

    @Test
    void copyOutOfATableUnderAMaskIsRefusedAndTheSessionStaysUsable() throws Exception {
        try (Connection connection = agent()) {
            var copy = connection.unwrap(PGConnection.class).getCopyAPI();
            assertThatThrownBy(() -> copy.copyOut("COPY customers TO STDOUT", new java.io.StringWriter()))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        assertThat(e.getMessage())
                                .contains("COPY TO STDOUT is refused")
                                .contains("customer-exports-are-masked");
                    });
            assertThatThrownBy(() -> copy.copyOut("COPY customers TO STDOUT (FORMAT csv)", new java.io.StringWriter()))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            java.io.StringWriter orders = new java.io.StringWriter();
            assertThat(copy.copyOut("COPY orders TO STDOUT", orders)).isEqualTo(3);
            assertThat(PostgresProxyTest.query(connection, "SELECT email FROM customers WHERE id = 2"))
                    .containsExactly("***");
        }
    }

    @Test
    void anApprovedStatementRunsWithItsRulesMasks() throws Exception {
        ExecutorService agents = Executors.newSingleThreadExecutor();
        try (Connection connection = agent()) {
            Future<List<String>> deleted = agents.submit(() ->
                    PostgresProxyTest.query(connection, "DELETE FROM customers WHERE id = 2 RETURNING id, email"));
            ApprovalRequest pending = awaitRequest(request -> request.isPending()
                    && request.action().paramsView().path("kind").asString().equals("delete"));
            assertThat(pending.decision().masks()).hasSize(1);
            fixture.workflow.approve(ALICE, pending.id(), Optional.of("ok"), "test");
            assertThat(deleted.get(20, TimeUnit.SECONDS)).containsExactly("2|***");
        } finally {
            agents.shutdownNow();
        }
        try (Connection direct = upstream.direct()) {
            assertThat(PostgresProxyTest.query(direct, "SELECT id FROM customers"))
                    .containsExactly("1");
        }
    }

    @Test
    void psqlGetsMaskedRowsAndRefusalsThroughTheSimpleQueryProtocol() throws Exception {
        Psql.Session psql = new Psql.Session(proxy.port(), "reporter", key, directory);
        assumeTrue(Psql.installed(), "psql is not installed (apt-get install -y postgresql-client): skipping");
        Psql rows = psql.run("SELECT id, name, email, ssn, birthday FROM customers ORDER BY id");
        assertThat(rows.exit()).isZero();
        assertThat(rows.out().lines()).containsExactly("1|Ann|***|***|", "2|Bob|***|***|");
        Psql computed = psql.run("SELECT md5(email) FROM customers");
        assertThat(computed.exit()).isNotZero();
        assertThat(computed.err()).contains("ERROR:  42501:").contains("is computed");
        Psql copy = psql.run("COPY customers TO STDOUT");
        assertThat(copy.exit()).isNotZero();
        assertThat(copy.err()).contains("ERROR:  42501:").contains("COPY TO STDOUT is refused");
        assertThat(copy.out()).doesNotContain("example.com");
        Psql several = psql.run("SELECT email FROM customers; SELECT 1");
        assertThat(several.err()).contains("ERROR:  42501:").contains("several statements");
        Psql missing = psql.run("SELECT nothing FROM customers");
        assertThat(missing.err()).contains("ERROR:  42703:");
    }

    static void assertRefused(Connection connection, String sql, String why) {
        assertThatThrownBy(() -> PostgresProxyTest.query(connection, sql))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("42501");
                    assertThat(e.getMessage())
                            .contains("customer-reads-are-masked")
                            .contains(why);
                });
    }

    static String statement(JsonNode entry) {
        return entry.path("data").path("params").path("statement").asString();
    }

    JsonNode awaitEntry(String type, Predicate<JsonNode> matching) throws InterruptedException {
        return ProxyWaits.entry(fixture, type, matching);
    }

    ApprovalRequest awaitRequest(Predicate<ApprovalRequest> matching) throws InterruptedException {
        return ProxyWaits.request(fixture, matching);
    }
}
