package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.audit.AuditSigningKey;
import io.countersign.server.identity.IdentityConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, section 4: the entries are for auditors and admins unless {@code audit.publicEntries};
 * checkpoints, the key and proofs stay public; the database files are the owner's alone; and each
 * new data folder is its own log, under its own origin.
 */
class AuditPrivacyTest {
    @TempDir
    Path directory;

    private TestGateway gateway(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new TestGateway(
                dir,
                IdentityConfig.localOnly().withRoles(Set.of("countersign-admins"), Set.of("auditors")),
                "/e2e-policy.yaml");
    }

    @Test
    void entriesNeedAnAuditorOrAdmin_whileCheckpointsTheKeyAndProofsStayPublic() {
        try (TestGateway gateway = gateway(directory)) {
            String agent = gateway.agent("reporter");
            String alice = gateway.human("alice", "data-owners");
            String auditor = gateway.human("ann", "auditors");
            String admin = gateway.human("ada", "countersign-admins");
            gateway.http.post(
                    "/v1/actions",
                    agent,
                    json(
                            "action",
                            "db.query",
                            "resource",
                            "db/x",
                            "reason",
                            "r",
                            "params",
                            java.util.Map.of("q", "secret")));

            assertThat(gateway.http.get("/v1/audit/entries", null).status()).isEqualTo(401);
            assertThat(gateway.http.get("/v1/audit/entries", agent).status()).isEqualTo(403);
            assertThat(gateway.http.get("/v1/audit/entries", alice).status()).isEqualTo(403);
            assertThat(gateway.http.get("/v1/audit/entries", auditor).body()).contains("\"secret\"");
            assertThat(gateway.http.get("/v1/audit/entries", admin).status()).isEqualTo(200);
            assertThat(gateway.http.get("/v1/audit/checkpoint", null).status()).isEqualTo(200);
            assertThat(gateway.http.get("/v1/audit/key", null).status()).isEqualTo(200);
            assertThat(gateway.http
                            .get("/v1/audit/proof/consistency?from=1&to=1", null)
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void publicEntries_opensTheEntriesToAnyone() {
        try (TestGateway gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly(),
                "/e2e-policy.yaml",
                config -> config.withAudit(config.audit().withPublicEntries(true)))) {
            assertThat(gateway.http.get("/v1/audit/entries", null).status()).isEqualTo(200);
        }
    }

    @Test
    void auditVerifyServer_readsTheEntriesWithAnAuditorsToken_andSaysSoWithoutOne() throws IOException {
        try (TestGateway gateway = gateway(directory)) {
            String auditor = gateway.human("ann", "auditors");
            Path state = directory.resolve("state");

            Cli.Run without = Cli.run(
                    "audit",
                    "verify",
                    "--server",
                    gateway.baseUrl(),
                    "--trust-on-first-use",
                    "--state",
                    state.toString());
            Cli.Run with = Cli.run(
                    "audit",
                    "verify",
                    "--server",
                    gateway.baseUrl(),
                    "--trust-on-first-use",
                    "--state",
                    state.toString(),
                    "--token",
                    auditor);

            assertThat(without.exitCode()).as(without.all()).isEqualTo(2);
            assertThat(without.err()).contains("needs an auditor's or admin's token (--token or COUNTERSIGN_TOKEN)");
            assertThat(with.exitCode()).as(with.all()).isEqualTo(0);
            assertThat(with.all()).doesNotContain(auditor);
        }
    }

    @Test
    void theDatabaseAndItsWalAndShmFiles_areReadableByTheOwnerOnly_andAnOlderFolderIsNarrowed() throws IOException {
        Path db;
        try (TestGateway gateway = gateway(directory)) {
            gateway.agent("reporter");
            db = gateway.data().resolve("countersign.db");
            for (String file : new String[] {"countersign.db", "countersign.db-wal", "countersign.db-shm"}) {
                assertThat(PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(gateway.data().resolve(file))))
                        .as(file)
                        .isEqualTo("rw-------");
            }
            gateway.stop();
            Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
            gateway.start();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db)))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void eachNewDataFolderIsItsOwnLog_andKeepsItsOriginAcrossRestarts() throws IOException {
        String first;
        String second;
        String again;
        Path data;
        try (TestGateway gateway = gateway(directory.resolve("one"))) {
            first = origin(gateway.http.get("/v1/audit/key", null).body());
            data = gateway.data();
            gateway.restart();
            again = origin(gateway.http.get("/v1/audit/key", null).body());
        }
        try (TestGateway gateway = gateway(directory.resolve("two"))) {
            second = origin(gateway.http.get("/v1/audit/key", null).body());
        }

        String logId =
                Files.readString(data.resolve(AuditSigningKey.LOG_ID_FILE)).strip();
        assertThat(first).matches("countersign/[a-z0-9.-]+/[0-9a-f]{16}").endsWith("/" + logId);
        assertThat(second).isNotEqualTo(first);
        assertThat(again).isEqualTo(first);
    }

    private static String origin(String verifierKey) {
        return verifierKey.substring(0, verifierKey.indexOf('+'));
    }
}
