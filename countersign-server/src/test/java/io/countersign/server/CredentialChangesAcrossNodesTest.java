package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.server.Http.Response;
import io.countersign.server.config.DatabaseConfig;
import io.countersign.server.config.ServerConfig;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.postgres.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway nodes on one embedded PostgreSQL, each keeping the credentials and suspensions it
 * read. An admin's change through node B counts on node A from A's very next request.
 */
class CredentialChangesAcrossNodesTest {
    @TempDir
    Path dir;

    private PostgresSettings database;
    private Gateway nodeA;
    private Gateway nodeB;
    private Http a;
    private Http b;
    private String admin;
    private String reporter;

    @BeforeEach
    void startTwoNodes() throws IOException {
        database = PostgresSettings.of(TestPostgres.newDatabase());
        Path policy = dir.resolve("policy.yaml");
        try (InputStream in = CredentialChangesAcrossNodesTest.class.getResourceAsStream("/e2e-policy.yaml")) {
            Files.write(policy, in.readAllBytes());
        }
        ServerConfig config = ServerConfig.defaults()
                .withDataDirectory(dir.resolve("data"))
                .withPolicyFile(policy)
                .withPort(0)
                .withDatabase(DatabaseConfig.postgres(database))
                .withIdentity(IdentityConfig.localOnly().withRoles(Set.of("countersign-admins"), Set.of()));
        nodeA = Gateway.start(config, Clock.systemUTC());
        nodeB = Gateway.start(config, Clock.systemUTC());
        a = new Http(nodeA.baseUrl());
        b = new Http(nodeB.baseUrl());
        admin = issue(new Human("ada", "ada@example.com", Set.of("countersign-admins")));
        reporter = issue(new Agent("reporter", Map.of("team", "test")));
        for (int i = 0; i < 3; i++) {
            assertThat(query(a).text("status")).as("node A keeps the key").isEqualTo("approved");
        }
    }

    @AfterEach
    void stopNodes() {
        nodeB.close();
        nodeA.close();
    }

    private Response query(Http node) {
        return node.post(
                "/v1/actions", reporter, json("action", "db.query", "resource", "db/prod/orders", "reason", "read"));
    }

    @Test
    void agentSuspendedThroughB_isDeniedByAOnItsVeryNextRequest_andResumedThroughB_isAllowedByA() {
        Response suspended = b.post("/v1/admin/agents/reporter/suspend", admin, json("reason", "incident 9"));
        Response whileSuspended = query(a);
        Response resumed = b.post("/v1/admin/agents/reporter/resume", admin, "");
        Response afterResume = query(a);

        assertThat(suspended.status()).as(suspended.body()).isEqualTo(200);
        assertThat(whileSuspended.text("status")).isEqualTo("denied");
        assertThat(whileSuspended.json().path("decision").path("reason").asString())
                .startsWith("agent reporter is suspended");
        assertThat(resumed.status()).as(resumed.body()).isEqualTo(200);
        assertThat(afterResume.text("status")).isEqualTo("approved");
    }

    @Test
    void agentRevokedThroughB_isRefusedByAOnItsVeryNextRequest() {
        Response revoked = b.post("/v1/admin/agents/reporter/revoke", admin, "");
        Response next = query(a);

        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        assertThat(next.status()).as(next.body()).isEqualTo(401);
    }

    private String issue(Principal principal) {
        try (PostgresStore store = PostgresStore.open(database)) {
            return new ApiTokens(store, Clock.systemUTC()).issue(principal).reveal();
        }
    }
}
