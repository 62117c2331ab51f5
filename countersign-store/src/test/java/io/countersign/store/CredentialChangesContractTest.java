package io.countersign.store;

import static io.countersign.store.Requests.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.Human;
import io.countersign.identity.KeyCheck;
import io.countersign.identity.Scopes;
import io.countersign.identity.StoredCredential;
import io.countersign.identity.Suspension;
import io.countersign.store.sql.SqlGatewayStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store keeps the credentials and suspensions it read while the database's change counter
 * stands still. What every dialect must do so that this is never stale: every change, by whoever
 * makes it, moves the counter in its own transaction, and the next lookup sees it.
 */
public abstract class CredentialChangesContractTest {
    private static final String AGENT_ID = "00000000000000a1";
    private static final String HUMAN_ID = "00000000000000b1";

    @TempDir
    protected Path dir;

    private SqlGatewayStore gateway;
    private SqlGatewayStore other;

    /** Opens a store on the database kept for {@code dir}; twice gives two stores on one database. */
    protected abstract SqlGatewayStore open(Path dir);

    /** A plain JDBC connection to that database, past every store. */
    protected abstract Connection connect(Path dir) throws SQLException;

    @BeforeEach
    void openTwoStores() {
        gateway = open(dir);
        other = open(dir);
        other.create(new StoredCredential(AGENT_ID, new Agent("reporter", Map.of("team", "data")), "a".repeat(64), T0));
        other.create(new StoredCredential(
                HUMAN_ID, new Human("alice", "alice@example.com", Set.of("data-owners")), "b".repeat(64), T0));
    }

    @AfterEach
    void closeStores() {
        other.close();
        gateway.close();
    }

    private record Change(String what, Consumer<SqlGatewayStore> make, Predicate<SqlGatewayStore> seen) {}

    @Test
    public void everyChangeMadeThroughAnotherStore_isSeenByTheVeryNextLookup() {
        Instant at = T0.plusSeconds(5);
        List<Change> changes = List.of(
                new Change(
                        "suspend",
                        store -> store.suspend(new Suspension("Reporter", at, "human:ada", "leak")),
                        store -> store.suspensionOf("reporter").isPresent()),
                new Change("resume", store -> store.resume("reporter"), store -> store.suspensionOf("REPORTER")
                        .isEmpty()),
                new Change(
                        "suspend in a transaction",
                        store -> store.transact(tx -> tx.suspend(new Suspension("reporter", at, "human:ada", "x"))),
                        store -> store.suspensionOf("reporter").isPresent()),
                new Change(
                        "resume in a transaction",
                        store -> store.transact(tx -> tx.resume("reporter")),
                        store -> store.suspensionOf("reporter").isEmpty()),
                new Change(
                        "change a human's groups",
                        store -> store.changeHumanGroups("alice", Set.of("security")),
                        store -> ((Human) store.findByTokenId(HUMAN_ID)
                                        .orElseThrow()
                                        .principal())
                                .groups()
                                .equals(Set.of("security"))),
                new Change("revoke a human", store -> store.revokeHuman("alice", at), store -> store.findByTokenId(
                                HUMAN_ID)
                        .orElseThrow()
                        .revokedAt()
                        .isPresent()),
                new Change(
                        "revoke an agent in a transaction",
                        store -> store.transact(tx -> tx.revokeAgent("reporter", at)),
                        store -> store.findByTokenId(AGENT_ID)
                                .orElseThrow()
                                .revokedAt()
                                .isPresent()),
                new Change(
                        "give the agent a new key in a transaction",
                        store -> store.transact(tx -> {
                            tx.createCredential(new StoredCredential(
                                    "00000000000000a2", new Agent("reporter", Map.of()), "c".repeat(64), at));
                            return true;
                        }),
                        store -> store.findByTokenId("00000000000000a2").isPresent()),
                new Change(
                        "revoke an agent",
                        store -> store.revokeAgent("reporter", at.plusSeconds(1)),
                        store -> store.findByTokenId("00000000000000a2")
                                .orElseThrow()
                                .revokedAt()
                                .isPresent()));

        for (Change change : changes) {
            warm(gateway);
            long before = gateway.credentialChanges();

            change.make().accept(other);

            assertThat(gateway.credentialChanges()).as(change.what()).isGreaterThan(before);
            assertThat(change.seen()).as(change.what()).accepts(gateway);
        }
    }

