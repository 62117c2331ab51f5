package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.identity.ApiTokens;
import io.countersign.identity.Scopes;
import io.countersign.server.identity.AgentAdmin;
import io.countersign.store.sqlite.SqliteStore;
import io.countersign.workflow.KillSwitch;
import io.countersign.workflow.RequestListener;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, section 2, below the HTTP edge (which refuses such text first): an agent's key and its
 * {@code agent.created} entry, and a suspension and its {@code agent.suspended} entry, are one
 * transaction each. When the entry can't be written (text RFC 8785 can't canonicalise), nothing is.
 */
class AgentAdminAtomicityTest {
    @TempDir
    Path data;

    @Test
    void aKeyWhoseAuditEntryCantBeWritten_isNotCreated() {
        try (SqliteStore store = SqliteStore.open(data)) {
            AgentAdmin agents = admin(store);
            long before = store.auditSize();

            assertThatThrownBy(() -> agents.create(
                            "ghost", Map.of("team", "\ud800"), Scopes.UNRESTRICTED, Optional.empty(), "human:ada"))
                    .hasMessageContaining("lone surrogate");

            assertThat(agents.find("ghost")).isEmpty();
            assertThat(store.list()).isEmpty();
            assertThat(store.auditSize()).isEqualTo(before);
        }
    }

    @Test
    void aSuspensionWhoseAuditEntryCantBeWritten_doesNotSuspend() {
        try (SqliteStore store = SqliteStore.open(data)) {
            AgentAdmin agents = admin(store);
            agents.create("bot", Map.of(), Scopes.UNRESTRICTED, Optional.empty(), "human:ada");
            long before = store.auditSize();

            assertThatThrownBy(() -> agents.suspend("bot", "human:ada", "stop \udc00 now"))
                    .hasMessageContaining("lone surrogate");

            assertThat(store.suspensionOf("bot")).isEmpty();
            assertThat(store.auditSize()).isEqualTo(before);
            assertThat(agents.suspend("bot", "human:ada", "stop now").newly()).isTrue();
            assertThat(store.suspensionOf("bot")).isPresent();
            assertThat(store.auditSize()).isEqualTo(before + 1);
        }
    }

    private static AgentAdmin admin(SqliteStore store) {
        Clock clock = Clock.systemUTC();
        return new AgentAdmin(
                store,
                store,
                store,
                new ApiTokens(store, clock),
                new KillSwitch(store, store, clock, RequestListener.NONE),
                List.of(),
                clock);
    }
}
