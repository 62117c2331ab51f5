package io.countersign.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.audit.AuditEntry;
import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.server.Cli;
import io.countersign.store.EntryMacs;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Issue 15, section 4: an entry appended to the database by anyone but a gateway node (a valid
 * leaf, but no MAC under audit-entry.key) is never signed into a checkpoint: the checkpointer stops
 * before it and raises the metric, and {@code audit verify --data} names it.
 */
class UnauthenticatedEntryTest {
    @TempDir
    Path directory;

    @Test
    void anEntryAppendedBehindTheGatewaysBack_isNeverSigned_andVerifyNamesIt() throws Exception {
        Path data = directory.resolve("data");
        String agent = AuditGateway.agentKey(data, "reporter");
        AuditConfig config =
                AuditConfig.defaults().withOrigin("countersign.test/mac").withCheckpointInterval(Duration.ofMillis(50));
        long forged;
        try (AuditGateway gateway = new AuditGateway(directory, config)) {
            assertThat(gateway.query(agent, "db/prod/a").statusCode()).isEqualTo(200);
            gateway.stop(); // signs a last checkpoint over everything so far
            forged = appendWithoutMac(data);
            gateway.start();
            assertThat(gateway.query(agent, "db/prod/b").statusCode())
                    .isEqualTo(200); // the writer takes the forged row into the tree
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!gateway.get("/metrics").body().contains("countersign_audit_unauthenticated_entry " + forged)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(300); // several more intervals: none may sign past the forged entry

            assertThat(gateway.get("/metrics").body())
                    .contains("countersign_audit_unauthenticated_entry " + forged + ".0");
            assertThat(SignedCheckpoint.parse(
                                    gateway.get("/v1/audit/checkpoint").body())
                            .checkpoint()
                            .size())
                    .isEqualTo(forged);
        }

        Cli.Run run = Cli.run(
                "audit",
                "verify",
                "--data",
                data.toString(),
                "--trust-on-first-use",
                "--state",
                directory.resolve("state").toString());

        assertThat(run.exitCode()).as(run.all()).isEqualTo(1);
        assertThat(run.err())
                .contains("FAILED: entry " + forged
                        + " has no MAC though earlier entries have one: it was not written by a gateway node");
    }

    @Test
    void theEntryKey_isCreatedOnFirstStartBesideTheGrantKey_ownerOnly() throws Exception {
        try (AuditGateway gateway = new AuditGateway(directory, AuditConfig.defaults())) {
            Path key = gateway.data().resolve(EntryMacs.FILE_NAME);
            assertThat(Files.size(key)).isEqualTo(32);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                    .isEqualTo("rw-------");
        }
    }

    /** As someone with write access to the file would: a well-formed next entry, inserted with plain JDBC. */
    private static long appendWithoutMac(Path data) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("countersign.db"))) {
            long seq;
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT MAX(seq) + 1 FROM audit_entries")) {
                rows.next();
                seq = rows.getLong(1);
            }
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            AuditEvent event = new AuditEvent(
                    AuditEventType.POLICY_LOADED,
                    now,
                    "system",
                    Optional.empty(),
                    JsonNodeFactory.instance.objectNode().put("file", "forged.yaml"));
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO audit_entries (seq, time, type, request_id, leaf) VALUES (?, ?, ?, NULL, ?)")) {
                insert.setLong(1, seq);
                insert.setLong(2, now.toEpochMilli());
                insert.setString(3, event.type().wireName());
                insert.setBytes(4, new AuditEntry(seq, event).leaf());
                insert.executeUpdate();
            }
            return seq;
        }
    }
}
