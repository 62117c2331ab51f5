package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code countersign agents create|list|revoke|suspend|resume} against a data folder, while a gateway runs on it. */
class AgentsCommandTest {
    @TempDir
    Path directory;

    private record Run(int exitCode, String out) {
        String lastLine() {
            List<String> lines = out.lines().toList();
            return lines.getLast();
        }
    }

    private static synchronized Run countersign(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void agents_createListSuspendResumeRevoke_fromTheCommandLine() {
        try (TestGateway gateway = new TestGateway(directory)) {
            String data = gateway.data().toString();
            Run created = countersign(
                    "agents",
                    "create",
                    "nightly",
                    "--label",
                    "team=data",
                    "--scope",
                    "db.query",
                    "--scope",
                    "db.export",
                    "--expires-in",
                    "30d",
                    "--data",
                    data);
            String key = created.lastLine();
            String pending = gateway.http
                    .post(
                            "/v1/actions",
                            key,
                            Http.json("action", "db.export", "resource", "db/prod/customers", "reason", "sync"))
                    .text("id");

            Run suspended = countersign("agents", "suspend", "nightly", "--reason", "incident 42", "--data", data);
            Run listed = countersign("agents", "list", "--data", data);
            String statusAfterSuspend =
                    gateway.http.get("/v1/actions/" + pending, key).text("status");
            Run resumed = countersign("agents", "resume", "nightly", "--data", data);
            String afterResume = gateway.http
                    .post(
                            "/v1/actions",
                            key,
                            Http.json("action", "db.query", "resource", "db/prod/customers", "reason", "read"))
                    .text("status");
            Run revoked = countersign("agents", "revoke", "nightly", "--data", data);
            int afterRevoke = gateway.http
                    .post(
                            "/v1/actions",
                            key,
                            Http.json("action", "db.query", "resource", "db/prod/customers", "reason", "read"))
                    .status();

            assertThat(created.exitCode()).isZero();
            assertThat(key).startsWith("csa_");
            assertThat(suspended.out()).contains("Suspended agent nightly; denied 1 pending request(s).");
            assertThat(statusAfterSuspend).isEqualTo("denied");
            assertThat(listed.out())
                    .contains("nightly {team=data}  SUSPENDED since")
                    .contains("incident 42")
                    .contains("scopes [db.export, db.query]")
                    .doesNotContain(key.substring(22));
            assertThat(resumed.out()).contains("Resumed agent nightly.");
            assertThat(afterResume).isEqualTo("approved");
            assertThat(revoked.out()).contains("Revoked 1 key of agent nightly.");
            assertThat(afterRevoke).isEqualTo(401);
        }
    }

    @Test
    void suspendingAnUnknownAgent_failsWithOneClearLine() {
        Run run = countersign(
                "agents",
                "suspend",
                "ghost",
                "--data",
                directory.resolve("data").toString());

        assertThat(run.exitCode()).isEqualTo(1);
    }
}
