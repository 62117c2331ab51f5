package io.countersign.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Cli;
import io.countersign.store.EntryMacs;
import io.countersign.tlog.note.NoteSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 7 on a real data folder: after a scenario on a real gateway, each way an attacker
 * with the database file could change the log (triggers dropped first) makes
 * {@code countersign audit verify} fail and name the first bad entry; untouched, it passes.
 */
class AuditTamperTest {
    private static final String[] TRIGGERS = {
        "audit_entries_no_update",
        "audit_entries_no_delete",
        "audit_nodes_no_update",
        "audit_nodes_no_delete",
        "audit_checkpoints_no_update",
        "audit_checkpoints_no_delete"
    };

    @TempDir
    static Path scenario;

    static Path original;
    static String key;
    static long size;

    @TempDir
    Path dir;

    @BeforeAll
    static void runAScenario() throws IOException {
        original = scenario.resolve("data");
        String agent = AuditGateway.agentKey(original, "reporter");
        try (AuditGateway gateway =
                new AuditGateway(scenario, AuditConfig.defaults().withOrigin("countersign.test/audit"))) {
            for (int i = 0; i < 30; i++) {
                assertThat(gateway.query(agent, "db/prod/table-" + i).statusCode())
                        .isEqualTo(200);
            }
        }
        key = AuditSigningKey.readIfPresent(original.resolve(AuditSigningKey.FILE_NAME))
                .orElseThrow()
                .verifier()
                .format();
        size = count("SELECT COUNT(*) FROM audit_entries", original);
        assertThat(size).as("entries of the scenario").isGreaterThan(100);
    }

    @Test
    void untouched_verifies() throws IOException {
        Path data = copy();

        Cli.Run run = verify(data);

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("verified: " + size + " entries of log 'countersign.test/audit'");
    }

