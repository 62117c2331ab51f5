package io.countersign.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Cli;
import io.countersign.tlog.note.NoteSigner;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every new checkpoint reaches the configured witnesses with a consistency proof they can check; a witness never blocks appends. */
class WitnessDeliveryTest {
    private static final String ORIGIN = "countersign.test/witnessed";
    private static final String OTHER_WITNESS = "w2.example.org+a875a2ae+BNty9Aw2KjDNoNMuH8SckmCgjIIKzzKZxz/SOS/Uzr9q";

    @TempDir
    Path dir;

    @Test
    void checkpoints_reachTheWitness_withProofsItVerifies_alsoAfterARestart() throws Exception {
        NoteSigner key = NoteSigner.generate(ORIGIN);
        Path data = dir.resolve("data");
        AuditSigningKey.write(data.resolve(AuditSigningKey.FILE_NAME), key);
        String agent = AuditGateway.agentKey(data, "reporter");
        try (SpecWitness witness =
                new SpecWitness("witness.test/w1", key.verifier().format())) {
            AuditConfig config = AuditConfig.defaults()
                    .withCheckpointInterval(Duration.ofMillis(100))
                    .withWitnesses(List.of(WitnessConfig.of(witness.url(), witness.vkey())));
            try (AuditGateway gateway = new AuditGateway(dir, config)) {
                for (int i = 0; i < 8; i++) {
                    gateway.query(agent, "db/prod/t" + i);
                    Thread.sleep(60);
                }
                awaitWitnessed(gateway, witness);
                assertThat(gateway.get("/metrics").body())
                        .contains("countersign_audit_witness_deliveries_total{outcome=\"delivered\"");
            }
            int acceptedBeforeRestart = witness.cosigned().size();

            try (AuditGateway restarted = new AuditGateway(dir, config)) {
                restarted.query(agent, "db/prod/after-restart");
                awaitWitnessed(restarted, witness);
                // awaitWitnessed saw a cosigned checkpoint served; the gateway keeps appending and
                // signing, so each check below waits for a newest checkpoint that is cosigned.
                String server = restarted.baseUrl();
                Cli.Run[] proof = new Cli.Run[1];
                await(
                        () -> {
                            proof[0] = Cli.run("audit", "prove", "--server", server, "--index", "0");
                            return proof[0].exitCode() == 0 && proof[0].out().contains("\u2014 witness.test/w1 ");
                        },
                        "audit prove prints a cosigned checkpoint");

                Path state = dir.resolve("verified");
                Cli.Run[] witnessed = new Cli.Run[1];
                await(
                        () -> {
                            witnessed[0] = Cli.run(
                                    "audit",
                                    "verify",
                                    "--server",
                                    server,
                                    "--key",
                                    key.verifier().format(),
                                    "--state",
                                    state.toString(),
                                    "--witness",
                                    witness.vkey(),
                                    "--min-witnesses",
                                    "1");
                            return witnessed[0].exitCode() == 0;
                        },
                        "audit verify --witness --min-witnesses 1 passes");
                assertThat(witnessed[0].out()).contains("cosigned by witness.test/w1 at ");

                Cli.Run unwitnessed = Cli.run(
                        "audit",
                        "verify",
                        "--server",
                        server,
                        "--key",
                        key.verifier().format(),
                        "--state",
                        state.toString(),
                        "--witness",
                        witness.vkey(),
                        "--witness",
                        OTHER_WITNESS,
                        "--min-witnesses",
                        "2");
                assertThat(unwitnessed.exitCode()).as(unwitnessed.all()).isEqualTo(1);
                assertThat(unwitnessed.err())
                        .contains("want at least 2")
                        .contains("no cosignature from w2.example.org");
            }

            assertThat(acceptedBeforeRestart)
                    .as("checkpoints cosigned before the restart")
                    .isGreaterThanOrEqualTo(2);
            assertThat(witness.refused()).as("refused by the witness").isEmpty();
            assertThat(witness.conflicts())
                    .as("409s: after the restart the gateway resumes from the size the witness cosigned")
                    .isZero();
            assertThat(witness.oldSizes().subList(1, witness.oldSizes().size()))
                    .as("old sizes after the first")
                    .doesNotContain(0L);
            assertThat(witness.cosigned()).isSorted();
        }
    }

    @Test
    void anUnreachableWitness_isRetriedAndCounted_withoutSlowingAppends() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String agent = AuditGateway.agentKey(dir.resolve("data"), "reporter");
        AuditConfig config = AuditConfig.defaults()
                .withOrigin(ORIGIN)
                .withCheckpointInterval(Duration.ofMillis(100))
                .withWitnesses(List.of(WitnessConfig.of(
                        "http://127.0.0.1:" + closedPort + "/witness",
                        "witness.test/w1+25f87b1c+BDxl/CC/uPIQNkgzOJak+98LQ/t+Htw83uIKCYDorqm5")));
        try (AuditGateway gateway = new AuditGateway(dir, config)) {
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                assertThat(gateway.query(agent, "db/prod/t" + i).statusCode()).isEqualTo(200);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

            await(
                    () -> gateway.get("/metrics")
                            .body()
                            .matches(
                                    "(?s).*countersign_audit_witness_deliveries_total\\{outcome=\"failed\",witness=\"[^\"]+\"} [1-9].*"),
                    "failed deliveries counted in /metrics");
        }
    }

    private static void awaitWitnessed(AuditGateway gateway, SpecWitness witness) throws InterruptedException {
        await(
                () -> {
                    String checkpoint = gateway.get("/v1/audit/checkpoint").body();
                    long size = Long.parseLong(checkpoint.split("\n")[1]);
                    return witness.size() == size && checkpoint.contains("\u2014 witness.test/w1 ");
                },
                "the witness has the latest checkpoint");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }
}
