package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.outbox.Delivery;
import io.countersign.outbox.NotificationType;
import io.countersign.outbox.OutboxEvent;
import io.countersign.server.Http.Response;
import io.countersign.server.audit.AuditConfig;
import io.countersign.server.config.DatabaseConfig;
import io.countersign.server.config.ServerConfig;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.postgres.TestPostgres;
import io.countersign.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbMigrateTest {
    @TempDir
    Path dir;

    @Test
    void migrate_movesAPopulatedSqliteStoreToPostgres_andTheLogVerifiesThereWithTheSameCheckpoints() throws Exception {
        String reporter;
        String alice;
        String pendingId;
        try (TestGateway gateway = new TestGateway(dir)) {
            reporter = gateway.agent("reporter");
            alice = gateway.human("alice", "data-owners");
            for (int i = 0; i < 20; i++) {
                gateway.http.post(
                        "/v1/actions",
                        reporter,
                        Http.json("action", "db.query", "resource", "db/prod/orders", "reason", "r" + i));
            }
            Response export = gateway.http.post(
                    "/v1/actions", reporter, Http.json("action", "db.export", "resource", "db/prod/a", "reason", "x"));
            gateway.http.post("/v1/actions/" + export.text("id") + "/approve", alice, "{\"comment\":\"ok\"}");
            pendingId = gateway.http
                    .post(
                            "/v1/actions",
                            reporter,
                            Http.json("action", "db.export", "resource", "db/prod/b", "reason", "y"))
                    .text("id");
            Thread.sleep(1_200); // a checkpoint covers most of it; the one at stop covers the rest
        }
        Path data = dir.resolve("data");
        List<String> checkpoints = new ArrayList<>();
        long entries;
        try (SqliteStore sqlite = SqliteStore.open(data)) {
            sqlite.audit().eachCheckpoint(checkpoint -> checkpoints.add(checkpoint.note()));
            entries = sqlite.auditSize();
            sqlite.transact(
                    tx -> { // Slack was down when the gateway stopped: the delivery must move too
                        tx.enqueue(new OutboxEvent(
                                "slack",
                                NotificationType.REQUEST_CREATED,
                                Optional.of(pendingId),
                                "{}",
                                Instant.now()));
                        return null;
                    });
        }
        String url = TestPostgres.newDatabase();

        Cli.Run migrate = Cli.run("db", "migrate", "--from", data.toString(), "--to", url);

        assertThat(migrate.exitCode()).as(migrate.all()).isZero();
        assertThat(migrate.out())
                .contains("copied " + entries + " row(s) of audit_entries")
                .contains("verified on");
        try (PostgresStore postgres = PostgresStore.open(PostgresSettings.of(url))) {
            List<String> copied = new ArrayList<>();
            postgres.audit().eachCheckpoint(checkpoint -> copied.add(checkpoint.note()));
            assertThat(copied).isEqualTo(checkpoints).isNotEmpty();
            assertThat(postgres.auditSize()).isEqualTo(entries);
            Instant later = Instant.now().plusSeconds(60);
            List<Delivery> waiting = postgres.outbox().claim(later, 10, Duration.ofMinutes(1));
            assertThat(waiting)
                    .extracting(delivery -> delivery.event().request().orElseThrow())
                    .containsExactly(pendingId);
            postgres.transact(tx -> {
                tx.enqueue(new OutboxEvent(
                        "slack", NotificationType.REQUEST_DECIDED, Optional.of(pendingId), "{}", later));
                return null;
            });
            postgres.outbox().delivered(waiting.getFirst().id(), later);
            assertThat(postgres.outbox().claim(later, 10, Duration.ofMinutes(1)))
                    .as("new ids continue after the copied ones")
                    .singleElement()
                    .satisfies(next -> assertThat(next.id())
                            .isGreaterThan(waiting.getFirst().id()));
        }

        // A gateway on the migrated database goes on where the SQLite one stopped.
        ServerConfig config = ServerConfig.defaults()
                .withDataDirectory(data)
                .withPolicyFile(dir.resolve("policy.yaml"))
                .withPort(0)
                .withDatabase(DatabaseConfig.postgres(PostgresSettings.of(url)))
                .withAudit(AuditConfig.defaults().withPublicEntries(true));
        try (Gateway gateway = Gateway.start(config, Clock.systemUTC())) {
            Http http = new Http(gateway.baseUrl());
            Response approved =
                    http.post("/v1/actions/" + pendingId + "/approve", alice, "{\"comment\":\"after the move\"}");
            assertThat(approved.text("status")).as(approved.body()).isEqualTo("approved");
            Thread.sleep(1_200);
            Cli.Run verify = Cli.run(
                    "audit",
                    "verify",
                    "--server",
                    gateway.baseUrl(),
                    "--trust-on-first-use",
                    "--state",
                    dir.resolve("state").toString());
            assertThat(verify.exitCode()).as(verify.all()).isZero();
        }
    }

    @Test
    void migrate_intoADatabaseThatHasData_isRefused() {
        try (TestGateway gateway = new TestGateway(dir)) {
            gateway.agent("reporter");
        }
        String url = TestPostgres.newDatabase();
        assertThat(Cli.run("db", "migrate", "--from", dir.resolve("data").toString(), "--to", url)
                        .exitCode())
                .isZero();

        Cli.Run again = Cli.run("db", "migrate", "--from", dir.resolve("data").toString(), "--to", url);

        assertThat(again.exitCode()).isNotZero();
        assertThat(again.all()).contains("already has rows");
    }
}
