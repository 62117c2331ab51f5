package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.config.DatabaseConfig;
import io.countersign.server.config.ServerConfig;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.TestPostgres;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data commands with {@code --config}: they work on the PostgreSQL database the config names, as they do on a
 * data folder (principals, the log's key, verification, the evidence package).
 */
class ConfigOptionCommandsTest {
    @TempDir
    Path dir;

    @Test
    void agentsAndHumansCreatedWithConfig_liveInPostgres_andAGatewayOnItAcceptsTheirCredentials() throws Exception {
        String url = TestPostgres.newDatabase();
        Path policy = dir.resolve("policy.yaml");
        try (InputStream in = ConfigOptionCommandsTest.class.getResourceAsStream("/e2e-policy.yaml")) {
            Files.write(policy, in.readAllBytes());
        }
        Path config = dir.resolve("countersign.yaml");
        Files.writeString(config, "data: ./data\npolicy: ./policy.yaml\ndatabase:\n  url: " + url + "\n");

        Cli.Run agent = Cli.run("agents", "create", "deployer", "--config", config.toString());
        assertThat(agent.exitCode()).as(agent.all()).isZero();
        Cli.Run human = Cli.run(
                "humans",
                "create",
                "alice",
                "--email",
                "alice@example.com",
                "--group",
                "data-owners",
                "--config",
                config.toString());
        assertThat(human.exitCode()).as(human.all()).isZero();
        Cli.Run auditor = Cli.run(
                "humans",
                "create",
                "otto",
                "--email",
                "otto@example.com",
                "--role",
                "auditor",
                "--config",
                config.toString());
        assertThat(auditor.exitCode()).as(auditor.all()).isZero();
        Cli.Run list = Cli.run("agents", "list", "--config", config.toString());
        assertThat(list.out()).contains("deployer");
        assertThat(Files.exists(dir.resolve("data").resolve("countersign.db")))
                .as("no SQLite file was made")
                .isFalse();

        ServerConfig settings = ServerConfig.defaults()
                .withDataDirectory(dir.resolve("data"))
                .withPolicyFile(policy)
                .withPort(0)
                .withDatabase(DatabaseConfig.postgres(PostgresSettings.of(url)));
        try (Gateway gateway = Gateway.start(settings, Clock.systemUTC())) {
            Http http = new Http(gateway.baseUrl());
            Response pending = http.post(
                    "/v1/actions",
                    agent.lastLine(),
                    Http.json("action", "db.export", "resource", "db/prod/customers", "reason", "report"));
            assertThat(pending.status()).as(pending.body()).isEqualTo(202);
            Response approved = http.post("/v1/actions/" + pending.text("id") + "/approve", human.lastLine(), "{}");
            assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        }
        Cli.Run verify = Cli.run(
                "audit",
                "verify",
                "--config",
                config.toString(),
                "--trust-on-first-use",
                "--state",
                dir.resolve("state").toString());
        assertThat(verify.exitCode()).as(verify.all()).isZero();

        Cli.Run key = Cli.run("audit", "key", "--config", config.toString());
        assertThat(key.exitCode()).as(key.all()).isZero();
        Path evidence = dir.resolve("evidence.zip");
        Cli.Run export = Cli.run(
                "evidence",
                "export",
                "--from",
                "2000-01-01",
                "--to",
                "2100-01-01",
                "--out",
                evidence.toString(),
                "--as",
                "otto",
                "--config",
                config.toString());
        assertThat(export.exitCode()).as(export.all()).isZero();
        assertThat(export.out()).contains("exported 1 requests");
        Cli.Run checked = Cli.run("audit", "verify", "--export", evidence.toString(), "--key", key.lastLine());
        assertThat(checked.exitCode()).as(checked.all()).isZero();
        assertThat(Files.exists(dir.resolve("data").resolve("countersign.db")))
                .as("still no SQLite file")
                .isFalse();
    }
}
