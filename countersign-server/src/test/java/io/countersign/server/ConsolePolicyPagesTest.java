package io.countersign.server;

import static io.countersign.server.ConsoleHtml.between;
import static io.countersign.server.ConsoleHtml.element;
import static io.countersign.server.ConsoleHtml.items;
import static io.countersign.server.ConsoleHtml.text;
import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.server.policychange.PolicyChangeSettings;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The console's part of the learning loop, as HTML over HTTP from a real gateway: the request page
 * of a policy change shows the replay's impact, the human-denied requests it would now allow, the
 * adopted suggestion's evidence and the line diff; the policy page lists the rules expired or
 * expiring soon by the gateway's clock, the one the gate decides with.
 */
class ConsolePolicyPagesTest {
    private static final String SUGGESTION = "suggested-allow-db.export-reporter-db-prod";
    /** The expiring policy's day: one rule expired two days before, one expires in three days, one in a month. */
    private static final Instant MARCH_FIRST = Instant.parse("2026-03-01T09:00:00Z");

    @TempDir
    Path directory;

    private TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private String export(String agent, String table, String dataOwner, boolean approve) {
        Response submitted = gateway.http.post(
                "/v1/actions",
                agent,
                json("action", "db.export", "resource", "db/prod/" + table, "reason", "weekly report"));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        String id = submitted.text("id");
        Response vote = approve
                ? gateway.http.post("/v1/actions/" + id + "/approve", dataOwner, json("comment", "ok"))
                : gateway.http.post("/v1/actions/" + id + "/deny", dataOwner, json("comment", "not the interns"));
        assertThat(vote.status()).as(vote.body()).isEqualTo(200);
        return id;
    }

    /** The suggestion adopted as its note says, an allow for the intern too, and a comment with markup in it. */
    private String adopting(String suggestedRule) throws IOException {
        String indented = suggestedRule.lines().map(line -> "  " + line).reduce("", (a, b) -> a + b + "\n");
        return Files.readString(gateway.policyFile())
                        .replace(
                                "match: {action: \"db.export\", resource: \"db/prod/*\"}",
                                "match: {action: \"db.export\", resource: \"db/prod/*\"}\n    when: '!(agent.name in [\"reporter\", \"intern\"])'")
                + indented
                + """
                  # <b>trusted</b> exporters
                  - name: intern-exports
                    match: {action: "db.export", agent: "intern"}
                    effect: allow
                """;
    }

