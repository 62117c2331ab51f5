package io.countersign.store;

import static io.countersign.store.Requests.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.identity.Agent;
import io.countersign.identity.AgentSuspensions;
import io.countersign.identity.CredentialStore;
import io.countersign.identity.Human;
import io.countersign.identity.Scopes;
import io.countersign.identity.StoredCredential;
import io.countersign.identity.Suspension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link CredentialStore} implementation must do; each dialect's test extends this. */
public abstract class CredentialStoreContractTest {
    @TempDir
    protected Path dir;

    protected CredentialStore credentials;

    /** Opens (or reopens) the credential store kept in {@code dir}. */
    protected abstract CredentialStore newCredentialStore(Path dir);

    protected abstract void close(CredentialStore credentials);

    @BeforeEach
    void openStore() {
        credentials = newCredentialStore(dir);
    }

    @AfterEach
    void closeStore() {
        close(credentials);
    }

    @Test
    public void credentials_areFoundByTokenId() {
        StoredCredential agent = agentCredential("00000000000000a1", "reporting-bot");
        StoredCredential human = humanCredential("00000000000000b2", "alice", Set.of("data-owners", "dba"));

        credentials.create(agent);
        credentials.create(human);

        assertThat(credentials.findByTokenId("00000000000000a1")).contains(agent);
        assertThat(credentials.findByTokenId("00000000000000b2")).contains(human);
        assertThat(credentials.findByTokenId("00000000000000c3")).isEmpty();
    }

