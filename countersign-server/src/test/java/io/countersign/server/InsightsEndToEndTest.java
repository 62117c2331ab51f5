package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.identity.IdentityConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Suggestions and replay over a real gateway's history, through the API and the command line. */
class InsightsEndToEndTest {
    @TempDir
    Path directory;

    private TestGateway gateway;
    private String bob;
    private String auditor;
    private String reporter;

    @BeforeEach
    void start() {
        gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly().withRoles(Set.of("admins"), Set.of("auditors")),
                "/e2e-policy.yaml");
        bob = gateway.human("bob", "data-owners");
        auditor = gateway.human("dana", "auditors");
        reporter = gateway.agent("reporter");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private void export(String agent, String table, boolean approve) {
        Response submitted = gateway.http.post(
                "/v1/actions",
                agent,
                json("action", "db.export", "resource", "db/prod/" + table, "reason", "weekly report"));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        String id = submitted.text("id");
        Response vote = approve
                ? gateway.http.post("/v1/actions/" + id + "/approve", bob, json("comment", "ok"))
                : gateway.http.post("/v1/actions/" + id + "/deny", bob, json("comment", "no"));
        assertThat(vote.status()).as(vote.body()).isEqualTo(200);
    }

    private Path proposedPolicy() throws IOException {
        Path file = directory.resolve("proposed.yaml");
        Files.writeString(
                file,
                Files.readString(gateway.policyFile())
                                .replace(
                                        "match: {action: \"db.export\", resource: \"db/prod/*\"}",
                                        "match: {action: \"db.export\", resource: \"db/prod/*\"}\n    when: 'agent.name != \"reporter\"'")
                        + """
                  - name: reporter-exports
                    match: {action: "db.export", resource: "db/prod/*", agent: "reporter"}
                    effect: allow
                """);
        return file;
    }

    @Test
    void suggestsAnAllowRuleForASeededHistory_andNoneForAMixedOne_andReplaysAProposal() throws IOException {
        String intern = gateway.agent("intern");
        for (int i = 0; i < 10; i++) {
            export(reporter, "table" + (i % 3), true);
            export(intern, "table" + i, i != 4);
        }

        Response suggestions = gateway.http.get("/v1/insights/suggestions?since=1d", auditor);

        assertThat(suggestions.status()).as(suggestions.body()).isEqualTo(200);
        JsonNode items = suggestions.json().path("suggestions");
        assertThat(items).hasSize(1);
        JsonNode allow = items.get(0);
        assertThat(allow.path("summary").asString())
                .startsWith(
                        "db.export on db/prod/* (3 resources) by agent reporter was approved 10 of 10 times by data-owners");
        assertThat(allow.path("count").asInt()).isEqualTo(10);
        assertThat(allow.path("groups").toString()).isEqualTo("[\"data-owners\"]");
        assertThat(allow.path("examples")).hasSize(10);
        assertThat(allow.path("evidence")
                        .path("examples")
                        .get(0)
                        .path("decidedBy")
                        .toString())
                .isEqualTo("[\"bob\"]");
        assertThat(allow.path("resources").size()).isEqualTo(3);
        assertThat(allow.path("rule").asString()).contains("agent: \"reporter\"", "effect: allow");
        assertThat(allow.path("supersedes").toString()).contains("exports-need-a-data-owner");
        // No query was made: the allow rule for them decided nothing, and removing it changes no recorded decision.
        assertThat(suggestions.json().path("findings")).singleElement().satisfies(finding -> {
            assertThat(finding.path("id").asString()).isEqualTo("unused-allow-rule:reads-are-free");
            assertThat(finding.path("rule").asString()).isEqualTo("reads-are-free");
            assertThat(finding.path("line").asInt()).isEqualTo(4);
            assertThat(finding.path("suggestion").asString()).isEqualTo("remove it (lines 4-6)");
            assertThat(finding.path("replayChanges").asInt()).isZero();
        });
        assertThat(gateway.http.get("/v1/insights/suggestions", reporter).status())
                .isEqualTo(403);
        assertThat(gateway.http.get("/v1/insights/suggestions", bob).status()).isEqualTo(403);
        assertThat(gateway.http
                        .get("/v1/insights/suggestions?since=forever", auditor)
                        .status())
                .isEqualTo(400);

        Response replay = gateway.http.post(
                "/v1/policy/replay", auditor, json("policy", Files.readString(proposedPolicy()), "since", "1d"));

        assertThat(replay.status()).as(replay.body()).isEqualTo(200);
        assertThat(replay.json().path("replayed").asInt()).isEqualTo(20);
        assertThat(replay.json().path("counts").toString()).isEqualTo("{\"require_approval -> allow\":10}");
        assertThat(replay.json().path("changes")).hasSize(10).allSatisfy(change -> assertThat(
                        change.path("agent").asString())
                .isEqualTo("reporter"));
        assertThat(gateway.http
                        .post("/v1/policy/replay", auditor, json("policy", "rules: ["))
                        .status())
                .isEqualTo(422);
    }

