package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.server.Http.Response;
import io.countersign.server.audit.AuditConfig;
import io.countersign.server.config.DatabaseConfig;
import io.countersign.server.config.ServerConfig;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.postgres.TestPostgres;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A gateway's stored log damaged behind its back, on both stores: a missing middle entry and a
 * changed entry are verification failures that name the entry, through the server and on the
 * database; a changed Merkle tree node is found by verify on the database, and the gateway
 * refuses to serve the proofs that go through it.
 */
class AuditDamageTest {
    private static final int REQUESTS = 12;

    @TempDir
    Path dir;

    private Gateway gateway;
    private Optional<String> postgresUrl = Optional.empty();
    private Path config;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void missingMiddleEntry_isAVerificationFailureNamingIt_throughTheServerAndOnTheDatabase(String store)
            throws Exception {
        start(store);
        damage("DELETE FROM audit_entries WHERE seq = 5");

        Cli.Run server = verify("--server", gateway.baseUrl());
        assertThat(server.exitCode()).as(server.all()).isEqualTo(1);
        assertThat(server.err()).contains("entry 5 missing");
        Cli.Run database = verify("--config", config.toString());
        assertThat(database.exitCode()).as(database.all()).isEqualTo(1);
        assertThat(database.err()).contains("entry 5 missing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void changedEntry_isAVerificationFailureNamingIt_throughTheServerAndOnTheDatabase(String store) throws Exception {
        start(store);
        damage(
                postgresUrl.isPresent()
                        ? "UPDATE audit_entries SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), '\"type\":\"', '\"type\":\"x'), 'UTF8') WHERE seq = 7"
                        : "UPDATE audit_entries SET leaf = CAST(replace(CAST(leaf AS TEXT), '\"type\":\"', '\"type\":\"x') AS BLOB) WHERE seq = 7");

        for (String[] source : new String[][] {{"--server", gateway.baseUrl()}, {"--config", config.toString()}}) {
            Cli.Run run = verify(source);
            assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
            assertThat(run.err()).contains("entry 7");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void changedTreeNode_isFoundByVerifyOnTheDatabase_andTheGatewayRefusesTheProofsThroughIt(String store)
            throws Exception {
        start(store);
        Http http = new Http(gateway.baseUrl());
        assertThat(http.get("/v1/audit/proof/inclusion?index=0", null).status()).isEqualTo(200);
        // Node (1, 1) is the hash of entries 2 and 3: it is in the inclusion proofs of entries 0 and 1.
        damage("UPDATE audit_nodes SET hash = " + (postgresUrl.isPresent() ? "sha256(hash)" : "randomblob(32)")
                + " WHERE level = 1 AND idx = 1");

        Response proof = http.get("/v1/audit/proof/inclusion?index=0", null);
        assertThat(proof.status()).as(proof.body()).isEqualTo(500);
        assertThat(proof.contentType()).startsWith("application/problem+json");
        assertThat(proof.text("type")).isEqualTo("urn:countersign:problem:audit-tree-damaged");
        assertThat(http.get("/v1/audit/proof/inclusion?index=2", null).status())
                .as("a proof that does not use the node")
                .isEqualTo(200);
        Cli.Run database = verify("--config", config.toString());
        assertThat(database.exitCode()).as(database.all()).isEqualTo(1);
        assertThat(database.err()).contains("node(level 1, index 1)");
    }

    private void start(String store) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        try (InputStream in = AuditDamageTest.class.getResourceAsStream("/e2e-policy.yaml")) {
            Files.write(policy, in.readAllBytes());
        }
        ServerConfig settings = ServerConfig.defaults()
                .withDataDirectory(dir.resolve("data"))
                .withPolicyFile(policy)
                .withPort(0)
                .withAudit(AuditConfig.defaults()
                        .withPublicEntries(true)); // verify --server reads the entries anonymously
        String yaml = "data: ./data\npolicy: ./policy.yaml\naudit:\n  publicEntries: true\n";
        if (store.equals("postgres")) {
            postgresUrl = Optional.of(TestPostgres.newDatabase());
            settings = settings.withDatabase(DatabaseConfig.postgres(PostgresSettings.of(postgresUrl.get())));
            yaml += "database:\n  url: " + postgresUrl.get() + "\n";
        }
        config = dir.resolve("countersign.yaml");
        Files.writeString(config, yaml);
        gateway = Gateway.start(settings, Clock.systemUTC());
        String agent =
                postgresUrl.isPresent() ? agentOnPostgres(postgresUrl.get()) : agentOnSqlite(dir.resolve("data"));
        Http http = new Http(gateway.baseUrl());
        for (int i = 0; i < REQUESTS; i++) {
            assertThat(http.post(
                                    "/v1/actions",
                                    agent,
                                    Http.json("action", "db.query", "resource", "db/prod/t" + i, "reason", "load"))
                            .status())
                    .isEqualTo(200);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (signedSize(http) < REQUESTS && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(signedSize(http)).as("a checkpoint covers the requests").isGreaterThanOrEqualTo(REQUESTS);
        Cli.Run before = verify("--server", gateway.baseUrl()); // pins the key and remembers the checkpoint
        assertThat(before.exitCode()).as(before.all()).isZero();
    }

    private static long signedSize(Http http) {
        Response checkpoint = http.get("/v1/audit/checkpoint", null);
        return checkpoint.status() == 200 ? Long.parseLong(checkpoint.body().split("\n")[1]) : 0;
    }

    private Cli.Run verify(String... source) {
        String[] args = new String[source.length + 5];
        args[0] = "audit";
        args[1] = "verify";
        System.arraycopy(source, 0, args, 2, source.length);
        args[source.length + 2] = "--trust-on-first-use";
        args[source.length + 3] = "--state";
        args[source.length + 4] = dir.resolve("verifier-state").toString();
        return Cli.run(args);
    }

    /** Runs {@code sql} with the append-only triggers out of the way, as someone with the database's keys could. */
    private void damage(String sql) throws SQLException {
        if (postgresUrl.isPresent()) {
            try (Connection connection = DriverManager.getConnection(postgresUrl.get());
                    Statement statement = connection.createStatement()) {
                statement.execute("SET session_replication_role = replica"); // no triggers fire for this session
                statement.execute(sql);
            }
        } else {
            try (Connection connection = DriverManager.getConnection(
                            "jdbc:sqlite:" + dir.resolve("data").resolve("countersign.db"));
                    Statement statement = connection.createStatement()) {
                for (String trigger :
                        new String[] {"audit_entries_no_update", "audit_entries_no_delete", "audit_nodes_no_update"}) {
                    statement.execute("DROP TRIGGER IF EXISTS " + trigger);
                }
                statement.execute(sql);
            }
        }
    }

    private static String agentOnPostgres(String url) {
        try (PostgresStore store = PostgresStore.open(PostgresSettings.of(url))) {
            return new ApiTokens(store, Clock.systemUTC())
                    .issue(new Agent("loader", Map.of()))
                    .reveal();
        }
    }

    private static String agentOnSqlite(Path data) {
        return TestCredentials.issue(data, new Agent("loader", Map.of()));
    }
}
