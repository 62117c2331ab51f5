package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import io.countersign.server.Http.Response;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local humans in the embedded setup: roles without an identity config, and their life through the CLI and the admin API, audited. */
class LocalHumansTest {
    @TempDir
    Path directory;

    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = new TestGateway(directory);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private String cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data";
        all[args.length + 1] = gateway.data().toString();
        Cli.Run run = Cli.run(all);
        assertThat(run.exitCode())
                .as("countersign %s: %s", String.join(" ", args), run.all())
                .isZero();
        return run.lastLine();
    }

    @Test
    void humansWithARole_reachTheAdminAndEvidenceApis_withoutAnIdentityConfig() {
        String admin = cli("humans", "create", "ada", "--email", "ada@example.com", "--role", "admin");
        String auditor = cli("humans", "create", "otto", "--email", "otto@example.com", "--role", "auditor");
        String plain = cli("humans", "create", "bob", "--email", "bob@example.com", "--group", "data-owners");
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        String evidence = "/v1/evidence?from=" + today + "&to="
                + LocalDate.now(ZoneOffset.UTC).plusDays(1);

        assertThat(gateway.http.get("/v1/admin/agents", admin).status()).isEqualTo(200);
        assertThat(gateway.http.get(evidence, auditor).status()).isEqualTo(200);
        assertThat(gateway.http.get("/v1/admin/agents", auditor).status()).isEqualTo(403);
        assertThat(gateway.http.get("/v1/admin/agents", plain).status()).isEqualTo(403);
        assertThat(gateway.http.get(evidence, plain).status()).isEqualTo(403);
    }

    @Test
    void aRoleCanNotBeForgedAsAGroup_norBeAnUnknownRole() {
        Cli.Run forged = Cli.run(
                "humans",
                "create",
                "eve",
                "--email",
                "eve@example.com",
                "--group",
                "countersign:admin",
                "--data",
                gateway.data().toString());
        Cli.Run unknown = Cli.run(
                "humans",
                "create",
                "eve",
                "--email",
                "eve@example.com",
                "--role",
                "root",
                "--data",
                gateway.data().toString());
        String admin = cli("humans", "create", "ada", "--email", "ada@example.com", "--role", "admin");
        Response forgedByApi = gateway.http.post(
                "/v1/admin/humans",
                admin,
                json("name", "eve", "email", "eve@example.com", "groups", List.of("countersign:admin")));

        assertThat(forged.exitCode()).isNotZero();
        assertThat(forged.err()).contains("group name 'countersign:admin'");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.err()).contains("role 'root' is not one of [admin, auditor]");
        assertThat(forgedByApi.status()).isEqualTo(400);
        assertThat(forgedByApi.contentType()).startsWith("application/problem+json");
    }

    @Test
    void adminApi_createsListsChangesGroupsAndRevokes_eachInTheAuditLog() {
        String admin = cli("humans", "create", "ada", "--email", "ada@example.com", "--role", "admin");

        Response created = gateway.http.post(
                "/v1/admin/humans",
                admin,
                json(
                        "name",
                        "carol",
                        "email",
                        "carol@example.com",
                        "groups",
                        List.of("data-owners"),
                        "roles",
                        List.of("auditor"),
                        "expiresIn",
                        "30d"));
        assertThat(created.status()).isEqualTo(201);
        String carol = created.text("token");
        assertThat(carol).startsWith("csh_");
        assertThat(created.json().path("tokens").get(0).has("expiresAt")).isTrue();
        assertThat(gateway.http
                        .get("/v1/admin/humans", admin)
                        .json()
                        .path("items")
                        .findValuesAsString("name"))
                .containsExactly("ada", "carol");
        assertThat(gateway.http
                        .post("/v1/admin/humans", admin, json("name", "carol", "email", "c@example.com"))
                        .status())
                .isEqualTo(409);

        Response changed = gateway.http.put(
                "/v1/admin/humans/carol/groups", admin, json("groups", List.of("security"), "roles", List.of()));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().path("groups").toString()).isEqualTo("[\"security\"]");
        assertThat(changed.json().path("roles").size()).isZero();
        assertThat(gateway.http.get("/v1/approvals?status=pending", carol).status())
                .as("the same token, new groups")
                .isEqualTo(200);

        Response revoked = gateway.http.post("/v1/admin/humans/carol/revoke", admin, "");
        assertThat(revoked.json().path("revokedTokens").asInt()).isEqualTo(1);
        assertThat(revoked.json().path("active").asBoolean()).isFalse();
        assertThat(gateway.http.get("/v1/approvals?status=pending", carol).status())
                .isEqualTo(401);
        assertThat(gateway.http
                        .post("/v1/admin/humans/nobody/revoke", admin, "")
                        .status())
                .isEqualTo(404);

        String log = gateway.http.get("/v1/audit/entries?start=0", admin).body();
        assertThat(log)
                .contains("\"type\":\"human.created\"")
                .contains("\"human\":\"carol\"")
                .contains("\"type\":\"human.groups_changed\"")
                .contains("\"type\":\"human.revoked\"")
                .contains("\"actor\":\"human:ada\"");
    }

    @Test
    void theCommandLine_listsChangesGroupsAndRevokes() {
        String bob = cli("humans", "create", "bob", "--email", "bob@example.com", "--group", "data-owners");

        Cli.Run list = Cli.run("humans", "list", "--data", gateway.data().toString());
        assertThat(list.out()).contains("bob <bob@example.com>  groups [data-owners]");
        assertThat(cli("humans", "groups", "bob", "--group", "security", "--role", "auditor"))
                .isEqualTo("Human bob is now in security, role auditor.");
        assertThat(gateway.http
                        .get("/v1/evidence?from=2026-01-01&to=2026-01-02", bob)
                        .status())
                .isEqualTo(200);
        assertThat(cli("humans", "revoke", "bob")).isEqualTo("Revoked 1 token of human bob.");
        assertThat(gateway.http.get("/v1/approvals?status=pending", bob).status())
                .isEqualTo(401);
        assertThat(Cli.run("humans", "list", "--data", gateway.data().toString())
                        .out())
                .contains("INACTIVE")
                .contains("REVOKED");
    }

    @Test
    void aCommandLineChangeAsANamedAdmin_isRecordedForThatAdmin_andAsAnyoneElseChangesNothing() {
        String admin = cli("humans", "create", "ada", "--email", "ada@example.com", "--role", "admin");
        cli("humans", "create", "otto", "--email", "otto@example.com", "--role", "auditor");
        cli("humans", "create", "bob", "--email", "bob@example.com", "--group", "data-owners");

        cli("agents", "create", "deployer", "--as", "ada");
        cli("humans", "groups", "bob", "--group", "security", "--as", "ada");
        Cli.Run asAuditor = Cli.run(
                "agents",
                "create",
                "reporter",
                "--as",
                "otto",
                "--data",
                gateway.data().toString());
        Cli.Run asNobody = Cli.run(
                "humans",
                "revoke",
                "bob",
                "--as",
                "nobody",
                "--data",
                gateway.data().toString());
        cli("humans", "revoke", "ada", "--as", "ada");
        Cli.Run asRevoked = Cli.run(
                "agents",
                "revoke",
                "deployer",
                "--as",
                "ada",
                "--data",
                gateway.data().toString());

        assertThat(asAuditor.exitCode()).isEqualTo(1);
        assertThat(asAuditor.err()).contains("--as otto: needs the role admin; they have auditor");
        assertThat(asNobody.exitCode()).isEqualTo(1);
        assertThat(asNobody.err()).contains("--as nobody: no local human of that name");
        assertThat(asRevoked.exitCode()).isEqualTo(1);
        assertThat(asRevoked.err()).contains("--as ada: their tokens are revoked or expired");
        String auditor = cli("humans", "create", "aude", "--email", "aude@example.com", "--role", "auditor");
        List<String> entries = gateway.http
                .get("/v1/audit/entries?start=0", auditor)
                .body()
                .lines()
                .toList();
        assertThat(entries)
                .filteredOn(entry -> entry.contains("\"type\":\"agent.created\""))
                .singleElement(STRING)
                .contains("\"actor\":\"human:ada\"");
        assertThat(entries)
                .filteredOn(entry -> entry.contains("\"type\":\"human.groups_changed\""))
                .singleElement(STRING)
                .contains("\"actor\":\"human:ada\"");
        assertThat(entries)
                .filteredOn(entry -> entry.contains("\"type\":\"human.revoked\""))
                .singleElement(STRING)
                .contains("\"actor\":\"human:ada\"");
        assertThat(entries)
                .filteredOn(entry -> entry.contains("\"type\":\"human.created\""))
                .allSatisfy(entry -> assertThat(entry).contains("\"actor\":\"cli:" + System.getProperty("user.name")));
        assertThat(gateway.http.get("/v1/admin/agents", admin).status())
                .as("ada's own token is revoked")
                .isEqualTo(401);
    }

    @Test
    void aTokenStopsWorkingWhenItExpires() throws Exception {
        String brief = cli("humans", "create", "tmp", "--email", "tmp@example.com", "--expires-in", "1s");
        assertThat(gateway.http.get("/v1/approvals?status=pending", brief).status())
                .isEqualTo(200);

        Thread.sleep(1_500);

        Response expired = gateway.http.get("/v1/approvals?status=pending", brief);
        assertThat(expired.status()).isEqualTo(401);
    }

    @Test
    void evidenceIdentities_listTheHumans() throws Exception {
        cli("humans", "create", "alice", "--email", "alice@example.com", "--group", "data-owners");
        cli("humans", "groups", "alice", "--group", "security");
        cli("humans", "revoke", "alice");
        String auditor = cli("humans", "create", "otto", "--email", "otto@example.com", "--role", "auditor");
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        byte[] zip = gateway.http.getBytes(
                "/v1/evidence?from=" + today + "&to="
                        + LocalDate.now(ZoneOffset.UTC).plusDays(1),
                auditor);

        String identities = entry(zip, "identities.csv");
        assertThat(identities)
                .contains(",human.created,alice,cli:")
                .contains(",human.groups_changed,alice,cli:")
                .contains(",human.revoked,alice,cli:");
    }

    private static String entry(byte[] zip, String name) throws Exception {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.getName().endsWith(name)) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        throw new AssertionError(name + " is not in the zip");
    }
}