    @Test
    void oneEntryChanged_namesIt() throws Exception {
        Path data = copy();
        sql(data, connection -> {
            byte[] leaf = leaf(connection, 17);
            String changed = new String(leaf, StandardCharsets.UTF_8).replace("\"actor\":\"", "\"actor\":\"mallory-");
            update(connection, 17, changed.getBytes(StandardCharsets.UTF_8));
        });

        Cli.Run run = verify(data);

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err())
                .contains("FAILED: entry 17: leaf hash does not match the signed checkpoint of size " + size);
    }

    @Test
    void aChangedTypeColumnBesideAnIntactLeaf_namesTheEntry() throws Exception {
        Path data = copy();
        sql(data, connection -> execute(connection, "UPDATE audit_entries SET type = 'policy.loaded' WHERE seq = 23"));

        Cli.Run run = verify(data);

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err())
                .contains("FAILED: entry 23: the stored type column says 'policy.loaded' but the signed entry says");
    }

    @Test
    void aChangedRequestOrTimeColumn_namesTheEntry() throws Exception {
        Path data = copy();
        sql(data, connection -> execute(connection, "UPDATE audit_entries SET time = time + 1 WHERE seq = 31"));
        Cli.Run time = verify(data);
        sql(data, connection -> {
            execute(connection, "UPDATE audit_entries SET time = time - 1 WHERE seq = 31");
            execute(
                    connection,
                    "UPDATE audit_entries SET request_id = 'req_00000000000000000000000000' WHERE seq = 32");
        });
        Cli.Run request = verify(data);

        assertThat(time.exitCode()).as(time.all()).isEqualTo(1);
        assertThat(time.err()).contains("FAILED: entry 31: the stored time column says");
        assertThat(request.exitCode()).as(request.all()).isEqualTo(1);
        assertThat(request.err())
                .contains("FAILED: entry 32: the stored request column says 'req_00000000000000000000000000'");
    }

    @Test
    void oneEntryDeleted_namesIt() throws Exception {
        Path data = copy();
        sql(data, connection -> execute(connection, "DELETE FROM audit_entries WHERE seq = 42"));

        Cli.Run run = verify(data);

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err()).contains("FAILED: entry 42 missing");
    }

    @Test
    void twoEntriesSwapped_namesTheFirst() throws Exception {
        Path data = copy();
        sql(data, connection -> {
            byte[] ten = leaf(connection, 10);
            byte[] twenty = leaf(connection, 20);
            update(connection, 10, twenty);
            update(connection, 20, ten);
        });

        Cli.Run run = verify(data);

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err()).contains("FAILED: entry 10 missing: entry 20 is in its place");
    }

    @Test
    void twoEntriesSwappedAndRenumbered_namesTheFirst() throws Exception {
        Path data = copy();
        sql(data, connection -> {
            String ten = new String(leaf(connection, 10), StandardCharsets.UTF_8);
            String twenty = new String(leaf(connection, 20), StandardCharsets.UTF_8);
            update(connection, 10, twenty.replace("\"seq\":20,", "\"seq\":10,").getBytes(StandardCharsets.UTF_8));
            update(connection, 20, ten.replace("\"seq\":10,", "\"seq\":20,").getBytes(StandardCharsets.UTF_8));
        });

        Cli.Run run = verify(data);

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err()).contains("FAILED: entry 10: leaf hash does not match");
    }

    @Test
    void tailTruncated_namesTheFirstMissingEntry() throws Exception {
        Path data = copy();
        sql(data, connection -> execute(connection, "DELETE FROM audit_entries WHERE seq >= " + (size - 5)));

        Cli.Run run = verify(data);

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err())
                .contains("FAILED: entry " + (size - 5) + " missing: the checkpoint covers " + size + " entries");
    }

    @Test
    void tailTruncatedWithItsNodesAndCheckpoints_isCaughtByTheRememberedCheckpoint() throws Exception {
        Path data = copy();
        Path state = dir.resolve("state");
        assertThat(verify(data, state).exitCode()).isZero();
        sql(data, connection -> {
            execute(connection, "DELETE FROM audit_entries WHERE seq >= " + (size - 5));
            execute(connection, "DELETE FROM audit_nodes WHERE (idx + 1) * (1 << level) > " + (size - 5));
            execute(connection, "DELETE FROM audit_checkpoints WHERE size > " + (size - 5));
        });
        long checkpointSize = count("SELECT MAX(size) FROM audit_checkpoints", data);
        assertThat(checkpointSize).isLessThan(size - 5);

        Cli.Run run = verify(data, state);

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err())
                .contains("FAILED: the log's checkpoint covers " + checkpointSize + " entries, fewer than the " + size
                        + " of the checkpoint verified before");
    }

    @Test
    void consistentRewriteSignedWithAnotherKey_failsOnTheKey() throws Exception {
        Path data = copy();
        Path state = dir.resolve("state");
        assertThat(Cli.run(
                                "audit",
                                "verify",
                                "--data",
                                data.toString(),
                                "--trust-on-first-use",
                                "--state",
                                state.toString())
                        .exitCode())
                .isZero();
        // The attacker, who holds the whole folder (its audit-entry.key too, so the MAC is no obstacle),
        // rewrites entry 5, recomputes the whole tree and signs it with their own key:
        // a gateway on the folder does exactly that once the nodes and checkpoints are gone.
        EntryMacs macs = EntryMacs.inDataFolder(data);
        sql(data, connection -> {
            String five = new String(leaf(connection, 5), StandardCharsets.UTF_8);
            byte[] forged = five.replace("\"actor\":\"", "\"actor\":\"mallory-").getBytes(StandardCharsets.UTF_8);
            update(connection, 5, forged);
            try (PreparedStatement mac =
                    connection.prepareStatement("UPDATE audit_entries SET mac = ? WHERE seq = 5")) {
                mac.setBytes(1, macs.mac(forged).orElseThrow());
                mac.executeUpdate();
            }
            execute(connection, "DELETE FROM audit_nodes");
            execute(connection, "DELETE FROM audit_checkpoints");
        });
        Files.delete(data.resolve(AuditSigningKey.FILE_NAME));
        assertThat(AuditSigningKey.write(
                        data.resolve(AuditSigningKey.FILE_NAME), NoteSigner.generate("countersign.test/audit")))
                .isTrue();
        Path run = dir.resolve("rewrite");
        Files.createDirectories(run);
        Files.move(data, run.resolve("data"));
        new AuditGateway(run, AuditConfig.defaults()).close();
        Path rewritten = run.resolve("data");

        Cli.Run withKey = verify(rewritten);
        Cli.Run withPinnedKey = Cli.run("audit", "verify", "--data", rewritten.toString(), "--state", state.toString());

        assertThat(withKey.exitCode()).as(withKey.all()).isEqualTo(1);
        assertThat(withKey.err())
                .contains("FAILED: the checkpoint of size " + (size + 1) + " is not signed by the trusted key " + key)
                .contains("the data folder " + rewritten + " now offers the key countersign.test/audit+");
        assertThat(withPinnedKey.exitCode()).as(withPinnedKey.all()).isEqualTo(1);
        assertThat(withPinnedKey.err()).contains("is not signed by the trusted key " + key);
    }

    @Test
    void withoutAKey_verifiesNothing() throws IOException {
        Cli.Run run = Cli.run(
                "audit",
                "verify",
                "--data",
                copy().toString(),
                "--state",
                dir.resolve("state").toString());

        assertThat(run.exitCode()).as(run.all()).isEqualTo(2);
        assertThat(run.err()).contains("no trusted key for the log 'countersign.test/audit': pass --key");
    }

    private Cli.Run verify(Path data) {
        return verify(data, dir.resolve("state-" + System.nanoTime()));
    }

    private static Cli.Run verify(Path data, Path state) {
        return Cli.run("audit", "verify", "--data", data.toString(), "--key", key, "--state", state.toString());
    }

    private Path copy() throws IOException {
        Path copy = dir.resolve("data");
        try (Stream<Path> files = Files.walk(original)) {
            for (Path file : files.sorted(Comparator.naturalOrder()).toList()) {
                Files.copy(file, copy.resolve(original.relativize(file).toString()));
            }
        }
        return copy;
    }

    @FunctionalInterface
    interface SqlWork {
        void run(Connection connection) throws SQLException;
    }

    /** Opens the file as an attacker would: plain JDBC, the append-only triggers dropped first. */
    static void sql(Path data, SqlWork work) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("countersign.db"))) {
            for (String trigger : TRIGGERS) {
                execute(connection, "DROP TRIGGER IF EXISTS " + trigger);
            }
            work.run(connection);
        }
    }

    static byte[] leaf(Connection connection, long seq) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT leaf FROM audit_entries WHERE seq = ?")) {
            select.setLong(1, seq);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getBytes(1);
            }
        }
    }

    static void update(Connection connection, long seq, byte[] leaf) throws SQLException {
        try (PreparedStatement update =
                connection.prepareStatement("UPDATE audit_entries SET leaf = ? WHERE seq = ?")) {
            update.setBytes(1, leaf);
            update.setLong(2, seq);
            update.executeUpdate();
        }
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static long count(String sql, Path data) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("countersign.db"));
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
