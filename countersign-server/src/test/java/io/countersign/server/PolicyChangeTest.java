package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.server.policychange.PolicyChangeSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A policy change is a privileged action: it takes effect only once approved by the configured group, never by its proposer, and is audited. */
class PolicyChangeTest {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final String NEW_RULE = """
              - name: no-queries-on-prod
                match: {action: "db.query", resource: "db/prod/*"}
                effect: deny
            """;

    @TempDir
    Path directory;

    private TestGateway gateway;
    private String alice;
    private String bob;
    private String carol;
    private String agent;

    private void start(Duration timeout, boolean reloadFromDisk) {
        gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly()
                        .withRoles(Set.of("admins"), Set.of("auditors"))
                        .withBreakGlassGroup("sre"),
                "/e2e-policy.yaml",
                config -> config.withPolicyChanges(
                        new PolicyChangeSettings(Set.of("policy-admins"), 1, timeout, reloadFromDisk)));
        alice = gateway.human("alice", "admins", "policy-admins", "sre");
        bob = gateway.human("bob", "policy-admins");
        carol = gateway.human("carol", "data-owners");
        agent = gateway.agent("reporter");
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private String proposedPolicy() throws IOException {
        return Files.readString(gateway.policyFile()) + NEW_RULE;
    }

    private String propose() throws IOException {
        Response proposed = gateway.http.post(
                "/v1/policy/changes", alice, json("policy", proposedPolicy(), "reason", "no ad-hoc queries on prod"));
        assertThat(proposed.status()).as(proposed.body()).isEqualTo(202);
        assertThat(proposed.text("status")).isEqualTo("pending");
        return proposed.text("id");
    }

