package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway keeps the credentials and suspensions it read; the command line writes the same
 * data folder through a store of its own (as another process does). A change it makes counts
 * from the gateway's very next request, however often the gateway has seen the key before.
 */
class CredentialChangesFromTheCommandLineTest {
    @TempDir
    Path directory;

    private TestGateway gateway;
    private String data;

    @BeforeEach
    void start() {
        gateway = new TestGateway(directory);
        data = gateway.data().toString();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private Response query(String key) {
        return gateway.http.post(
                "/v1/actions", key, json("action", "db.query", "resource", "db/prod/customers", "reason", "read"));
    }

    private String keptKey() {
        String key = Cli.run("agents", "create", "nightly", "--data", data).lastLine();
        for (int i = 0; i < 3; i++) {
            assertThat(query(key).text("status")).isEqualTo("approved");
        }
        return key;
    }

    @Test
    void agentRevokedFromTheCommandLine_isRefusedOnTheVeryNextRequest() {
        String key = keptKey();

        Cli.Run revoked = Cli.run("agents", "revoke", "nightly", "--data", data);
        Response next = query(key);

        assertThat(revoked.exitCode()).as(revoked.all()).isZero();
        assertThat(next.status()).as(next.body()).isEqualTo(401);
    }

    @Test
    void agentSuspendedFromTheCommandLine_isDeniedOnTheVeryNextRequest_andResumedOnTheOneAfterResume() {
        String key = keptKey();

        Cli.Run suspended = Cli.run("agents", "suspend", "nightly", "--reason", "incident 7", "--data", data);
        Response whileSuspended = query(key);
        Cli.Run resumed = Cli.run("agents", "resume", "nightly", "--data", data);
        Response afterResume = query(key);

        assertThat(suspended.exitCode()).as(suspended.all()).isZero();
        assertThat(whileSuspended.text("status")).isEqualTo("denied");
        assertThat(whileSuspended.json().path("decision").path("reason").asString())
                .startsWith("agent nightly is suspended");
        assertThat(resumed.exitCode()).as(resumed.all()).isZero();
        assertThat(afterResume.text("status")).isEqualTo("approved");
    }

    @Test
    void humanWhoseGroupsChangeOnTheCommandLine_votesWithTheNewGroupsOnTheVeryNextRequest() {
        String agent = keptKey();
        String alice = gateway.human("alice", "data-owners");
        String first = exportRequest(agent);
        assertThat(gateway.http.get("/v1/approvals?status=pending", alice).body())
                .contains(first);

        Cli.Run changed = Cli.run("humans", "groups", "alice", "--group", "marketing", "--data", data);
        Response refused = gateway.http.post("/v1/actions/" + exportRequest(agent) + "/approve", alice, "{}");
        Cli.Run changedBack = Cli.run("humans", "groups", "alice", "--group", "data-owners", "--data", data);
        Response approved = gateway.http.post("/v1/actions/" + first + "/approve", alice, "{}");

        assertThat(changed.exitCode()).as(changed.all()).isZero();
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(changedBack.exitCode()).as(changedBack.all()).isZero();
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
    }

    @Test
    void humanRevokedFromTheCommandLine_isRefusedOnTheVeryNextRequest() {
        String alice = gateway.human("alice", "data-owners");
        assertThat(gateway.http.get("/v1/approvals?status=pending", alice).status())
                .isEqualTo(200);

        Cli.Run revoked = Cli.run("humans", "revoke", "alice", "--data", data);
        Response next = gateway.http.get("/v1/approvals?status=pending", alice);

        assertThat(revoked.exitCode()).as(revoked.all()).isZero();
        assertThat(next.status()).as(next.body()).isEqualTo(401);
    }

    private String exportRequest(String agent) {
        Response pending = gateway.http.post(
                "/v1/actions",
                agent,
                json("action", "db.export", "resource", "db/prod/customers", "reason", "quarterly"));
        assertThat(pending.status()).as(pending.body()).isEqualTo(202);
        return pending.text("id");
    }
}
