package io.countersign.server.mcp;

import io.countersign.identity.Principal;
import io.countersign.server.TestCredentials;
import io.modelcontextprotocol.client.transport.ServerParameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code countersign mcp --stdio} as a desktop agent starts it: a data folder, the MCP test policy
 * and a {@code countersign.yaml} naming the stdio upstreams, and the child process's parameters
 * with the agent's key in {@code $COUNTERSIGN_API_KEY}.
 */
record StdioGatewaySetup(Path data, Path config) {

    /** Writes the files into {@code directory}; {@code extraMcpYaml} is added under {@code mcp:} (two-space indented lines). */
    static StdioGatewaySetup write(Path directory, Map<String, UpstreamConfig.Stdio> servers, String extraMcpYaml) {
        try {
            Path data = Files.createDirectories(directory.resolve("data"));
            Path policy = directory.resolve("policy.yaml");
            try (InputStream in = StdioGatewaySetup.class.getResourceAsStream("/mcp/mcp-policy.yaml")) {
                Files.write(policy, in.readAllBytes());
            }
            StringBuilder yaml = new StringBuilder(
                    "data: " + data + "\npolicy: " + policy + "\nserver: {port: 0}\nmcp:\n  servers:\n");
            servers.forEach((name, server) -> yaml.append("    ")
                    .append(name)
                    .append(":\n      command: ")
                    .append(server.command())
                    .append("\n      args: [")
                    .append(server.args().stream().map(arg -> "\"" + arg + "\"").collect(Collectors.joining(", ")))
                    .append("]\n"));
            yaml.append(extraMcpYaml);
            Path config = directory.resolve("countersign.yaml");
            Files.writeString(config, yaml);
            return new StdioGatewaySetup(data, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A key (or local token) for {@code principal}, issued in the data folder. */
    String issue(Principal principal) {
        return TestCredentials.issue(data, principal);
    }

    /** The child process: this JVM's java and class path running {@code countersign mcp --stdio} as the agent with {@code agentToken}. */
    ServerParameters parameters(String agentToken) {
        return ServerParameters.builder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .args(
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.countersign.server.Main",
                        "mcp",
                        "--stdio",
                        "--config",
                        config.toString())
                .addEnvVar("COUNTERSIGN_API_KEY", agentToken)
                .build();
    }
}
