package io.countersign.server.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.identity.ApiTokens;
import io.countersign.identity.Scopes;
import io.countersign.proxy.Login;
import io.countersign.store.sqlite.SqliteStore;
import io.countersign.workflow.KillSwitch;
import io.countersign.workflow.RequestListener;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent's SSH public key lives and dies with its API key: registered at creation, refused once revoked. */
class AgentSshKeysTest {
    @TempDir
    Path data;

    @Test
    void aRegisteredKeyLogsInAsItsAgentUntilTheAgentIsRevoked() throws Exception {
        PublicKey key = ecKey();
        PublicKey other = ecKey();
        try (SqliteStore store = SqliteStore.open(data)) {
            Clock clock = Clock.systemUTC();
            AgentAdmin admin = new AgentAdmin(
                    store,
                    store,
                    store,
                    new ApiTokens(store, clock),
                    new KillSwitch(store, store, clock, RequestListener.NONE),
                    List.of(),
                    clock);
            Map<String, String> labels = new LinkedHashMap<>();
            AgentSshKeys.addTo(labels, PublicKeyEntry.toString(key) + " robot@laptop");
            admin.create("robot", labels, Scopes.UNRESTRICTED, Optional.empty(), "test");
            AgentSshKeys keys = new AgentSshKeys(store, clock);

            assertThat(keys.authenticate("robot", key)).isInstanceOf(Login.Admitted.class);
            assertThat(keys.authenticate("robot", other)).isInstanceOf(Login.Refused.class);
            assertThat(keys.authenticate("someone-else", key)).isInstanceOf(Login.Refused.class);

            admin.revoke("robot", "test");
            assertThat(keys.authenticate("robot", key)).isInstanceOf(Login.Refused.class);
        }
    }

    @Test
    void refusesTextThatIsNotOnePublicKey() {
        assertThatThrownBy(() -> AgentSshKeys.normalize("ssh-rsa not-base64"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgentSshKeys.normalize("")).isInstanceOf(IllegalArgumentException.class);
    }

    private static PublicKey ecKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair().getPublic();
    }
}
