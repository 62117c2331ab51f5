package io.countersign.server.insights;

import static io.countersign.server.insights.History.Outcome.APPROVED;
import static io.countersign.server.insights.History.Outcome.DENIED;
import static io.countersign.server.insights.History.Outcome.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A generated month of traffic with every trap of the issue in it, and the suggestions it gives:
 * what the evidence supports and nothing wider. The answer is written to
 * {@code target/generated-month-suggestions.json} for people to read.
 */
class GeneratedMonthTest {
    static History month() {
        Random random = new Random(25);
        History history = new History(Policy.parse("policy.yaml", SuggestionBoundsTest.POLICY));
        // Analytics queries, approved over the month by two data owners who take their time.
        for (int i = 0; i < 38; i++) {
            history.every(Duration.ofMinutes(20 + random.nextInt(900)))
                    .decidedAfter(Duration.ofSeconds(60 + random.nextInt(1800)))
                    .decidedBy(i % 3 == 0 ? "alice" : "bob", Optional.of(i % 5 == 0 ? "fine, read-only" : ""));
            history.add("reporter", "db.query", "db/analytics/t" + random.nextInt(6), APPROVED);
        }
        // Two prod queries, approved as exceptions.
        history.decidedBy("carol", Optional.of("OK this time only"));
        history.add("reporter", "db.query", "db/prod/customers", APPROVED);
        history.add("reporter", "db.query", "db/prod/customers", APPROVED);
        // Exports of up to 50,000 rows as csv or json.
        history.every(Duration.ofHours(7)).decidedBy("dana", Optional.empty());
        for (int i = 0; i < 15; i++) {
            history.add(
                    "exporter",
                    "db.export",
                    "db/analytics/events",
                    SuggestionBoundsTest.params(
                            Map.of("rows", 1_000 + random.nextInt(49_001), "format", i % 3 == 0 ? "json" : "csv")),
                    APPROVED);
        }
        // A burst of restarts: the breaker holds 12 of them, approved within seconds.
        history.every(Duration.ofMinutes(1)).decidedAfter(Duration.ofSeconds(3)).decidedBy("erin", Optional.empty());
        for (int i = 0; i < 15; i++) {
            history.add("ops-bot", "svc.restart", "svc/api", APPROVED);
        }
        // Shell: rm -rf denied, builds approved, listings allowed by the policy.
        history.every(Duration.ofHours(3))
                .decidedAfter(Duration.ofMinutes(4))
                .decidedBy("frank", Optional.of("never on build hosts"));
        for (int i = 0; i < 12; i++) {
            history.shell(i % 2 == 0 ? "builder" : "packer", "rm -rf /srv/build/" + i, DENIED);
        }
        history.decidedBy("frank", Optional.empty());
        for (int i = 0; i < 10; i++) {
            history.shell(
                    i % 2 == 0 ? "builder" : "packer", i % 2 == 0 ? "terraform plan" : "npm run format", APPROVED);
            history.shell("builder", "ls --all-files /srv/build", NONE);
        }
        // Deploys of one service, one a day.
        history.every(Duration.ofHours(20)).decidedAfter(Duration.ofMinutes(15));
        for (int i = 0; i < 10; i++) {
            history.decidedBy(i % 2 == 0 ? "frank" : "gail", Optional.empty());
            history.add("deployer", "k8s.deploy", "k8s/prod/api", APPROVED);
        }
        // An intern's agent, turned down every time.
        history.every(Duration.ofHours(5)).decidedBy("alice", Optional.of("not with prod data"));
        for (int i = 0; i < 10; i++) {
            history.add("intern-bot", "db.query", "db/prod/t" + i, DENIED);
        }
        return history;
    }

    @Test
    void aGeneratedMonthGivesTheSuggestionsItsEvidenceSupports_andNothingWider() throws IOException {
        History history = month();
        List<Suggestion> suggestions = new SuggestionFinder(10, Optional.of(history.policy()))
                .find(history.requests(), History.START, history.end());

        assertThat(suggestions)
                .extracting(Suggestion::ruleName)
                .containsExactly(
                        "suggested-allow-db.export-exporter-db-analytics-events",
                        "suggested-allow-db.query-reporter-db-analytics",
                        "suggested-allow-k8s.deploy-deployer-k8s-prod-api",
                        "suggested-deny-db.query-intern-bot",
                        "suggested-deny-shell.exec-command-rm-rf");
        assertThat(suggestions).allSatisfy(suggestion -> {
            assertThat(suggestion.evidence().examples()).hasSizeGreaterThan(5);
            assertThat(suggestion.ruleYaml()).doesNotContain("**", "startsWith", "contains(");
        });
        assertThat(suggestions.get(1).count()).isEqualTo(38);
        assertThat(suggestions.get(1).evidence().deciders()).containsOnlyKeys("alice", "bob");
        assertThat(suggestions.get(2).ruleYaml()).contains("breaker: {max: 5");
        assertThat(suggestions.get(0).summary()).contains("format in {csv, json}, rows ");

        Path out = Path.of("target", "generated-month-suggestions.json");
        Files.createDirectories(out.getParent());
        JsonMapper mapper = JsonMapper.builder().build();
        Files.writeString(
                out,
                mapper.writerWithDefaultPrettyPrinter()
                        .writeValueAsString(InsightsJson.suggestions(
                                mapper,
                                new Insights.Suggestions(
                                        new DecisionHistory(History.START, history.end(), history.requests()),
                                        10,
                                        suggestions))));
        assertThat(suggestions).filteredOn(s -> s.effect() == Effect.DENY).hasSize(2);
    }
}
