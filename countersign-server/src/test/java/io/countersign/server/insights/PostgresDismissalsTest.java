package io.countersign.server.insights;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.insights.Dismissal;
import io.countersign.policy.Policy;
import io.countersign.store.GatewayStore;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.store.postgres.PostgresStore;
import io.countersign.store.postgres.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dismissing, snoozing and restoring on PostgreSQL ({@code insight_dismissals}, schema 10), over
 * the generated month of {@link GeneratedMonthTest} in an embedded PostgreSQL: the same behaviour
 * as {@link DismissalsTest} on SQLite, each change one write with its audit entry, and what one
 * node sets aside the other nodes (other stores on the same database) leave out too.
 */
class PostgresDismissalsTest {
    private static final String ANALYTICS = "suggested-allow-db.query-reporter-db-analytics";
    private static final String EXPORTS = "suggested-allow-db.export-exporter-db-analytics-events";

    private PostgresSettings database;
    private Instant now;

    @BeforeEach
    void seed() {
        database = PostgresSettings.of(TestPostgres.newDatabase());
        History month = GeneratedMonthTest.month();
        now = month.end();
        try (PostgresStore store = PostgresStore.open(database)) {
            store.transact(tx -> {
                month.requests().forEach(tx::insert);
                return null;
            });
        }
    }

    private Insights insights(GatewayStore store, Instant at) {
        Policy policy = Policy.parse("policy.yaml", SuggestionBoundsTest.POLICY);
        return new Insights(store, Clock.fixed(at, ZoneOffset.UTC), request -> false, () -> Optional.of(policy));
    }

    private Dismissals dismissals(GatewayStore store, Instant at) {
        return new Dismissals(store, Clock.fixed(at, ZoneOffset.UTC));
    }

    private static List<String> names(Insights.Suggestions suggestions) {
        return suggestions.items().stream().map(Suggestion::ruleName).toList();
    }

    private static List<String> auditLines(GatewayStore store) {
        return store.auditLeaves(0, store.auditSize()).stream()
                .map(leaf -> new String(leaf, StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void aDismissalOnOneNode_hidesTheSuggestionOnAnother_survivesReopening_andIsAudited() {
        try (PostgresStore node1 = PostgresStore.open(database);
                PostgresStore node2 = PostgresStore.open(database)) {
            assertThat(names(insights(node2, now).suggestions(Duration.ofDays(60), 10)))
                    .contains(ANALYTICS, EXPORTS);

            dismissals(node1, now)
                    .dismiss(
                            ANALYTICS,
                            "  we keep prod-adjacent reads behind a human ",
                            Optional.empty(),
                            "human:alice");

            Insights.Suggestions seen = insights(node2, now).suggestions(Duration.ofDays(60), 10);
            assertThat(names(seen)).doesNotContain(ANALYTICS).contains(EXPORTS);
            assertThat(seen.setAside()).singleElement().satisfies(dismissal -> {
                assertThat(dismissal.item()).isEqualTo(ANALYTICS);
                assertThat(dismissal.reason()).isEqualTo("we keep prod-adjacent reads behind a human");
                assertThat(dismissal.by()).isEqualTo("human:alice");
                assertThat(dismissal.at()).isEqualTo(now);
                assertThat(dismissal.until()).isEmpty();
            });
            assertThat(auditLines(node2))
                    .singleElement()
                    .asString()
                    .contains(
                            "\"type\":\"insight.dismissed\"",
                            "\"actor\":\"human:alice\"",
                            "\"item\":\"" + ANALYTICS + "\"",
                            "\"reason\":\"we keep prod-adjacent reads behind a human\"")
                    .doesNotContain("\"until\"");
        }
        try (PostgresStore reopened = PostgresStore.open(database)) {
            assertThat(names(insights(reopened, now.plus(Duration.ofDays(400))).suggestions(Duration.ofDays(3660), 10)))
                    .doesNotContain(ANALYTICS)
                    .contains(EXPORTS);
        }
    }

    @Test
    void aSnoozeHidesTheSuggestionUntilItEnds_andDismissingAgainReplacesIt() {
        try (PostgresStore store = PostgresStore.open(database)) {
            Dismissal snoozed = dismissals(store, now)
                    .dismiss(ANALYTICS, "after the quarter's audit", Optional.of(Duration.ofDays(7)), "human:alice");
            assertThat(snoozed.until()).contains(now.plus(Duration.ofDays(7)));

            assertThat(names(insights(store, now.plus(Duration.ofDays(6))).suggestions(Duration.ofDays(60), 10)))
                    .doesNotContain(ANALYTICS);
            Insights.Suggestions awake =
                    insights(store, now.plus(Duration.ofDays(7))).suggestions(Duration.ofDays(60), 10);
            assertThat(names(awake)).contains(ANALYTICS);
            assertThat(awake.setAside()).isEmpty();
            assertThat(dismissals(store, now.plus(Duration.ofDays(7))).current())
                    .isEmpty();
            assertThat(store.dismissals())
                    .singleElement()
                    .extracting(Dismissal::item)
                    .isEqualTo(ANALYTICS);

            dismissals(store, now.plus(Duration.ofDays(8)))
                    .dismiss(ANALYTICS, "for good this time", Optional.empty(), "human:bob");

            assertThat(store.dismissals()).singleElement().satisfies(dismissal -> {
                assertThat(dismissal.reason()).isEqualTo("for good this time");
                assertThat(dismissal.by()).isEqualTo("human:bob");
                assertThat(dismissal.until()).isEmpty();
            });
            assertThat(auditLines(store)).hasSize(2).satisfies(lines -> {
                assertThat(lines.get(0))
                        .contains("\"type\":\"insight.snoozed\"", "\"until\":\"" + now.plus(Duration.ofDays(7)) + "\"");
                assertThat(lines.get(1)).contains("\"type\":\"insight.dismissed\"", "\"actor\":\"human:bob\"");
            });
        }
    }

    @Test
    void aRestoreBringsTheSuggestionBackEverywhere_andRestoringWhatIsNotSetAsideRecordsNothing() {
        try (PostgresStore node1 = PostgresStore.open(database);
                PostgresStore node2 = PostgresStore.open(database)) {
            dismissals(node1, now).dismiss(ANALYTICS, "not now", Optional.empty(), "human:alice");

            assertThat(dismissals(node2, now).restore(ANALYTICS, "human:bob")).isTrue();
            assertThat(dismissals(node1, now).restore(ANALYTICS, "human:bob")).isFalse();
            assertThat(dismissals(node1, now).restore(EXPORTS, "human:bob")).isFalse();

            assertThat(names(insights(node1, now).suggestions(Duration.ofDays(60), 10)))
                    .contains(ANALYTICS);
            assertThat(node1.dismissals()).isEmpty();
            assertThat(auditLines(node1))
                    .hasSize(2)
                    .last()
                    .asString()
                    .contains("\"type\":\"insight.restored\"", "\"actor\":\"human:bob\"", "\"item\":\"" + ANALYTICS);
        }
    }
}
