package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code countersign backup} of a running gateway, and {@code countersign restore} that verifies before it restores. */
class BackupRestoreTest {
    @TempDir
    Path directory;

    @Test
    void aBackupTakenWhileTheGatewayWrites_restoresIntoAFolderWhoseLogVerifies_andTheGatewayRunsOnIt()
            throws Exception {
        Path backup = directory.resolve("countersign.backup");
        String id;
        String agent;
        String key;
        byte[] grantKey;
        byte[] entryKey;
        byte[] logId;
        try (TestGateway gateway = new TestGateway(directory)) {
            agent = gateway.agent("reporter");
            id = gateway.http
                    .post(
                            "/v1/actions",
                            agent,
                            json("action", "db.export", "resource", "db/prod/customers", "reason", "report"))
                    .text("id");
            AtomicBoolean writing = new AtomicBoolean(true);
            CompletableFuture<Integer> writes = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                while (writing.get()) {
                    gateway.http.post(
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

            Cli.Run backedUp = Cli.run("backup", "--data", gateway.data().toString(), "--out", backup.toString());

            writing.set(false);
            assertThat(writes.get()).isPositive();
            assertThat(backedUp.exitCode()).as(backedUp.all()).isZero();
            key = Cli.run("audit", "key", "--data", gateway.data().toString()).lastLine();
            grantKey = Files.readAllBytes(gateway.data().resolve("grant.key"));
            entryKey = Files.readAllBytes(gateway.data().resolve("audit-entry.key"));
            logId = Files.readAllBytes(gateway.data().resolve("log-id"));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)))
                .isEqualTo("rw-------");
        Path restored = directory.resolve("restored");

        Cli.Run restore = Cli.run("restore", "--from", backup.toString(), "--data", restored.toString(), "--key", key);

        assertThat(restore.exitCode()).as(restore.all()).isZero();
        assertThat(restore.out()).contains("its audit log verified");
        assertThat(Files.readAllBytes(restored.resolve("grant.key"))).isEqualTo(grantKey);
        // Without the entry MAC key the restored gateway could sign no new checkpoint; without the log id its origin
        // would change.
        assertThat(Files.readAllBytes(restored.resolve("audit-entry.key"))).isEqualTo(entryKey);
        assertThat(Files.readAllBytes(restored.resolve("log-id"))).isEqualTo(logId);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(restored.resolve("audit-signing.key"))))
                .isEqualTo("rw-------");
        Cli.Run verify = Cli.run(
                "audit",
                "verify",
                "--data",
                restored.toString(),
                "--key",
                key,
                "--state",
                directory.resolve("state").toString());
        assertThat(verify.exitCode()).as(verify.all()).isZero();
        try (Gateway gateway = Gateway.start(
                io.countersign.server.config.ServerConfig.defaults()
                        .withDataDirectory(restored)
                        .withPort(0),
                java.time.Clock.systemUTC())) {
            Response read = new Http(gateway.baseUrl()).get("/v1/actions/" + id, agent);
            assertThat(read.status())
                    .as("the agent's key and its request came back: %s", read.body())
                    .isIn(200, 202);
            assertThat(read.text("id")).isEqualTo(id);
        }
    }

    @Test
    void restoreRefusesANonEmptyFolder_aWrongKey_andAFileThatIsNotABackup() throws Exception {
        Path backup = directory.resolve("countersign.backup");
        try (TestGateway gateway = new TestGateway(directory)) {
            Thread.sleep(1_200);
            assertThat(Cli.run("backup", "--data", gateway.data().toString(), "--out", backup.toString())
                            .exitCode())
                    .isZero();
            assertThat(Cli.run("backup", "--data", gateway.data().toString(), "--out", backup.toString())
                            .err())
                    .contains("never overwrites");
        }
        Path occupied = Files.createDirectories(directory.resolve("occupied"));
        Files.writeString(occupied.resolve("something"), "x");
        Cli.Run otherKey = Cli.run(
                "audit",
                "keygen",
                "--origin",
                "other.example.com/audit",
                "--out",
                directory.resolve("other.key").toString());
        Path evil = directory.resolve("evil.backup");
        try (OutputStream out = Files.newOutputStream(evil);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("../escaped"));
            zip.write(1);
        }

        List<Cli.Run> refused = new ArrayList<>();
        refused.add(Cli.run("restore", "--from", backup.toString(), "--data", occupied.toString()));
        refused.add(Cli.run(
                "restore",
                "--from",
                backup.toString(),
                "--data",
                directory.resolve("a").toString(),
                "--key",
                otherKey.lastLine()));
        refused.add(Cli.run(
                "restore",
                "--from",
                evil.toString(),
                "--data",
                directory.resolve("b").toString()));

        assertThat(refused)
                .allSatisfy(run -> assertThat(run.exitCode()).as(run.all()).isNotZero());
        assertThat(refused.get(0).err()).contains("is not empty");
        assertThat(refused.get(1).err()).contains("nothing restored");
        assertThat(refused.get(2).err()).contains("unexpected entry '../escaped'");
        assertThat(directory.resolve("a")).doesNotExist();
        assertThat(directory.resolve("b")).doesNotExist();
        assertThat(directory.resolve("escaped")).doesNotExist();
        assertThat(Cli.run(
                                "restore",
                                "--from",
                                backup.toString(),
                                "--data",
                                directory.resolve("c").toString())
                        .exitCode())
                .isZero();
    }
}
