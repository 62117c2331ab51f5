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
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A suggestion proposed as a policy change carries its evidence, and every change request carries
 * the line diff and the replay's impact: how many recorded requests change, which that humans
 * denied would now pass.
 */
class PolicyChangeReviewTest {
    private static final String SUGGESTION = "suggested-allow-db.export-reporter-db-prod";

    @TempDir
    Path directory;

    private TestGateway gateway;
    private String alice;
    private String carol;
    private String reporter;
    private String intern;

    @BeforeEach
    void start() {
        gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly().withRoles(Set.of("admins"), Set.of("auditors")),
                "/e2e-policy.yaml",
                config -> config.withPolicyChanges(
                        new PolicyChangeSettings(Set.of("policy-admins"), 1, Duration.ofHours(1), true)));
        alice = gateway.human("alice", "admins");
        carol = gateway.human("carol", "data-owners");
        reporter = gateway.agent("reporter");
        intern = gateway.agent("intern");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private String export(String agent, String table, boolean approve) {
        Response submitted = gateway.http.post(
                "/v1/actions",
                agent,
                json("action", "db.export", "resource", "db/prod/" + table, "reason", "weekly report"));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        String id = submitted.text("id");
        Response vote = approve
                ? gateway.http.post("/v1/actions/" + id + "/approve", carol, json("comment", "ok"))
                : gateway.http.post("/v1/actions/" + id + "/deny", carol, json("comment", "not the interns"));
        assertThat(vote.status()).as(vote.body()).isEqualTo(200);
        return id;
    }

    /** The active policy with the suggested rule, its superseded rule narrowed, and an allow for the intern too. */
    private String adoptingTheSuggestion(String suggestedRule) throws IOException {
        String indented = suggestedRule.lines().map(line -> "  " + line).reduce("", (a, b) -> a + b + "\n");
        return Files.readString(gateway.policyFile())
                        .replace(
                                "match: {action: \"db.export\", resource: \"db/prod/*\"}",
                                "match: {action: \"db.export\", resource: \"db/prod/*\"}\n    when: '!(agent.name in [\"reporter\", \"intern\"])'")
                + indented
                + """
                  - name: intern-exports
                    match: {action: "db.export", agent: "intern"}
                    effect: allow
                """;
    }

    @Test
    void aProposalAdoptingASuggestion_carriesItsEvidence_theLineDiff_andTheReplaysImpact() throws IOException {
        for (int i = 0; i < 10; i++) {
            export(reporter, "table" + (i % 3), true);
        }
        String denied = export(intern, "salaries", false);
        JsonNode suggestion = gateway.http
                .get("/v1/insights/suggestions?since=1d", alice)
                .json()
                .path("suggestions")
                .get(0);
        assertThat(suggestion.path("ruleName").asString()).isEqualTo(SUGGESTION);

        Response proposed = gateway.http.post(
                "/v1/policy/changes",
                alice,
                json(
                        "policy",
                        adoptingTheSuggestion(suggestion.path("rule").asString()),
                        "reason",
                        "adopt the export suggestion",
                        "suggestion",
                        SUGGESTION));

        assertThat(proposed.status()).as(proposed.body()).isEqualTo(202);
        JsonNode change = proposed.json();
        assertThat(change.path("lineDiff").asString())
                .contains(
                        "@@ -",
                        "+    when: '!(agent.name in [\"reporter\", \"intern\"])'",
                        "+  - name: \"" + SUGGESTION + "\"",
                        "+  - name: intern-exports");
        JsonNode impact = change.path("impact");
        assertThat(impact.path("replayed").asInt()).isEqualTo(11);
        assertThat(impact.path("changed").asInt()).isEqualTo(11);
        assertThat(impact.path("humanDeniedNowAllowed").asInt()).isEqualTo(1);
        assertThat(impact.path("humanDeniedNowAllowedRequests")
                        .get(0)
                        .path("id")
                        .asString())
                .isEqualTo(denied);
        assertThat(impact.path("summary").asString())
                .startsWith("11 of 11 recorded request(s)")
                .endsWith("1 that a human denied would now be allowed");
        assertThat(change.path("evidence").path("summary").asString())
                .startsWith("db.export on db/prod/* (3 resources) by agent reporter was approved 10 of 10 times");
        assertThat(change.path("evidence").path("evidence").path("deciders").toString())
                .isEqualTo("{\"carol\":10}");
        assertThat(gateway.http
                        .get("/v1/policy/changes/" + change.path("id").asString(), alice)
                        .json()
                        .path("impact")
                        .path("changed")
                        .asInt())
                .isEqualTo(11);
    }

    @Test
    void aProposalNamingASuggestionThatIsNotMadeNow_orThatItDoesNotContain_isRefused() throws IOException {
        String policy = Files.readString(gateway.policyFile())
                + "  - name: nothing-new\n    match: {action: \"x.y\"}\n    effect: deny\n";

        Response unknown = gateway.http.post(
                "/v1/policy/changes", alice, json("policy", policy, "reason", "r", "suggestion", "nothing-new"));
        Response missing = gateway.http.post(
                "/v1/policy/changes", alice, json("policy", policy, "reason", "r", "suggestion", SUGGESTION));

        assertThat(unknown.status()).as(unknown.body()).isEqualTo(422);
        assertThat(unknown.body()).contains("no current suggestion 'nothing-new'");
        assertThat(missing.status()).as(missing.body()).isEqualTo(422);
        assertThat(missing.body()).contains("has no rule '" + SUGGESTION + "'");
    }
}
