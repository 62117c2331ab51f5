package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mcp.toolNames: unprefixed}: the tools and prompts of several upstreams keep their own
 * names, and a name two upstreams list is served by neither (a call could go to either). Here
 * {@code server-everything} and two copies of conformance-server.mjs, which both list
 * {@code test_simple_text} and {@code test_error_handling}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class McpUnprefixedNamesTest {
    private McpTestGateway gateway;
    private McpSyncClient agent;

    @BeforeAll
    void start(@TempDir Path directory) {
        UpstreamConfig.Stdio ours = new UpstreamConfig.Stdio(
                "node", List.of(NpmServers.testScript("conformance-server.mjs").toString()), Map.of());
        gateway = new McpTestGateway(
                directory,
                new McpConfig(
                                Map.of("everything", NpmServers.everything(), "conformance", ours, "copy", ours),
                                Set.of(),
                                Duration.ofSeconds(30))
                        .withToolNames(McpConfig.ToolNaming.UNPREFIXED),
                config -> config,
                "/mcp/conformance-policy.yaml");
        agent = gateway.httpClient(gateway.agent("unprefixed-agent"));
    }

    @AfterAll
    void stop() {
        if (agent != null) agent.closeGracefully();
        if (gateway != null) gateway.close();
    }

    @Test
    void theToolsOfSeveralUpstreams_keepTheirNames_andAreCalledByThem() {
        List<String> names =
                agent.listTools().tools().stream().map(McpSchema.Tool::name).toList();

        assertThat(names).contains("echo", "get-sum").noneMatch(name -> name.contains(ToolNames.SEPARATOR));
        McpSchema.CallToolResult echoed =
                agent.callTool(new McpSchema.CallToolRequest("echo", Map.of("message", "hi")));
        assertThat(echoed.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(McpGatewayTest.text(echoed)).contains("hi");
    }

    @Test
    void aToolNameTwoUpstreamsList_isServedByNeither() {
        List<String> names =
                agent.listTools().tools().stream().map(McpSchema.Tool::name).toList();

        assertThat(names).doesNotContain("test_simple_text", "test_error_handling");
        // Not a tool the gateway lists: the SDK's server answers with the JSON-RPC error -32602 naming it.
        assertThatThrownBy(() -> agent.callTool(new McpSchema.CallToolRequest("test_simple_text", Map.of())))
                .isInstanceOfSatisfying(McpError.class, error -> {
                    assertThat(error.getJsonRpcError().code()).isEqualTo(-32602);
                    assertThat(String.valueOf(error.getJsonRpcError().data())).contains("test_simple_text");
                });
    }

    @Test
    void thePromptsOfSeveralUpstreams_keepTheirNames() {
        assertThat(agent.listPrompts().prompts())
                .isNotEmpty()
                .extracting(McpSchema.Prompt::name)
                .noneMatch(name -> name.contains(ToolNames.SEPARATOR));
    }
}
