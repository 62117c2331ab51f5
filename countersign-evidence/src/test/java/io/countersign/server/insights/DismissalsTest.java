package io.countersign.server.insights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.policy.Policy;
import io.countersign.store.GatewayStore;
import io.countersign.store.sqlite.SqliteStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dismissing and snoozing suggestions over a generated month kept in a real SQLite store. */
class DismissalsTest {
    private static final String ANALYTICS = "suggested-allow-db.query-reporter-db-analytics";

    @TempDir
    Path data;

    private Instant now;

    private GatewayStore storeWithMonth() {
        History month = GeneratedMonthTest.month();
        now = month.end();
        GatewayStore store = SqliteStore.open(data);
        store.transact(tx -> {
            month.requests().forEach(tx::insert);
            return null;
        });
        return store;
    }

    private Insights insights(GatewayStore store, Instant at) {
        Policy policy = Policy.parse("policy.yaml", SuggestionBoundsTest.POLICY);
        return new Insights(store, Clock.fixed(at, ZoneOffset.UTC), request -> false, () -> Optional.of(policy));
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
    void aDismissedSuggestionIsNoLongerShown_evenAfterARestart_andTheDismissalIsAudited() {
        try (GatewayStore store = storeWithMonth()) {
            assertThat(names(insights(store, now).suggestions(Duration.ofDays(60), 10)))
                    .contains(ANALYTICS);

            new Dismissals(store, Clock.fixed(now, ZoneOffset.UTC))
                    .dismiss(ANALYTICS, "we keep prod-adjacent reads behind a human", Optional.empty(), "human:alice");

            assertThat(auditLines(store))
                    .singleElement()
                    .asString()
                    .contains(
                            "\"type\":\"insight.dismissed\"",
                            "\"actor\":\"human:alice\"",
                            "\"item\":\"" + ANALYTICS + "\"",
                            "we keep prod-adjacent reads behind a human");
        }
        try (GatewayStore reopened = SqliteStore.open(data)) {
            Insights.Suggestions later =
                    insights(reopened, now.plus(Duration.ofDays(400))).suggestions(Duration.ofDays(3660), 10);
            assertThat(names(later)).doesNotContain(ANALYTICS).isNotEmpty();
            assertThat(later.setAside()).singleElement().satisfies(dismissal -> {
                assertThat(dismissal.item()).isEqualTo(ANALYTICS);
                assertThat(dismissal.by()).isEqualTo("human:alice");
                assertThat(dismissal.until()).isEmpty();
            });
        }
    }

    @Test
    void aSnoozedSuggestionComesBackWhenTheSnoozeEnds() {
        try (GatewayStore store = storeWithMonth()) {
            new Dismissals(store, Clock.fixed(now, ZoneOffset.UTC))
                    .dismiss(ANALYTICS, "after the quarter's audit", Optional.of(Duration.ofDays(7)), "human:alice");

            assertThat(names(insights(store, now.plus(Duration.ofDays(6))).suggestions(Duration.ofDays(60), 10)))
                    .doesNotContain(ANALYTICS);
            Insights.Suggestions awake =
                    insights(store, now.plus(Duration.ofDays(7))).suggestions(Duration.ofDays(60), 10);
            assertThat(names(awake)).contains(ANALYTICS);
            assertThat(awake.setAside()).isEmpty();
            assertThat(auditLines(store))
                    .singleElement()
                    .asString()
                    .contains("\"type\":\"insight.snoozed\"", "\"until\":\"" + now.plus(Duration.ofDays(7)) + "\"");
        }
    }

    @Test
    void aRestoredSuggestionIsShownAgain_andRestoringTwiceRecordsNothing() {
        try (GatewayStore store = storeWithMonth()) {
            Dismissals dismissals = new Dismissals(store, Clock.fixed(now, ZoneOffset.UTC));
            dismissals.dismiss(ANALYTICS, "not now", Optional.empty(), "human:alice");

            assertThat(dismissals.restore(ANALYTICS, "human:bob")).isTrue();
            assertThat(dismissals.restore(ANALYTICS, "human:bob")).isFalse();

            assertThat(names(insights(store, now).suggestions(Duration.ofDays(60), 10)))
                    .contains(ANALYTICS);
            assertThat(auditLines(store)).hasSize(2).last().asString().contains("\"type\":\"insight.restored\"");
        }
    }

    @Test
    void aFindingIsDismissedByItsId() {
        try (GatewayStore store = storeWithMonth()) {
            // An agent whose key predates the window and made no request in it: a finding from the store's keys.
            store.create(new io.countersign.identity.StoredCredential(
                    "k-idle",
                    io.countersign.identity.Agent.named("old-importer"),
                    "00",
                    Instant.parse("2026-01-01T00:00:00Z")));
            Insights.Suggestions before = insights(store, now).suggestions(Duration.ofDays(60), 10);
            assertThat(before.findings())
                    .extracting(ShrinkFindings.Finding::id)
                    .contains("inactive-agent:old-importer");
            ShrinkFindings.Finding first = before.findings().stream()
                    .filter(finding -> finding.id().equals("inactive-agent:old-importer"))
                    .findFirst()
                    .orElseThrow();

            new Dismissals(store, Clock.fixed(now, ZoneOffset.UTC))
                    .dismiss(first.id(), "kept for the yearly job", Optional.empty(), "human:alice");

            assertThat(insights(store, now).suggestions(Duration.ofDays(60), 10).findings())
                    .extracting(ShrinkFindings.Finding::id)
                    .doesNotContain(first.id());
        }
    }

    @Test
    void refusesADismissalWithoutAReasonOrWithAControlCharacterInTheItem_recordingNothing() {
        try (GatewayStore store = storeWithMonth()) {
            Dismissals dismissals = new Dismissals(store, Clock.fixed(now, ZoneOffset.UTC));

            assertThatThrownBy(() -> dismissals.dismiss(ANALYTICS, "  ", Optional.empty(), "human:alice"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("reason");
            assertThatThrownBy(() -> dismissals.dismiss("a\nb", "why", Optional.empty(), "human:alice"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(store.auditSize()).isZero();
            assertThat(store.dismissals()).isEmpty();
        }
    }
}