    @Test
    void theCommandLine_readsTheSameHistoryFromTheDataFolder() throws IOException {
        for (int i = 0; i < 10; i++) {
            export(reporter, "table" + i, true);
        }
        Path proposed = proposedPolicy();
        gateway.stop();

        Cli.Run insights = Cli.run("insights", "--data", gateway.data().toString(), "--since", "1d");
        Cli.Run replay = Cli.run(
                "policy",
                "replay",
                proposed.toString(),
                "--data",
                gateway.data().toString(),
                "--since",
                "1d");
        Cli.Run mixed = Cli.run("insights", "--data", gateway.data().toString(), "--min", "11");

        assertThat(insights.exitCode()).as(insights.all()).isZero();
        assertThat(insights.out())
                .contains(
                        "1. db.export on db/prod/* (10 resources) by agent reporter was approved 10 of 10 times by data-owners",
                        "- name: \"suggested-allow-db.export-reporter-db-prod\"");
        assertThat(replay.exitCode()).as(replay.all()).isZero();
        assertThat(replay.out())
                .contains(
                        "replayed 10 request(s)",
                        "10 decision(s) would change:",
                        "  require_approval -> allow: 10",
                        "require_approval [exports-need-a-data-owner] -> allow [reporter-exports]");
        assertThat(mixed.out()).contains("no suggestions");
        gateway.start();
    }

    @Test
    void anAdminDismissesOrSnoozesASuggestion_throughTheApiAndTheCommandLine_andItStaysOutUntilRestored() {
        String admin = gateway.human("alice", "admins");
        for (int i = 0; i < 10; i++) {
            export(reporter, "table" + (i % 3), true);
        }
        String name = "suggested-allow-db.export-reporter-db-prod";
        String path = "/v1/insights/items/" + name;

        assertThat(gateway.http
                        .post(path + "/dismiss", auditor, json("reason", "not mine to dismiss"))
                        .status())
                .isEqualTo(403);
        assertThat(gateway.http
                        .post(path + "/dismiss", admin, json("snooze", "7d"))
                        .status())
                .isEqualTo(400);
        Response snoozed =
                gateway.http.post(path + "/dismiss", admin, json("reason", "after the audit", "snooze", "7d"));
        assertThat(snoozed.status()).as(snoozed.body()).isEqualTo(200);
        assertThat(snoozed.text("until")).isNotBlank();

        JsonNode after =
                gateway.http.get("/v1/insights/suggestions?since=1d", auditor).json();
        assertThat(after.path("suggestions")).isEmpty();
        assertThat(after.path("setAside").get(0).path("item").asString()).isEqualTo(name);
        assertThat(after.path("setAside").get(0).path("by").asString()).isEqualTo("human:alice");

        Response restored = gateway.http.post(path + "/restore", admin, json());
        assertThat(restored.status()).as(restored.body()).isEqualTo(200);
        assertThat(gateway.http.post(path + "/restore", admin, json()).status()).isEqualTo(404);
        assertThat(gateway.http
                        .get("/v1/insights/suggestions?since=1d", auditor)
                        .json()
                        .path("suggestions"))
                .hasSize(1);
        gateway.stop();

        Cli.Run dismiss = Cli.run(
                "insights",
                "dismiss",
                name,
                "--reason",
                "we keep prod behind a human",
                "--data",
                gateway.data().toString());
        Cli.Run listed = Cli.run("insights", "--data", gateway.data().toString(), "--since", "1d");
        Cli.Run restore =
                Cli.run("insights", "restore", name, "--data", gateway.data().toString());

        assertThat(dismiss.exitCode()).as(dismiss.all()).isZero();
        assertThat(dismiss.out()).contains("Dismissed " + name);
        assertThat(listed.out()).contains("set aside: " + name, "we keep prod behind a human", "no suggestions");
        assertThat(restore.exitCode()).as(restore.all()).isZero();
        gateway.start();
        assertThat(gateway.http.get("/v1/audit/entries", auditor).body())
                .contains(
                        "\"type\":\"insight.snoozed\"",
                        "\"type\":\"insight.restored\"",
                        "\"type\":\"insight.dismissed\"");
    }
}
