package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.config.DatabaseConfig;
import io.countersign.server.config.ServerConfig;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.TestPostgres;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code countersign backup --config} of a running gateway on PostgreSQL, and {@code countersign restore --config}
 * into an empty PostgreSQL database: one backup format for both stores, verified before anything is restored and
 * again where the gateway reads it; a gateway then runs on the restored database with the old credentials and keys.
 */
class PostgresBackupRestoreTest {
    @TempDir
    Path dir;

    @Test
    void aLiveBackupOfAPostgresStore_restoresIntoAnEmptyDatabaseThatVerifies_andAGatewayRunsOnIt_butNotOverKeysOrRows()
            throws Exception {
        Path policy = policy();
        String source = TestPostgres.newDatabase();
        Path sourceConfig = config("source", source);
        String agent = Cli.run("agents", "create", "reporter", "--config", sourceConfig.toString())
                .lastLine();
        String alice = Cli.run(
                        "humans",
                        "create",
                        "alice",
                        "--email",
                        "alice@example.com",
                        "--group",
                        "data-owners",
                        "--config",
                        sourceConfig.toString())
                .lastLine();
        Path backup = dir.resolve("countersign.backup");
        String id;
        try (Gateway gateway = Gateway.start(settings("source", source, policy), Clock.systemUTC())) {
            Http http = new Http(gateway.baseUrl());
            id = http.post(
                            "/v1/actions",
                            agent,
                            json("action", "db.export", "resource", "db/prod/customers", "reason", "report"))
                    .text("id");
            AtomicBoolean writing = new AtomicBoolean(true);
            CompletableFuture<Integer> writes = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                while (writing.get()) {
                    http.post(
                            "/v1/actions",
                            agent,
                            json(
                                    "action",
                                    "db.query",
                                    "resource",
                                    "db/prod/x",
                                    "params",
                                    Map.of("n", n++),
                                    "reason",
                                    "busy"));
                }
                return n;
            });
            Thread.sleep(1_500); // a checkpoint covers the first entries

            Cli.Run backedUp = Cli.run("backup", "--config", sourceConfig.toString(), "--out", backup.toString());

            writing.set(false);
            assertThat(writes.get()).isPositive();
            assertThat(backedUp.exitCode()).as(backedUp.all()).isZero();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)))
                .isEqualTo("rw-------");
        String key =
                Cli.run("audit", "key", "--config", sourceConfig.toString()).lastLine();
        String target = TestPostgres.newDatabase();
        Path targetConfig = config("target", target);

        Cli.Run restore =
                Cli.run("restore", "--from", backup.toString(), "--config", targetConfig.toString(), "--key", key);

        assertThat(restore.exitCode()).as(restore.all()).isZero();
        assertThat(restore.out()).contains("its audit log verified").contains("verified again");
        for (String file : new String[] {"grant.key", "audit-entry.key", "audit-signing.key", "log-id"}) {
            assertThat(Files.readAllBytes(dir.resolve("target").resolve(file)))
                    .as(file)
                    .isEqualTo(Files.readAllBytes(dir.resolve("source").resolve(file)));
        }
        assertThat(dir.resolve("target").resolve("countersign.db")).doesNotExist();
        Cli.Run verify = verify(targetConfig, key);
        assertThat(verify.exitCode()).as(verify.all()).isZero();
        try (Gateway gateway = Gateway.start(settings("target", target, policy), Clock.systemUTC())) {
            Http http = new Http(gateway.baseUrl());
            Response read = http.get("/v1/actions/" + id, agent);
            assertThat(read.status())
                    .as("the agent's key and its request came back: %s", read.body())
                    .isEqualTo(202);
            Response approved = http.post("/v1/actions/" + id + "/approve", alice, "{}");
            assertThat(approved.status()).as(approved.body()).isEqualTo(200);
            Response query = http.post(
                    "/v1/actions", agent, json("action", "db.query", "resource", "db/prod/x", "reason", "after"));
            assertThat(query.status()).as(query.body()).isEqualTo(200);
            Thread.sleep(1_500); // the restored node signs a checkpoint over its new entries, with the old key
        }
        Cli.Run extended = verify(targetConfig, key);
        assertThat(extended.exitCode()).as(extended.all()).isZero();

        Cli.Run keysThere =
                Cli.run("restore", "--from", backup.toString(), "--config", targetConfig.toString(), "--key", key);
        Cli.Run rowsThere = Cli.run(
                "restore",
                "--from",
                backup.toString(),
                "--config",
                config("fresh", target).toString(),
                "--key",
                key);
        assertThat(keysThere.exitCode()).isNotZero();
        assertThat(keysThere.err()).contains("the data folder already has");
        assertThat(rowsThere.exitCode()).isNotZero();
        assertThat(rowsThere.err()).contains("already has rows");
        assertThat(dir.resolve("fresh").resolve("grant.key"))
                .as("a refused restore leaves no key behind")
                .doesNotExist();

        Cli.Run intoSqlite = Cli.run(
                "restore",
                "--from",
                backup.toString(),
                "--data",
                dir.resolve("sqlite").toString(),
                "--key",
                key);
        assertThat(intoSqlite.exitCode())
                .as("a PostgreSQL backup restores into a data folder too: %s", intoSqlite.all())
                .isZero();
    }

    private Path policy() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        try (InputStream in = PostgresBackupRestoreTest.class.getResourceAsStream("/e2e-policy.yaml")) {
            Files.write(policy, in.readAllBytes());
        }
        return policy;
    }

    private Path config(String name, String url) throws Exception {
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, "data: ./" + name + "\npolicy: ./policy.yaml\ndatabase:\n  url: " + url + "\n");
        return config;
    }

    private ServerConfig settings(String name, String url, Path policy) {
        return ServerConfig.defaults()
                .withDataDirectory(dir.resolve(name))
                .withPolicyFile(policy)
                .withPort(0)
                .withDatabase(DatabaseConfig.postgres(PostgresSettings.of(url)));
    }

    private Cli.Run verify(Path config, String key) {
        return Cli.run(
                "audit",
                "verify",
                "--config",
                config.toString(),
                "--key",
                key,
                "--state",
                dir.resolve("state").toString());
    }
}