    private String prodQuery() {
        Response decision = gateway.http.post(
                "/v1/decisions/simulate",
                agent,
                json("action", "db.query", "resource", "db/prod/customers", "reason", "check"));
        assertThat(decision.status()).as(decision.body()).isEqualTo(200);
        return decision.text("effect");
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
    void anApprovedChange_isWrittenLoadedAndAudited_withWhoProposedWhoApprovedAndBothVersions() throws IOException {
        start(Duration.ofMinutes(30), true);
        String before = Files.readString(gateway.policyFile());
        String id = propose();
        String previousVersion =
                gateway.http.get("/v1/policy/changes/" + id, alice).text("previousVersion");

        Response approved = gateway.http.post("/v1/actions/" + id + "/approve", bob, json("comment", "looks right"));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        Response applied = gateway.http.post("/v1/policy/changes/" + id + "/apply", alice, "");

        assertThat(applied.status()).as(applied.body()).isEqualTo(200);
        assertThat(applied.text("status")).isEqualTo("executed");
        assertThat(applied.json().path("applied").asBoolean()).isTrue();
        assertThat(applied.text("activeVersion"))
                .isEqualTo(applied.text("version"))
                .isNotEqualTo(previousVersion);
        assertThat(Files.readString(gateway.policyFile())).isEqualTo(before + NEW_RULE);
        assertThat(prodQuery()).isEqualTo("deny");
        List<JsonNode> changed = audit("policy.changed");
        assertThat(changed).hasSize(1);
        JsonNode data = changed.getFirst();
        assertThat(data.toString())
                .contains(
                        "\"proposedBy\":\"alice@example.com\"",
                        "\"approvedBy\":[\"bob\"]",
                        "\"appliedBy\":\"alice\"",
                        "\"previousVersion\":\"" + previousVersion + "\"",
                        "\"version\":\"" + applied.text("version") + "\"",
                        "no-queries-on-prod");
        assertThat(audit("policy.loaded").toString()).contains(applied.text("version"));
        assertThat(gateway.http
                        .post("/v1/policy/changes/" + id + "/apply", alice, "")
                        .status())
                .as("a grant is used once")
                .isEqualTo(409);
    }

    @Test
    void aPendingChange_doesNotTakeEffect_andItsProposerCannotApproveIt() throws IOException {
        start(Duration.ofMinutes(30), true);
        String before = Files.readString(gateway.policyFile());
        String id = propose();

        Response early = gateway.http.post("/v1/policy/changes/" + id + "/apply", alice, "");
        Response selfApproval = gateway.http.post("/v1/actions/" + id + "/approve", alice, json("comment", "mine"));
        Response outsider = gateway.http.post("/v1/actions/" + id + "/approve", carol, json("comment", "sure"));
        Response byAnAgent = gateway.http.post("/v1/policy/changes/" + id + "/apply", agent, "");

        assertThat(early.status()).isEqualTo(409);
        assertThat(early.text("detail")).contains("pending");
        assertThat(selfApproval.status()).isEqualTo(403);
        assertThat(selfApproval.text("detail")).contains("on behalf of");
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(byAnAgent.status()).isEqualTo(403);
        assertThat(gateway.http.get("/v1/policy/changes/" + id, bob).status())
                .as("reading needs admin or auditor")
                .isEqualTo(403);
        assertThat(Files.readString(gateway.policyFile())).isEqualTo(before);
        assertThat(prodQuery()).isEqualTo("allow");
        assertThat(audit("policy.changed")).isEmpty();
    }

    @Test
    void aChangeApprovedByBreakGlass_doesNotTakeEffect_evenThoughTheRequestIsApproved() throws IOException {
        start(Duration.ofMinutes(30), true);
        String before = Files.readString(gateway.policyFile());
        String id = propose();

        Response brokenGlass = gateway.http.post(
                "/v1/actions/" + id + "/approve", alice, json("breakGlass", true, "reason", "urgent, trust me"));
        assertThat(brokenGlass.status()).as(brokenGlass.body()).isEqualTo(200);
        Response apply = gateway.http.post("/v1/policy/changes/" + id + "/apply", alice, "");

        assertThat(apply.status()).isEqualTo(403);
        assertThat(apply.text("detail")).contains("break-glass");
        assertThat(Files.readString(gateway.policyFile())).isEqualTo(before);
        assertThat(prodQuery()).isEqualTo("allow");
        assertThat(audit("policy.changed")).isEmpty();
    }

    @Test
    void aDeniedChange_doesNotTakeEffect() throws IOException {
        start(Duration.ofMinutes(30), true);
        String before = Files.readString(gateway.policyFile());
        String id = propose();

        assertThat(gateway.http
                        .post("/v1/actions/" + id + "/deny", bob, json("comment", "not now"))
                        .status())
                .isEqualTo(200);
        Response apply = gateway.http.post("/v1/policy/changes/" + id + "/apply", alice, "");

        assertThat(apply.status()).isEqualTo(409);
        assertThat(apply.text("detail")).contains("denied");
        assertThat(Files.readString(gateway.policyFile())).isEqualTo(before);
        assertThat(prodQuery()).isEqualTo("allow");
        assertThat(audit("policy.changed")).isEmpty();
    }

    @Test
    void anExpiredChange_doesNotTakeEffect() throws Exception {
        start(Duration.ofSeconds(1), true);
        String before = Files.readString(gateway.policyFile());
        String id = propose();

        Instant deadline = Instant.now().plusSeconds(20);
        while (!gateway.http
                        .get("/v1/policy/changes/" + id, alice)
                        .text("status")
                        .equals("expired")
                && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        Response apply = gateway.http.post("/v1/policy/changes/" + id + "/apply", alice, "");

        assertThat(apply.status()).isEqualTo(409);
        assertThat(apply.text("detail")).contains("expired");
        assertThat(Files.readString(gateway.policyFile())).isEqualTo(before);
        assertThat(prodQuery()).isEqualTo("allow");
    }

    @Test
    void anInvalidPolicy_is422WithTheLineAndRule_andNothingIsRecorded() throws IOException {
        start(Duration.ofMinutes(30), true);
        String broken = Files.readString(gateway.policyFile()) + """
                  - name: typo
                    match: {action: "db.query"}
                    efect: deny
                """;

        Response refused = gateway.http.post("/v1/policy/changes", alice, json("policy", broken, "reason", "oops"));
        Response unchanged = gateway.http.post(
                "/v1/policy/changes", alice, json("policy", Files.readString(gateway.policyFile()), "reason", "same"));
        Response notAdmin =
                gateway.http.post("/v1/policy/changes", bob, json("policy", proposedPolicy(), "reason", "mine"));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.text("detail")).contains("line 25", "rule 'typo'", "unknown key 'efect'");
        assertThat(unchanged.status()).isEqualTo(409);
        assertThat(notAdmin.status()).isEqualTo(403);
        assertThat(gateway.http.get("/v1/approvals?status=pending", bob).json().toString())
                .doesNotContain("policy.change");
    }

    @Test
    void withReloadFromDiskOff_anEditOnDiskDoesNotTakeEffect_butAnApprovedChangeDoes() throws Exception {
        start(Duration.ofMinutes(30), false);
        String original = Files.readString(gateway.policyFile());
        Files.writeString(
                gateway.policyFile(),
                original.replace(
                        "name: reads-are-free\n    match: {action: \"db.query\"}\n    effect: allow",
                        "name: reads-are-free\n    match: {action: \"db.query\"}\n    effect: deny"));
        Thread.sleep(1500); // longer than the watcher's poll interval, were it on

        assertThat(prodQuery()).isEqualTo("allow");
        Files.writeString(gateway.policyFile(), original);
        String id = propose();
        assertThat(gateway.http
                        .post("/v1/actions/" + id + "/approve", bob, json("comment", "ok"))
                        .status())
                .isEqualTo(200);
        assertThat(gateway.http
                        .post("/v1/policy/changes/" + id + "/apply", alice, "")
                        .status())
                .isEqualTo(200);
        assertThat(prodQuery()).isEqualTo("deny");
    }
}