    @Test
    void aPolicyChangesRequestPage_showsTheReplaysImpact_theDenialsItWouldUndo_theEvidence_andTheLineDiff()
            throws IOException {
        gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly().withRoles(Set.of("admins"), Set.of("auditors")),
                "/e2e-policy.yaml",
                config -> config.withPolicyChanges(
                        new PolicyChangeSettings(Set.of("policy-admins"), 1, Duration.ofHours(1), true)));
        String alice = gateway.human("alice", "admins");
        String carol = gateway.human("carol", "data-owners");
        String bob = gateway.human("bob", "policy-admins");
        String reporter = gateway.agent("reporter");
        String intern = gateway.agent("intern");
        String ordinary = "";
        for (int i = 0; i < 10; i++) {
            ordinary = export(reporter, "table" + (i % 3), carol, true);
        }
        String denied = export(intern, "salaries", carol, false);
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
                        adopting(suggestion.path("rule").asString()),
                        "reason",
                        "adopt the export suggestion",
                        "suggestion",
                        SUGGESTION));
        assertThat(proposed.status()).as(proposed.body()).isEqualTo(202);
        String change = proposed.text("id");

        ConsoleClient console = ConsoleClient.signIn(gateway.baseUrl(), bob);
        HttpResponse<String> page = console.get("/console/requests/" + change);

        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        String body = page.body();
        String review = between(body, "<section id=\"policy-change-review\"", "</section>");
        assertThat(body.indexOf("id=\"policy-change-review\"")).isLessThan(body.indexOf("<h2>Parameters</h2>"));
        assertThat(text(element(review, "p", "replay-impact")))
                .startsWith("Replay: 11 of 11 recorded request(s) from ")
                .endsWith(" would be decided differently; 1 that a human denied would now be allowed");
        assertThat(items(element(review, "ul", "now-allowed")))
                .containsExactly(denied + " (intern db.export db/prod/salaries, denied by human:carol)");
        assertThat(text(element(review, "p", "adopted-evidence")))
                .startsWith("Evidence: db.export on db/prod/* (3 resources) by agent reporter was approved 10 of 10"
                        + " times")
                .contains("by 1 person (carol 10)");
        String diff = text(element(review, "pre", "line-diff"));
        assertThat(diff)
                .contains(
                        "@@ -",
                        "+    when: '!(agent.name in [\"reporter\", \"intern\"])'",
                        "+  - name: \"" + SUGGESTION + "\"",
                        "+  # <b>trusted</b> exporters",
                        "+  - name: intern-exports");
        assertThat(review).doesNotContain("<b>trusted</b>").contains("&lt;b&gt;trusted&lt;/b&gt;");
        assertThat(body).contains("id=\"approve\"");

        HttpResponse<String> export = console.get("/console/requests/" + ordinary);
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.body()).doesNotContain("policy-change-review", "line-diff", "replay-impact");
    }

    /** A change that adopts no suggestion and undoes no denial: the replay and the diff, no evidence, no list. */
    @Test
    void aChangeAdoptingNoSuggestion_showsItsReplayAndDiff_butNoEvidenceAndNoDenialsUndone() throws IOException {
        gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly().withRoles(Set.of("admins"), Set.of("auditors")),
                "/e2e-policy.yaml",
                config -> config.withPolicyChanges(
                        new PolicyChangeSettings(Set.of("policy-admins"), 1, Duration.ofHours(1), true)));
        String alice = gateway.human("alice", "admins");
        String bob = gateway.human("bob", "policy-admins");
        String policy = Files.readString(gateway.policyFile())
                + "  - name: no-deploys\n    match: {action: \"k8s.deploy\"}\n    effect: deny\n";
        Response proposed =
                gateway.http.post("/v1/policy/changes", alice, json("policy", policy, "reason", "no deploys"));
        assertThat(proposed.status()).as(proposed.body()).isEqualTo(202);

        String review = between(
                ConsoleClient.signIn(gateway.baseUrl(), bob)
                        .get("/console/requests/" + proposed.text("id"))
                        .body(),
                "<section id=\"policy-change-review\"",
                "</section>");

        assertThat(text(element(review, "p", "replay-impact")))
                .startsWith("Replay: 0 of ")
                .endsWith("; none that a human denied would now be allowed");
        assertThat(text(element(review, "pre", "line-diff"))).contains("+  - name: no-deploys", "+    effect: deny");
        assertThat(review).doesNotContain("id=\"adopted-evidence\"", "id=\"now-allowed\"");
    }

    @Test
    void thePolicyPage_listsTheRulesExpiredOrExpiringWithinAWeek_byTheGatewaysClock_asTheGateDecides() {
        Clock marchFirst = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), MARCH_FIRST));
        gateway = new TestGateway(
                directory, IdentityConfig.localOnly(), "/expiring-policy.yaml", UnaryOperator.identity(), marchFirst);
        ConsoleClient console = ConsoleClient.signIn(gateway.baseUrl(), gateway.human("dana", "staff"));

        HttpResponse<String> page = console.get("/console/policy");

        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        List<String> listed = items(between(page.body(), "<section id=\"expiring-rules\"", "</section>"));
        assertThat(listed).hasSize(2);
        assertThat(listed.get(0))
                .isEqualTo("rule 'trial-exports' (line 4) expired at 2026-02-27T00:00:00Z: it matches nothing now;"
                        + " remove it or move its expiresAt");
        assertThat(listed.get(1))
                .matches("rule 'week-of-reads' \\(line 8\\) expires at 2026-03-04T09:00:00Z \\(in 7[12]h\\)");
        assertThat(page.body()).contains("quarter-of-listings"); // in the source, not in the list

        // The gate agrees: the expired rule matches nothing, the one still running allows.
        assertThat(simulatedEffect(console, "db.export", "db/dev/t1")).isEqualTo("deny");
        assertThat(simulatedEffect(console, "db.query", "db/dev/t1")).isEqualTo("allow");
    }

    private static String simulatedEffect(ConsoleClient console, String action, String resource) {
        HttpResponse<String> result = console.submit(
                "/console/policy", "/console/policy/simulate", Map.of("action", action, "resource", resource));
        assertThat(result.statusCode()).as(result.body()).isEqualTo(200);
        return text(element(result.body(), "dd", "sim-effect"));
    }
}
