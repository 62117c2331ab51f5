package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;
import java.util.Map;

/** How to reach one upstream MCP server: a command speaking stdio, or a Streamable HTTP URL. */
public sealed interface UpstreamConfig permits UpstreamConfig.Stdio, UpstreamConfig.Http {

    /** A child process; {@code env} is added to the gateway's own environment. The credentials stay with the gateway. */
    record Stdio(String command, List<String> args, Map<String, String> env) implements UpstreamConfig {
        public Stdio {
            requireNonNull(command, "command is null");
            args = List.copyOf(requireNonNull(args, "args is null"));
            env = Map.copyOf(requireNonNull(env, "env is null"));
            if (command.isBlank()) {
                throw new IllegalArgumentException("command is blank");
            }
        }

        @Override
        public String toString() {
            // The environment often holds the upstream's secrets: never print it.
            return "stdio " + command + " " + String.join(" ", args)
                    + (env.isEmpty() ? "" : " (env " + env.keySet() + ")");
        }
    }

    /** A Streamable HTTP endpoint; {@code headers} (an upstream token, say) are sent with every request. */
    record Http(URI url, Map<String, String> headers) implements UpstreamConfig {
        public Http {
            requireNonNull(url, "url is null");
            headers = Map.copyOf(requireNonNull(headers, "headers is null"));
        }

        @Override
        public String toString() {
            return "http " + url + (headers.isEmpty() ? "" : " (headers " + headers.keySet() + ")");
        }
    }
}
