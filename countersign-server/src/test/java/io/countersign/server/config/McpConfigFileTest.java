package io.countersign.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.server.mcp.McpConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's own approvers, annotation defaults, pinning, elicitation and HTTP mode in the {@code mcp:} section. */
class McpConfigFileTest {
    private static final String SERVERS = "mcp:\n  servers: {files: {command: npx}}\n";

    @TempDir
    Path dir;

    private McpConfig load(String extra) throws Exception {
        return ConfigFile.load(Files.writeString(dir.resolve("countersign.yaml"), SERVERS + extra))
                .mcp();
    }

    @Test
    void withoutTheKeys_annotationsDecide_changedToolsAreDenied_andNobodyIsAsked() throws Exception {
        McpConfig mcp = load("");

        assertThat(mcp.approval()).isEmpty();
        assertThat(mcp.annotationDefaults()).isTrue();
        assertThat(mcp.pinning()).isEqualTo(McpConfig.Pinning.DENY);
        assertThat(mcp.elicitation()).isFalse();
        assertThat(mcp.http()).isEqualTo(McpConfig.HttpMode.STATELESS);
        assertThat(mcp.toolNames()).isEqualTo(McpConfig.ToolNaming.PREFIXED);
    }

    @Test
    void everyKey_isRead() throws Exception {
        McpConfig mcp = load("""
                  approval: {groups: [mcp-admins, security], quorum: 2, timeout: 15m}
                  annotations: ignore
                  pinning: require_approval
                  elicitation: true
                  http: sessions
                  toolNames: unprefixed
                """);

        assertThat(mcp.approval())
                .contains(new McpConfig.Approval(Set.of("mcp-admins", "security"), 2, Duration.ofMinutes(15)));
        assertThat(mcp.annotationDefaults()).isFalse();
        assertThat(mcp.pinning()).isEqualTo(McpConfig.Pinning.REQUIRE_APPROVAL);
        assertThat(mcp.elicitation()).isTrue();
        assertThat(mcp.http()).isEqualTo(McpConfig.HttpMode.SESSIONS);
        assertThat(mcp.toolNames()).isEqualTo(McpConfig.ToolNaming.UNPREFIXED);
        assertThat(load("  approval: {groups: [ops]}\n").approval())
                .isEqualTo(Optional.of(new McpConfig.Approval(Set.of("ops"), 1, McpConfig.DEFAULT_APPROVAL_TIMEOUT)));
    }

    @Test
    void mistakes_areNamed() {
        assertThatThrownBy(() -> load("  pinning: require_approval\n"))
                .hasMessageContaining("mcp.pinning is require_approval but mcp.approval names no approvers");
        assertThatThrownBy(() -> load("  pinning: warn\n"))
                .hasMessageContaining("'mcp.pinning' is 'warn', want deny or require_approval");
        assertThatThrownBy(() -> load("  annotations: trust\n")).hasMessageContaining("'mcp.annotations' is 'trust'");
        assertThatThrownBy(() -> load("  toolNames: bare\n"))
                .hasMessageContaining("'mcp.toolNames' is 'bare', want prefixed or unprefixed");
        assertThatThrownBy(() -> load("  approval: {groups: []}\n"))
                .hasMessageContaining("mcp.approval.groups is empty");
        assertThatThrownBy(() -> load("  approval: {groups: [a], quorum: two}\n"))
                .hasMessageContaining("'mcp.approval.quorum' must be a whole number");
        assertThatThrownBy(() -> load("  approval: {groups: [a], timeout: soon}\n"))
                .hasMessageContaining("mcp.approval.timeout");
        assertThatThrownBy(() -> load("  approval: {group: [a]}\n"))
                .hasMessageContaining("unknown key 'group' in mcp.approval");
        assertThatThrownBy(() -> load("  http: stateful\n"))
                .hasMessageContaining("'mcp.http' is 'stateful', want stateless or sessions");
        assertThatThrownBy(() -> load("  elicitation: yes please\n"))
                .hasMessageContaining("'mcp.elicitation' must be true or false");
    }
}
