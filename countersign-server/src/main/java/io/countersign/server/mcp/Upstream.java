package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One connected upstream MCP server: its name, its tools and a client to call them. */
final class Upstream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);

    private final String name;
    private final McpSyncClient client;

    private Upstream(String name, McpSyncClient client) {
        this.name = name;
        this.client = client;
    }

    static Upstream connect(String name, UpstreamConfig config, Duration callTimeout, McpJsonMapper json) {
        requireNonNull(name, "name is null");
        McpClientTransport transport = switch (config) {
            case UpstreamConfig.Stdio stdio -> {
                ServerParameters parameters = ServerParameters.builder(stdio.command()).args(stdio.args()).env(stdio.env()).build();
                StdioClientTransport child = new StdioClientTransport(parameters, json);
                child.setStdErrorHandler(line -> LOG.debug("mcp upstream={} stderr: {}", name, line));
                yield child;
            }
            case UpstreamConfig.Http http -> {
                HttpRequest.Builder request = HttpRequest.newBuilder();
                http.headers().forEach(request::header);
                String base = http.url().getScheme() + "://" + http.url().getRawAuthority();
                String endpoint = http.url().getRawPath() + (http.url().getRawQuery() == null ? "" : "?" + http.url().getRawQuery());
                yield HttpClientStreamableHttpTransport.builder(base).endpoint(endpoint.isEmpty() ? "/" : endpoint)
                        .requestBuilder(request).jsonMapper(json).connectTimeout(Duration.ofSeconds(10)).build();
            }
        };
        McpSyncClient client = McpClient.sync(transport).requestTimeout(callTimeout).initializationTimeout(Duration.ofSeconds(60))
                .clientInfo(new McpSchema.Implementation("countersign", "0.1.0")).build();
        try {
            client.initialize();
        } catch (RuntimeException e) {
            client.close();
            throw new IllegalStateException("mcp upstream '" + name + "' (" + config + ") did not start: " + e.getMessage(), e);
        }
        return new Upstream(name, client);
    }

    String name() {
        return name;
    }

    /** Every tool, following pagination. */
    List<McpSchema.Tool> tools() {
        List<McpSchema.Tool> tools = new ArrayList<>();
        String cursor = null;
        do {
            McpSchema.ListToolsResult page = cursor == null ? client.listTools() : client.listTools(cursor);
            tools.addAll(page.tools());
            cursor = page.nextCursor();
        } while (cursor != null && !cursor.isEmpty());
        return tools;
    }

    McpSchema.CallToolResult call(McpSchema.CallToolRequest request) {
        return client.callTool(request);
    }

    @Override
    public void close() {
        client.closeGracefully();
    }

    @Override
    public String toString() {
        return "mcp upstream " + name;
    }
}
