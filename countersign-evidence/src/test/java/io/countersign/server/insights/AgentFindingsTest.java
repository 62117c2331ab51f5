package io.countersign.server.insights;

import static io.countersign.server.insights.History.Outcome.APPROVED;
import static io.countersign.server.insights.History.Outcome.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.identity.Scopes;
import io.countersign.identity.StoredCredential;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AgentFindingsTest {
    private static final Instant BEFORE = History.START.minus(Duration.ofDays(60));

    private static StoredCredential key(String id, String agent, Scopes scopes, Instant created) {
        return new StoredCredential(
                id, Agent.named(agent), "00", created, Optional.empty(), Optional.empty(), Optional.empty(), scopes);
    }

    /** A generated month: a reporter querying, a reader reading, and an agent nobody heard from. */
    private static History month() {
        History history = new History().every(Duration.ofHours(7));
        for (int i = 0; i < 40; i++) {
            history.add("reporter", "db.query", "db/analytics/t" + (i % 5), APPROVED);
            history.add("reader", "file.read", "files/report-" + i, NONE);
        }
        return history;
    }

    @Test
    void findsAnAgentWhoseKeyMadeNoRequestAllMonth_withItsRevocationChangingNoRecordedDecision() {
        History history = month();
        List<StoredCredential> keys = List.of(
                key("k1", "reporter", Scopes.of(List.of("db.query")), BEFORE),
                key("k2", "reader", Scopes.of(List.of("file.read")), BEFORE),
                key("k3", "old-importer", Scopes.UNRESTRICTED, BEFORE));

        assertThat(AgentFindings.find(keys, history.requests(), History.START, history.end()))
                .singleElement()
                .satisfies(finding -> {
                    assertThat(finding.kind()).isEqualTo("inactive-agent");
                    assertThat(finding.id()).isEqualTo("inactive-agent:old-importer");
                    assertThat(finding.aboutAgent()).isTrue();
                    assertThat(finding.suggestion())
                            .isEqualTo("revoke its keys: countersign agents revoke old-importer");
                    assertThat(finding.replayChanges()).isZero();
                });
    }

    @Test
    void leavesOutKeysThatAreRevokedOrNewerThanTheWindowOrUsedWithoutARequest() {
        History history = month();
        StoredCredential revoked = new StoredCredential(
                "k4",
                Agent.named("gone"),
                "00",
                BEFORE,
                Optional.empty(),
                Optional.of(BEFORE.plusSeconds(60)),
                Optional.empty(),
                Scopes.UNRESTRICTED);
        StoredCredential usedToRead = new StoredCredential(
                "k5",
                Agent.named("poller"),
                "00",
                BEFORE,
                Optional.empty(),
                Optional.empty(),
                Optional.of(History.START.plus(Duration.ofDays(3))),
                Scopes.UNRESTRICTED);
        List<StoredCredential> keys = List.of(
                revoked,
                usedToRead,
                key("k6", "newcomer", Scopes.UNRESTRICTED, History.START.plus(Duration.ofDays(20))),
                new StoredCredential("k7", new Human("alice", "alice@example.com", Set.of("ops")), "00", BEFORE));

        assertThat(AgentFindings.find(keys, history.requests(), History.START, history.end()))
                .isEmpty();
    }

    @Test
    void findsScopesNoRequestNeeded_narrowingToTheUsedOnesWhichReplayShowsRefusesNothing() {
        History history = month();
        List<StoredCredential> keys =
                List.of(key("k1", "reporter", Scopes.of(List.of("db.query", "db.export", "tickets.**")), BEFORE));

        assertThat(AgentFindings.find(keys, history.requests(), History.START, history.end()))
                .singleElement()
                .satisfies(finding -> {
                    assertThat(finding.kind()).isEqualTo("unused-agent-scope");
                    assertThat(finding.id()).isEqualTo("unused-agent-scope:reporter:k1");
                    assertThat(finding.summary()).contains("[db.export, tickets.**]", "none of its 40 requests");
                    assertThat(finding.suggestion())
                            .isEqualTo("issue the agent a key with --scope db.query and revoke key k1");
                    assertThat(finding.replayChanges()).isZero();
                });
    }

    @Test
    void suggestsScopingAnUnrestrictedKeyToTheActionsItAskedFor() {
        History history = month();
        history.add("reporter", "file.read", "files/x", NONE);
        List<StoredCredential> keys = List.of(key("k1", "reporter", Scopes.UNRESTRICTED, BEFORE));

        assertThat(AgentFindings.find(keys, history.requests(), History.START, history.end()))
                .singleElement()
                .satisfies(finding -> {
                    assertThat(finding.kind()).isEqualTo("unscoped-agent");
                    assertThat(finding.suggestion())
                            .isEqualTo(
                                    "issue the agent a key with --scope db.query --scope file.read and revoke key k1");
                    assertThat(finding.replayChanges()).isZero();
                });
    }

    @Test
    void aGlobScopeThatCoversAnAskedActionIsUsed() {
        History history = month();
        List<StoredCredential> keys = List.of(key("k2", "reader", Scopes.of(List.of("file.*")), BEFORE));

        assertThat(AgentFindings.find(keys, history.requests(), History.START, history.end()))
                .isEmpty();
    }
}
