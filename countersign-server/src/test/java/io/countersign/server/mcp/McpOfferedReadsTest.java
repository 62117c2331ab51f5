package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.Policy;
import io.countersign.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of what an upstream offers ({@code resources/read}, {@code prompts/get}) are allowed where
 * no rule matches, whatever the policy's default; a rule that matches decides; and a resource URI
 * becomes a path-like action resource a rule can name.
 */
final class McpOfferedReadsTest {
    private static final Policy POLICY = Policy.parse("mcp-reads.yaml", """
            default: deny
            rules:
              - name: no-etc
                match: {action: "mcp.files.resources.read", resource: "files/file:/etc/*"}
                effect: deny
                reason: "agents may not read /etc"
            """);
    private static final McpConfig CONFIG = new McpConfig(
            Map.of("files", new UpstreamConfig.Stdio("node", List.of(), Map.of())), Set.of(), Duration.ofSeconds(5));

    private SqliteStore store;
    private ToolPinning pins;

    @BeforeEach
    void open(@TempDir Path data) {
        store = SqliteStore.open(data);
        pins = new ToolPinning(
                ToolPins.inMemory(McpTestGateway.MAPPER), store, Clock.systemUTC(), McpTestGateway.MAPPER);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Decision decide(String action, String resource) {
        McpToolPolicy policy = new McpToolPolicy(POLICY, name -> null, pins, CONFIG);
        return policy.decide(new DecisionInput(
                new Action(action, resource, McpTestGateway.MAPPER.createObjectNode(), "test", Optional.empty()),
                Agent.named("agent"),
                Instant.now()));
    }

    @Test
    void aResourceReadThatNoRuleCovers_isAllowed_thoughThePolicyDefaultsToDeny() {
        Decision decision = decide("mcp.files.resources.read", ToolNames.resourceOf("files", "file:///tmp/notes.txt"));

        assertThat(decision.effect()).isEqualTo(Effect.ALLOW);
        assertThat(decision.reason()).contains("no rule matched mcp.files.resources.read");
    }

    @Test
    void aPromptThatNoRuleCovers_isAllowed() {
        assertThat(decide("mcp.files.prompts.get", "files").effect()).isEqualTo(Effect.ALLOW);
    }

    @Test
    void aResourceReadThatARuleDenies_isDenied_withTheRulesReason() {
        Decision decision = decide("mcp.files.resources.read", ToolNames.resourceOf("files", "file:///etc/passwd"));

        assertThat(decision.effect()).isEqualTo(Effect.DENY);
        assertThat(decision.reason()).contains("agents may not read /etc");
    }

    @Test
    void aReadOnAServerThatIsNotConfigured_keepsThePolicyDefault() {
        assertThat(decide("mcp.other.resources.read", "other/x").effect()).isEqualTo(Effect.DENY);
        assertThat(decide("mcp.files.resources.read", "other/x").effect()).isEqualTo(Effect.DENY);
    }

    @Test
    void aResourceUri_becomesItsSegmentsUnderTheServer_withOtherBytesEscaped() {
        assertThat(ToolNames.resourceOf("everything", "test://static/resource/1"))
                .isEqualTo("everything/test:/static/resource/1");
        assertThat(ToolNames.resourceOf("files", "file:///a b/c?d=1")).isEqualTo("files/file:/a_20b/c_3fd=1");
    }
}
