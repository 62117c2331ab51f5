package io.countersign.server.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Human;
import io.countersign.identity.Person;
import io.countersign.identity.PersonIndex;
import io.countersign.identity.Scopes;
import io.countersign.identity.StoredCredential;
import io.countersign.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory keeps its index of the humans across calls, and a change to the credentials, made
 * through any handle to the store, is seen at the next call: never a stale answer.
 */
class HumanDirectoryTest {
    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
    private static final Human ALICE = new Human("alice", "alice@example.com", Set.of("approvers"));
    private static final Human BOB = new Human("bob", "bob@example.com", Set.of("approvers"));

    @TempDir
    Path dir;

    private SqliteStore store;
    private MovingClock clock;
    private HumanDirectory directory;

    @BeforeEach
    void openStore() {
        store = SqliteStore.open(dir);
        clock = new MovingClock(T0);
        directory = new HumanDirectory(store, clock);
        store.create(credential("t-alice", ALICE, Optional.empty()));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void whileTheHumansAreTheSame_theIndexIsKept() {
        PersonIndex first = directory.index();

        assertThat(directory.index()).isSameAs(first);
        assertThat(directory.resolve("ALICE@EXAMPLE.COM")).contains(ALICE.person());
        assertThat(directory.index()).isSameAs(first);
    }

    @Test
    void aHumanCreatedAfterTheIndexWasBuilt_isResolvedAtTheNextCall_andThePersonsWhoStayedAreNotReadAgain() {
        Person alice = directory.index().persons().getFirst();
        assertThat(directory.resolve("bob@example.com")).isEmpty();

        store.create(credential("t-bob", BOB, Optional.empty()));

        assertThat(directory.resolve("bob@example.com")).contains(BOB.person());
        assertThat(directory.confusableWith(new Person("b0b", "bob@example.com")))
                .containsExactly(BOB.person());
        assertThat(directory.index().persons()).containsExactly(ALICE.person(), BOB.person());
        assertThat(directory.index().persons().getFirst()).isSameAs(alice);
    }

    @Test
    void aRevokedHuman_isNoLongerResolved_norTakenForANewOne() {
        assertThat(directory.resolve("alice")).contains(ALICE.person());

        store.revokeHuman("alice", T0.plusSeconds(1));

        assertThat(directory.resolve("alice")).isEmpty();
        assertThat(directory.confusableWith(new Person("аlice", "alice@example.com")))
                .isEmpty();
    }

    @Test
    void aRenamedHuman_isResolvedByTheNewNameOnly() {
        assertThat(directory.resolve("alice")).contains(ALICE.person());

        store.revokeHuman("alice", T0.plusSeconds(1));
        Human renamed = new Human("alicia", "alicia@example.com", Set.of("approvers"));
        store.create(credential("t-alicia", renamed, Optional.empty()));

        assertThat(directory.resolve("alice")).isEmpty();
        assertThat(directory.resolve("ALICIA")).contains(renamed.person());
    }

    @Test
    void aCredentialThatExpiresBetweenTwoCalls_isNoLongerResolved() {
        store.create(credential("t-bob", BOB, Optional.of(T0.plus(Duration.ofMinutes(5)))));
        assertThat(directory.resolve("bob")).contains(BOB.person());

        clock.advance(Duration.ofMinutes(5));

        assertThat(directory.resolve("bob")).isEmpty();
        assertThat(directory.resolve("alice")).contains(ALICE.person());
    }

    @Test
    void aChangeMadeThroughAnotherHandleOnTheSameDataFolder_isSeenAtTheNextCall() {
        assertThat(directory.membersOfAny(Set.of("approvers"))).containsExactly(ALICE);

        // What the command line does while the gateway runs: its own store on the same folder.
        try (SqliteStore commandLine = SqliteStore.open(dir)) {
            commandLine.changeHumanGroups("alice", Set.of("auditors"));
            commandLine.create(credential("t-bob", BOB, Optional.empty()));
        }

        assertThat(directory.membersOfAny(Set.of("approvers"))).containsExactly(BOB);
        assertThat(directory.byVerifiedEmail("alice@example.com"))
                .map(Human::groups)
                .contains(Set.of("auditors"));
    }

    @Test
    void whileNoCredentialChanges_theyAreListedOnce_andAChangeListsThemAgain() {
        int[] listings = {0};
        HumanDirectory counted = new HumanDirectory(new ListingCounter(store, listings), clock);

        counted.resolve("alice");
        counted.byVerifiedEmail("alice@example.com");
        counted.membersOfAny(Set.of("approvers"));
        counted.index();
        assertThat(listings[0]).isEqualTo(1);

        store.touch("t-alice", T0.plusSeconds(1));
        counted.resolve("alice");
        assertThat(listings[0]).as("a key's last use is no change").isEqualTo(1);

        store.create(credential("t-bob", BOB, Optional.empty()));
        assertThat(counted.resolve("bob")).contains(BOB.person());
        assertThat(listings[0]).isEqualTo(2);
    }

    /** The real store, counting how often it is asked for the whole list. */
    private static final class ListingCounter implements io.countersign.identity.CredentialStore {
        private final io.countersign.identity.CredentialStore store;
        private final int[] listings;

        ListingCounter(io.countersign.identity.CredentialStore store, int[] listings) {
            this.store = store;
            this.listings = listings;
        }

        @Override
        public java.util.List<StoredCredential> list() {
            listings[0]++;
            return store.list();
        }

        @Override
        public long credentialChanges() {
            return store.credentialChanges();
        }

        @Override
        public void create(StoredCredential credential) {
            store.create(credential);
        }

        @Override
        public Optional<StoredCredential> findByTokenId(String tokenId) {
            return store.findByTokenId(tokenId);
        }

        @Override
        public int revokeAgent(String name, Instant at) {
            return store.revokeAgent(name, at);
        }

        @Override
        public int revokeHuman(String name, Instant at) {
            return store.revokeHuman(name, at);
        }

        @Override
        public int changeHumanGroups(String name, Set<String> groups) {
            return store.changeHumanGroups(name, groups);
        }

        @Override
        public void touch(String tokenId, Instant at) {
            store.touch(tokenId, at);
        }
    }

    private static StoredCredential credential(String tokenId, Human human, Optional<Instant> expiresAt) {
        return new StoredCredential(
                tokenId, human, "b".repeat(64), T0, expiresAt, Optional.empty(), Optional.empty(), Scopes.UNRESTRICTED);
    }

    /** A clock the test moves forward. */
    private static final class MovingClock extends Clock {
        private Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
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
}
