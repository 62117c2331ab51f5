package io.countersign.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Cli;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.tlog.tlogproof.TlogProofVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An export verifies offline; one changed byte anywhere in it fails verification, and a changed entry is named. */
class AuditExportTest {
    @TempDir
    static Path scenario;

    static Path data;
    static Path export;
    static String key;
    static byte[] exported;

    @TempDir
    Path dir;

    @BeforeAll
    static void exportAScenario() throws Exception {
        data = scenario.resolve("data");
        String agent = AuditGateway.agentKey(data, "reporter");
        try (AuditGateway gateway =
                new AuditGateway(scenario, AuditConfig.defaults().withOrigin("countersign.test/export"))) {
            for (int i = 0; i < 10; i++) {
                assertThat(gateway.query(agent, "db/prod/table-" + i).statusCode())
                        .isEqualTo(200);
            }
        }
        key = AuditSigningKey.readIfPresent(data.resolve(AuditSigningKey.FILE_NAME))
                .orElseThrow()
                .verifier()
                .format();
        export = scenario.resolve("audit.export");
        Cli.Run run = Cli.run("audit", "export", "--data", data.toString(), "--out", export.toString());
        assertThat(run.exitCode()).as(run.all()).isZero();
        exported = Files.readAllBytes(export);
    }

    @Test
    void anExport_verifiesOffline_andLooksAsDocumented() throws Exception {
        Cli.Run run = verify(export);

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("verified:").contains("of log 'countersign.test/export'");
        List<String> lines = Files.readAllLines(export);
        assertThat(lines.get(0)).isEqualTo("countersign-audit-export v1");
        assertThat(lines.get(1)).isEqualTo("key " + key);
        assertThat(lines.get(2)).isEqualTo("checkpoint 5");
        assertThat(lines.get(3)).isEqualTo("countersign.test/export");
        assertThat(lines.getLast()).isEqualTo("end");
    }

    @Test
    void anExportFromTheServer_isTheSameLog() throws Exception {
        try (AuditGateway gateway = new AuditGateway(scenario, AuditConfig.defaults())) {
            Path fromServer = dir.resolve("server.export");
            Cli.Run exportRun = Cli.run(
                    "audit", "export", "--server", gateway.baseUrl(), "--out", fromServer.toString(), "--key", key);
            Cli.Run verifyRun = verify(fromServer);

            assertThat(exportRun.exitCode()).as(exportRun.all()).isZero();
            assertThat(verifyRun.exitCode()).as(verifyRun.all()).isZero();
        }
    }

    @Test
    void oneChangedByteInAnEntry_namesTheEntry() throws Exception {
        String text = new String(exported, StandardCharsets.ISO_8859_1); // one char per byte
        int entry7 = text.indexOf("{\"actor\":", text.indexOf("\"seq\":6,"));
        int at = text.indexOf("\"actor\":\"", entry7) + 10;

        Cli.Run run = verify(flip(at));

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err()).contains("FAILED: entry 7: leaf hash does not match the signed checkpoint");
    }

    @Test
    void oneChangedByteAnywhere_failsVerification() throws Exception {
        // Every line kind: header, key, checkpoint (origin, size, root, signature), hash list, entries, the end line.
        String text = new String(exported, StandardCharsets.ISO_8859_1); // one char per byte
        int[] positions = {
            3, // header
            text.indexOf("key ") + 20, // key
            text.indexOf("checkpoint ") + 11, // checkpoint line count
            text.indexOf("countersign.test/export\n", 40) + 3, // origin
            text.indexOf("\u00e2\u0080\u0094 ") + 30, // "\u2014 " in UTF-8 bytes                        // signature
            text.indexOf("leaf-hashes ") + 20, // hash list
            text.indexOf("entries ") + 8, // entry count
            text.indexOf("\"seq\":3,") + 6, // a seq
            text.indexOf("\"type\":", text.indexOf("\"seq\":9,")) + 9, // an entry's type
            exported.length - 2, // "end"
        };
        for (int position : positions) {
            Cli.Run run = verify(flip(position));

            assertThat(run.exitCode())
                    .as("byte %d changed: %s", position, run.all())
                    .isEqualTo(1);
            assertThat(run.err()).as("byte %d changed", position).contains("FAILED");
        }
    }

    @Test
    void prove_printsATlogProofThatVerifiesOffline() throws Exception {
        Cli.Run run = Cli.run("audit", "prove", "--data", data.toString(), "--index", "3");

        assertThat(run.exitCode()).as(run.all()).isZero();
        List<String> lines = Files.readAllLines(export);
        byte[] entry3 = lines.get(lines.indexOf(lines.stream()
                                .filter(line -> line.startsWith("entries "))
                                .findFirst()
                                .orElseThrow())
                        + 4)
                .getBytes(StandardCharsets.UTF_8);
        assertThat(new String(entry3, StandardCharsets.UTF_8)).contains("\"seq\":3,");
        assertThat(TlogProofVerifier.verify(run.out(), entry3, NoteVerifier.parse(key))
                        .origin())
                .isEqualTo("countersign.test/export");
    }

    private Path flip(int position) throws Exception {
        byte[] changed = exported.clone();
        changed[position] ^= 0x01;
        Path file = dir.resolve("changed-" + position + ".export");
        Files.write(file, changed);
        return file;
    }

    private Cli.Run verify(Path file) {
        return Cli.run(
                "audit",
                "verify",
                "--export",
                file.toString(),
                "--key",
                key,
                "--state",
                dir.resolve("state-" + System.nanoTime()).toString());
    }
}
