package io.countersign.store;

import static io.countersign.store.Requests.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.identity.Agent;
import io.countersign.identity.CredentialStore;
import io.countersign.identity.Human;
import io.countersign.identity.StoredCredential;
import java.nio.file.Path;
import java.util.Map;
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
                .isInstanceOf(IllegalArgumentException.class).hasMessage("agent 'reporting-bot' already exists");
        assertThatThrownBy(() -> credentials.create(agentCredential("00000000000000a3", "Reporting-Bot")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("agent 'Reporting-Bot' already exists");
        assertThat(credentials.findByTokenId("00000000000000a2")).isEmpty();
        assertThat(credentials.findByTokenId("00000000000000a3")).isEmpty();
    }

    @Test
    public void credentials_ofAHumanAndAnAgent_mayShareAName() {
        credentials.create(agentCredential("00000000000000a1", "alice"));
        credentials.create(humanCredential("00000000000000b1", "alice", Set.of()));

        assertThatThrownBy(() -> credentials.create(humanCredential("00000000000000b2", "ALICE", Set.of("admins"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("human 'ALICE' already exists");
    }

    @Test
    public void credentials_withATakenTokenId_areRefused() {
        credentials.create(agentCredential("00000000000000a1", "bot-one"));

        assertThatThrownBy(() -> credentials.create(agentCredential("00000000000000a1", "bot-two")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("credential id '00000000000000a1' already exists");
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

    private static StoredCredential agentCredential(String tokenId, String name) {
        return new StoredCredential(tokenId, new Agent(name, Map.of("team", "analytics", "env", "prod")), "a".repeat(64), T0);
    }

    private static StoredCredential humanCredential(String tokenId, String name, Set<String> groups) {
        return new StoredCredential(tokenId, new Human(name, name.toLowerCase() + "@example.com", groups), "b".repeat(64), T0);
    }
}
