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
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One connected upstream MCP server: its name, its tools and a client to call them. */
final class Upstream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);

    private final String name;
    private final McpSyncClient client;
    private final AtomicReference<Runnable> toolsChanged;

    private Upstream(String name, McpSyncClient client, AtomicReference<Runnable> toolsChanged) {
        this.name = name;
        this.client = client;
        this.toolsChanged = toolsChanged;
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
        AtomicReference<Runnable> toolsChanged = new AtomicReference<>(() -> {});
        // The SDK calls this on its own thread, where nothing may block; the listener lists the tools
        // again (all pages, as at start), which blocks. The SDK's own list is not used: it is one call
        // of listTools, and a change is rare enough that listing twice costs nothing that matters.
        McpSyncClient client = McpClient.sync(transport).requestTimeout(callTimeout).initializationTimeout(Duration.ofSeconds(60))
                .clientInfo(new McpSchema.Implementation("countersign", "0.1.0"))
                .toolsChangeConsumer(tools -> Thread.ofVirtual().name("mcp-tools-changed-" + name).start(toolsChanged.get()))
                .build();
        try {
            client.initialize();
        } catch (RuntimeException e) {
            client.close();
            throw new IllegalStateException("mcp upstream '" + name + "' (" + config + ") did not start: " + e.getMessage(), e);
        }
        return new Upstream(name, client, toolsChanged);
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

    /**
     * Runs {@code listener} (on a virtual thread of its own) each time the upstream says its tools
     * changed ({@code notifications/tools/list_changed}).
     */
    void onToolsChanged(Runnable listener) {
        toolsChanged.set(requireNonNull(listener, "listener is null"));
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