    @Test
    public void aLookupWhileTheCounterStandsStill_isServedFromMemory() throws SQLException {
        other.touch(AGENT_ID, T0.plusSeconds(1));
        assertThat(gateway.findByTokenId(AGENT_ID).orElseThrow().lastUsedAt()).contains(T0.plusSeconds(1));
        long before = gateway.credentialChanges();

        other.touch(AGENT_ID, T0.plusSeconds(120));

        assertThat(gateway.credentialChanges())
                .as("a key's last use changes nobody's access")
                .isEqualTo(before);
        assertThat(gateway.findByTokenId(AGENT_ID).orElseThrow().lastUsedAt())
                .as("the kept credential")
                .contains(T0.plusSeconds(1));
        assertThat(other.list())
                .filteredOn(credential -> credential.tokenId().equals(AGENT_ID))
                .singleElement()
                .extracting(StoredCredential::lastUsedAt)
                .isEqualTo(Optional.of(T0.plusSeconds(120)));
    }

    @Test
    public void changingAnyColumnButTheLastUse_movesTheCounter_soAColumnAddedLaterCantBeForgotten()
            throws SQLException {
        other.suspend(new Suspension("reporter", T0, "human:ada", "leak"));
        try (Connection connection = connect(dir);
                Statement statement = connection.createStatement()) {
            for (String table : List.of("credentials", "agent_suspensions")) {
                for (String column : columns(connection, table)) {
                    long before = gateway.credentialChanges();

                    statement.executeUpdate("UPDATE " + table + " SET " + column + " = " + column);

                    if (column.equals("last_used_at")) {
                        assertThat(gateway.credentialChanges())
                                .as(table + "." + column)
                                .isEqualTo(before);
                    } else {
                        assertThat(gateway.credentialChanges())
                                .as(table + "." + column)
                                .isGreaterThan(before);
                    }
                }
                long before = gateway.credentialChanges();
                statement.executeUpdate("DELETE FROM " + table);
                assertThat(gateway.credentialChanges())
                        .as("delete from " + table)
                        .isGreaterThan(before);
            }
        }
    }

    @Test
    public void aKeptKey_stillExpiresByTheClock_withoutAnotherChange() {
        MovingClock clock = new MovingClock(T0);
        ApiTokens tokens = new ApiTokens(gateway, clock);
        String key = tokens.issue(
                        new Agent("short-lived", Map.of()), Optional.of(T0.plusSeconds(60)), Scopes.UNRESTRICTED)
                .reveal();
        assertThat(tokens.check(key)).isInstanceOf(KeyCheck.Valid.class);
        clock.now = T0.plusSeconds(59);
        assertThat(tokens.check(key)).isInstanceOf(KeyCheck.Valid.class);
        long before = gateway.credentialChanges();

        clock.now = T0.plusSeconds(60);

        assertThat(tokens.check(key)).isInstanceOf(KeyCheck.Refused.class);
        assertThat(gateway.credentialChanges()).isEqualTo(before);
    }

    @Test
    public void aKeptKey_withAnotherSecret_isRefused() {
        ApiTokens tokens = new ApiTokens(gateway, Clock.systemUTC());
        String key = tokens.issue(new Agent("bot", Map.of())).reveal();
        assertThat(tokens.check(key)).isInstanceOf(KeyCheck.Valid.class);

        String forged = key.substring(0, key.length() - 1) + (key.endsWith("A") ? "B" : "A");

        assertThat(tokens.check(forged)).isInstanceOf(KeyCheck.Refused.class);
        assertThat(tokens.check(key)).isInstanceOf(KeyCheck.Valid.class);
    }

    private static void warm(SqlGatewayStore store) {
        store.findByTokenId(AGENT_ID);
        store.findByTokenId(HUMAN_ID);
        store.findByTokenId("00000000000000a2");
        store.suspensionOf("reporter");
    }

    private static List<String> columns(Connection connection, String table) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rows = connection.getMetaData().getColumns(null, null, table, null)) {
            while (rows.next()) {
                names.add(rows.getString("COLUMN_NAME"));
            }
        }
        assertThat(names).as("columns of " + table).isNotEmpty();
        return names;
    }

    private static final class MovingClock extends Clock {
        private Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