    @Test
    public void credentials_withATakenName_areRefused_inAnyCase() {
        credentials.create(agentCredential("00000000000000a1", "reporting-bot"));

        assertThatThrownBy(() -> credentials.create(agentCredential("00000000000000a2", "reporting-bot")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agent 'reporting-bot' already exists");
        assertThatThrownBy(() -> credentials.create(agentCredential("00000000000000a3", "Reporting-Bot")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agent 'Reporting-Bot' already exists");
        assertThat(credentials.findByTokenId("00000000000000a2")).isEmpty();
        assertThat(credentials.findByTokenId("00000000000000a3")).isEmpty();
    }

    @Test
    public void credentials_ofAHumanAndAnAgent_mayShareAName() {
        credentials.create(agentCredential("00000000000000a1", "alice"));
        credentials.create(humanCredential("00000000000000b1", "alice", Set.of()));

        assertThatThrownBy(() -> credentials.create(humanCredential("00000000000000b2", "ALICE", Set.of("admins"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("human 'ALICE' already exists");
    }

    @Test
    public void credentials_withATakenTokenId_areRefused() {
        credentials.create(agentCredential("00000000000000a1", "bot-one"));

        assertThatThrownBy(() -> credentials.create(agentCredential("00000000000000a1", "bot-two")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("credential id '00000000000000a1' already exists");
    }

    @Test
    public void credentials_surviveAReopen() {
        StoredCredential agent = agentCredential("00000000000000a1", "reporting-bot");
        StoredCredential human = humanCredential("00000000000000b2", "alice", Set.of("data-owners"));
        credentials.create(agent);
        credentials.create(human);

        close(credentials);
        credentials = newCredentialStore(dir);

        assertThat(credentials.findByTokenId("00000000000000a1")).contains(agent);
        assertThat(credentials.findByTokenId("00000000000000b2")).contains(human);
    }

    @Test
    public void credentials_keepExpiryScopesAndLastUse() {
        StoredCredential scoped = new StoredCredential(
                "00000000000000a1",
                new Agent("reader", Map.of()),
                "a".repeat(64),
                T0,
                Optional.of(T0.plusSeconds(3600)),
                Optional.empty(),
                Optional.empty(),
                Scopes.of(List.of("db.query", "tickets.**")));
        credentials.create(scoped);

        credentials.touch("00000000000000a1", T0.plusSeconds(60));

        StoredCredential read = credentials.findByTokenId("00000000000000a1").orElseThrow();
        assertThat(read.expiresAt()).contains(T0.plusSeconds(3600));
        assertThat(read.lastUsedAt()).contains(T0.plusSeconds(60));
        assertThat(read.scopes().texts()).contains(List.of("db.query", "tickets.**"));
        assertThat(read.scopes().permits("tickets.create.urgent")).isTrue();
        assertThat(read.scopes().permits("db.export")).isFalse();
    }

    @Test
    public void revokingAnAgent_revokesEveryLiveKey_andFreesTheName() {
        credentials.create(agentCredential("00000000000000a1", "reporting-bot"));

        int revoked = credentials.revokeAgent("Reporting-Bot", T0.plusSeconds(5));
        credentials.create(agentCredential("00000000000000a2", "reporting-bot"));

        assertThat(revoked).isEqualTo(1);
        assertThat(credentials.findByTokenId("00000000000000a1").orElseThrow().revokedAt())
                .contains(T0.plusSeconds(5));
        assertThat(credentials.findByTokenId("00000000000000a1").orElseThrow().unusableAt(T0.plusSeconds(6)))
                .isPresent();
        assertThat(credentials.findByTokenId("00000000000000a2").orElseThrow().revokedAt())
                .isEmpty();
        assertThat(credentials.list())
                .extracting(StoredCredential::tokenId)
                .containsExactly("00000000000000a1", "00000000000000a2");
        assertThat(credentials.revokeAgent("nobody", T0)).isZero();
    }

    @Test
    public void revokingAHuman_revokesTheirLiveTokensOnly_andChangingGroupsKeepsTheToken() {
        credentials.create(humanCredential("00000000000000b1", "alice", Set.of("data-owners")));
        credentials.create(agentCredential("00000000000000a1", "alice"));

        assertThat(credentials.changeHumanGroups("ALICE", Set.of("security", "auditors")))
                .isEqualTo(1);
        assertThat(((Human) credentials
                                .findByTokenId("00000000000000b1")
                                .orElseThrow()
                                .principal())
                        .groups())
                .containsExactlyInAnyOrder("security", "auditors");
        assertThat(credentials.revokeHuman("Alice", T0.plusSeconds(5))).isEqualTo(1);
        assertThat(credentials.findByTokenId("00000000000000b1").orElseThrow().revokedAt())
                .contains(T0.plusSeconds(5));
        assertThat(credentials.findByTokenId("00000000000000a1").orElseThrow().revokedAt())
                .as("the agent of that name")
                .isEmpty();
        assertThat(credentials.changeHumanGroups("alice", Set.of("x")))
                .as("a revoked token keeps its groups")
                .isZero();
        assertThat(credentials.revokeHuman("alice", T0.plusSeconds(6))).isZero();
    }

    @Test
    public void suspensions_areKeptByNameInAnyCase_andSurviveAReopen() {
        if (!(credentials instanceof AgentSuspensions suspensions)) {
            return;
        }
        Suspension suspension = new Suspension("Reporting-Bot", T0, "human:ada", "leak");

        assertThat(suspensions.suspend(suspension)).isTrue();
        assertThat(suspensions.suspend(new Suspension("reporting-bot", T0.plusSeconds(1), "human:bob", "again")))
                .isFalse();
        close(credentials);
        credentials = newCredentialStore(dir);
        AgentSuspensions reopened = (AgentSuspensions) credentials;

        assertThat(reopened.suspensionOf("reporting-bot")).contains(suspension);
        assertThat(reopened.suspended()).containsExactly(suspension);
        assertThat(reopened.resume("REPORTING-BOT")).isTrue();
        assertThat(reopened.resume("reporting-bot")).isFalse();
        assertThat(reopened.suspensionOf("reporting-bot")).isEmpty();
    }

    private static StoredCredential agentCredential(String tokenId, String name) {
        return new StoredCredential(
                tokenId, new Agent(name, Map.of("team", "analytics", "env", "prod")), "a".repeat(64), T0);
    }

    private static StoredCredential humanCredential(String tokenId, String name, Set<String> groups) {
        return new StoredCredential(
                tokenId, new Human(name, name.toLowerCase() + "@example.com", groups), "b".repeat(64), T0);
    }
}
