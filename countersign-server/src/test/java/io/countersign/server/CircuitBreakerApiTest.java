package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.identity.IdentityConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Circuit breakers over real HTTP: a trip that holds across a restart, seen and reset by an admin, in the audit log and the metrics. */
class CircuitBreakerApiTest {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @TempDir
    Path directory;

    private TestGateway gateway;
    private String admin;
    private String alice;
    private String cleaner;

    @BeforeEach
    void start() {
        gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly().withRoles(Set.of("countersign-admins"), Set.of()),
                "/breaker-policy.yaml");
        admin = gateway.human("ada", "countersign-admins");
        alice = gateway.human("alice", "data-owners");
        cleaner = gateway.agent("cleaner");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private Response delete() {
        return gateway.http.post(
                "/v1/actions", cleaner, json("action", "db.delete", "resource", "db/prod/tmp", "reason", "cleanup"));
    }

    private List<JsonNode> audit(String type) {
        return gateway.http
                .get("/v1/audit/entries", gateway.auditor())
                .body()
                .lines()
                .map(MAPPER::readTree)
                .filter(entry -> entry.path("type").asString().equals(type))
                .toList();
    }

    @Test
    void aTrippedBreaker_holdsAcrossARestart_isListedForAdmins_andAnAdminResetsIt() {
        assertThat(delete().text("status")).isEqualTo("approved");
        assertThat(delete().text("status")).isEqualTo("approved");

        Response third = delete();

        assertThat(third.text("status")).isEqualTo("denied");
        assertThat(third.json().path("decision").path("reason").asString())
                .contains("breaker 'deletes' is tripped for agent cleaner");
        assertThat(gateway.http.get("/metrics", null).body()).contains("countersign_breakers_tripped 1.0");

        gateway.restart();
        assertThat(delete().text("status")).as("held after a restart").isEqualTo("denied");

        Response listed = gateway.http.get("/v1/admin/breakers", admin);
        assertThat(listed.status()).isEqualTo(200);
        JsonNode item = listed.json().path("items").get(0);
        assertThat(item.path("agent").asString()).isEqualTo("cleaner");
        assertThat(item.path("breaker").asString()).isEqualTo("deletes");
        assertThat(item.path("count").asInt()).isEqualTo(3);
        assertThat(item.path("requestId").asString()).isEqualTo(third.text("id"));
        assertThat(item.path("trippedAt").isString()).isTrue();

        assertThat(gateway.http.get("/v1/admin/breakers", alice).status())
                .as("a human who is no admin")
                .isEqualTo(403);
        assertThat(gateway.http
                        .post("/v1/admin/breakers/cleaner/deletes/reset", cleaner, json("comment", "let me go"))
                        .status())
                .as("the agent itself")
                .isEqualTo(403);
        assertThat(gateway.http
                        .post("/v1/admin/breakers/cleaner/deletes/reset", admin, "{}")
                        .status())
                .as("no comment")
                .isEqualTo(400);

        Response reset =
                gateway.http.post("/v1/admin/breakers/cleaner/deletes/reset", admin, json("comment", "job fixed"));

        assertThat(reset.status()).isEqualTo(200);
        assertThat(reset.json().path("reset").asBoolean()).isTrue();
        assertThat(delete().text("status")).isEqualTo("approved");
        assertThat(gateway.http.get("/v1/admin/breakers", admin).json().path("items"))
                .isEmpty();
        assertThat(gateway.http
                        .post("/v1/admin/breakers/cleaner/deletes/reset", admin, json("comment", "again"))
                        .status())
                .isEqualTo(404);

        assertThat(audit("breaker.tripped"))
                .singleElement()
                .satisfies(entry -> assertThat(entry.path("actor").asString()).isEqualTo("system"));
        assertThat(audit("breaker.reset")).singleElement().satisfies(entry -> {
            assertThat(entry.path("actor").asString()).isEqualTo("human:ada");
            assertThat(entry.toString()).contains("job fixed", "\"count\":3");
        });
    }

    @Test
    void theCommandLine_listsAndResetsTrippedBreakers_inTheDataFolder() {
        delete();
        delete();
        delete();

        Cli.Run listed = Cli.run("breakers", "list", "--data", gateway.data().toString());
        Cli.Run reset = Cli.run(
                "breakers",
                "reset",
                "cleaner",
                "deletes",
                "--comment",
                "job fixed",
                "--data",
                gateway.data().toString());
        Cli.Run again = Cli.run(
                "breakers",
                "reset",
                "cleaner",
                "deletes",
                "--comment",
                "job fixed",
                "--data",
                gateway.data().toString());

        assertThat(listed.exitCode()).isZero();
        assertThat(listed.out()).contains("cleaner", "deletes", "PT1H");
        assertThat(reset.exitCode()).as(reset.all()).isZero();
        assertThat(reset.out()).contains("Reset breaker 'deletes' of agent cleaner");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("breaker 'deletes' is not tripped for agent cleaner");
        assertThat(delete().text("status")).isEqualTo("approved");
        assertThat(audit("breaker.reset"))
                .singleElement()
                .satisfies(entry -> assertThat(entry.path("actor").asString()).startsWith("cli:"));
    }
}
