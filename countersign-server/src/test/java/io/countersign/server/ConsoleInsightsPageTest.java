package io.countersign.server;

import static io.countersign.server.ConsoleHtml.between;
import static io.countersign.server.ConsoleHtml.element;
import static io.countersign.server.ConsoleHtml.items;
import static io.countersign.server.ConsoleHtml.text;
import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.identity.IdentityConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's insights page, as HTML over HTTP from a real gateway: the suggestions and findings the
 * API gives, each with its evidence; auditors read it, admins set items aside with a reason (for good
 * or snoozed) and bring them back, audited under their names like the API's and the command line's.
 */
class ConsoleInsightsPageTest {
    private static final String SUGGESTION = "suggested-allow-db.export-reporter-db-prod";
    private static final String FINDING = "inactive-agent:old-importer";

    @TempDir
    Path directory;

    private TestGateway gateway;
    private String alice;

    /** The real time, moved on by the test: an agent made before the window and idle in it is a finding. */
    private static final class LaterClock extends Clock {
        private volatile Duration ahead = Duration.ZERO;

        @Override
        public Instant instant() {
            return Instant.now().plus(ahead);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @BeforeEach
    void seed() {
        LaterClock clock = new LaterClock();
        gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly().withRoles(Set.of("admins"), Set.of("auditors")),
                "/e2e-policy.yaml",
                UnaryOperator.identity(),
                clock);
        gateway.agent("old-importer");
        clock.ahead = Duration.ofDays(2);
        alice = gateway.human("alice", "admins");
        String carol = gateway.human("carol", "data-owners");
        String reporter = gateway.agent("reporter");
        for (int i = 0; i < 10; i++) {
            Response submitted = gateway.http.post(
                    "/v1/actions",
                    reporter,
                    json("action", "db.export", "resource", "db/prod/table" + (i % 3), "reason", "weekly report"));
            assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
            Response vote = gateway.http.post(
                    "/v1/actions/" + submitted.text("id") + "/approve", carol, json("comment", "fine <b>again</b>"));
            assertThat(vote.status()).as(vote.body()).isEqualTo(200);
        }
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void anAuditorReadsTheSuggestionsWithTheirEvidence_andTheFindings_butCannotSetThemAside() {
        ConsoleClient auditor = ConsoleClient.signIn(gateway.baseUrl(), gateway.human("dora", "auditors"));

        HttpResponse<String> page = auditor.get("/console/insights?since=1d");

        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        String suggestion =
                between(page.body(), "<section class=\"insight\" id=\"suggestion-" + SUGGESTION, "</section>");
        assertThat(text(suggestion))
                .contains("Evidence: between ", "by 1 person (carol 10)", "to decide")
                .contains("Resources: db/prod/table0 (4), db/prod/table1 (3), db/prod/table2 (3)")
                .contains("fine <b>again</b>")
                .contains("name: \"" + SUGGESTION + "\"", "effect: allow");
        assertThat(suggestion).doesNotContain("<b>again</b>");
        assertThat(items(between(suggestion, "<ul class=\"examples\">", "</ul>")))
                .hasSize(10)
                .allMatch(example -> example.matches("\\S+: db/prod/table\\d, by carol in \\d+s"));
        assertThat(text(between(page.body(), "<tr id=\"finding-" + FINDING + "\"", "</tr>")))
                .contains("inactive-agent", "old-importer");
        assertThat(page.body()).doesNotContain("/console/insights/dismiss", "/console/insights/restore");

        HttpResponse<String> refused = auditor.submit(
                "/console/insights", "/console/insights/dismiss", Map.of("item", SUGGESTION, "reason", "mine?"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(gateway.http
                        .get("/v1/insights/suggestions?since=1d", alice)
                        .json()
                        .path("setAside"))
                .isEmpty();
    }

    @Test
    void anAdminDismissesASuggestion_snoozesAFinding_andRestores_eachAuditedUnderTheirName() {
        ConsoleClient admin = ConsoleClient.signIn(gateway.baseUrl(), alice);

        HttpResponse<String> withoutReason = admin.submit(
                "/console/insights", "/console/insights/dismiss", Map.of("item", SUGGESTION, "reason", " "));
        assertThat(withoutReason.statusCode()).isEqualTo(303);
        HttpResponse<String> unchanged = admin.get("/console/insights?since=1d");
        assertThat(text(element(unchanged.body(), "p", "notice")))
                .isEqualTo("Setting '" + SUGGESTION + "' aside needs a reason; nothing changed.");
        assertThat(unchanged.body()).contains("id=\"suggestion-" + SUGGESTION + "\"");

        admin.submit(
                "/console/insights",
                "/console/insights/dismiss",
                Map.of("item", SUGGESTION, "reason", "prod stays behind a human", "snooze", ""));
        admin.submit(
                "/console/insights",
                "/console/insights/dismiss",
                Map.of("item", FINDING, "reason", "runs at quarter end", "snooze", "90d"));
        HttpResponse<String> after = admin.get("/console/insights?since=1d");

        assertThat(text(element(after.body(), "p", "notice"))).startsWith("Snoozed '" + FINDING + "' until ");
        assertThat(after.body()).doesNotContain("id=\"suggestion-" + SUGGESTION + "\"", "id=\"finding-" + FINDING);
        assertThat(text(between(after.body(), "<tr id=\"aside-" + SUGGESTION + "\"", "</tr>")))
                .contains("prod stays behind a human", "human:alice", "for good", "Restore");
        assertThat(text(between(after.body(), "<tr id=\"aside-" + FINDING + "\"", "</tr>")))
                .contains("runs at quarter end", "human:alice")
                .doesNotContain("for good");

        admin.submit("/console/insights", "/console/insights/restore", Map.of("item", SUGGESTION));
        HttpResponse<String> restored = admin.get("/console/insights?since=1d");
        assertThat(text(element(restored.body(), "p", "notice")))
                .isEqualTo("Restored '" + SUGGESTION + "': it is back among the insights.");
        assertThat(restored.body()).contains("id=\"suggestion-" + SUGGESTION + "\"");

        String entries =
                gateway.http.get("/v1/audit/entries", gateway.auditor()).body();
        assertThat(entries)
                .contains(
                        "\"type\":\"insight.dismissed\"",
                        "\"type\":\"insight.snoozed\"",
                        "\"type\":\"insight.restored\"")
                .contains("\"actor\":\"human:alice\"");
    }

    @Test
    void aBadWindow_isTheConsolesOwnErrorPage_andAHumanWithoutARole_isRefused() {
        ConsoleClient admin = ConsoleClient.signIn(gateway.baseUrl(), alice);

        HttpResponse<String> bad = admin.get("/console/insights?since=forever");
        HttpResponse<String> badMin = admin.get("/console/insights?min=0");
        HttpResponse<String> stranger = ConsoleClient.signIn(gateway.baseUrl(), gateway.human("eve", "staff"))
                .get("/console/insights");

        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(bad.body()).contains("since:").doesNotContain("Exception", "\tat ");
        assertThat(badMin.statusCode()).isEqualTo(400);
        assertThat(badMin.body()).contains("min must be a whole number from 1 to 100000");
        assertThat(stranger.statusCode()).isEqualTo(403);
    }
}
