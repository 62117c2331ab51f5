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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One connected upstream MCP server: its name, its tools and a client to call them. */
final class Upstream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
    /** The largest message an upstream may send (a result, say); a larger one fails that upstream's reading. */
    private static final int MAX_MESSAGE_BYTES = 64 << 20;

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final String name;
    private final McpSyncClient client;
    private final AtomicReference<Runnable> toolsChanged;
    private final Duration callTimeout;
    /** Completed with why, once a stdio upstream's process has exited: calls then fail at once instead of waiting out the timeout. */
    private final CompletableFuture<String> exited;

    private Upstream(
            String name,
            McpSyncClient client,
            AtomicReference<Runnable> toolsChanged,
            Duration callTimeout,
            CompletableFuture<String> exited) {
        this.name = name;
        this.client = client;
        this.toolsChanged = toolsChanged;
        this.callTimeout = callTimeout;
        this.exited = exited;
    }

    /** A call the upstream could not answer: crashed, gone, or too slow; the message names the upstream. */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    static Upstream connect(String name, UpstreamConfig config, Duration callTimeout, McpJsonMapper json) {
        requireNonNull(name, "name is null");
        AtomicReference<Optional<StdioClientTransport>> process = new AtomicReference<>(Optional.empty());
        McpClientTransport transport =
                switch (config) {
                    case UpstreamConfig.Stdio stdio -> {
                        ServerParameters parameters = ServerParameters.builder(stdio.command())
                                .args(stdio.args())
                                .env(stdio.env())
                                .build();
                        StdioClientTransport child = new StdioClientTransport(parameters, json, MAX_MESSAGE_BYTES);
                        process.set(Optional.of(child));
                        child.setStdErrorHandler(line -> LOG.debug("mcp upstream={} stderr: {}", name, line));
                        yield child;
                    }
                    case UpstreamConfig.Http http -> {
                        HttpRequest.Builder request = HttpRequest.newBuilder();
                        http.headers().forEach(request::header);
                        String base =
                                http.url().getScheme() + "://" + http.url().getRawAuthority();
                        String endpoint = http.url().getRawPath()
                                + (http.url().getRawQuery() == null
                                        ? ""
                                        : "?" + http.url().getRawQuery());
                        yield HttpClientStreamableHttpTransport.builder(base)
                                .endpoint(endpoint.isEmpty() ? "/" : endpoint)
                                .requestBuilder(request)
                                .jsonMapper(json)
                                .connectTimeout(Duration.ofSeconds(10))
                                .build();
                    }
                };
        AtomicReference<Runnable> toolsChanged = new AtomicReference<>(() -> {});
        // The SDK calls this on its own thread, where nothing may block; the listener lists the tools
        // again (all pages, as at start), which blocks. The SDK's own list is not used: it is one call
        // of listTools, and a change is rare enough that listing twice costs nothing that matters.
        // The SDK's request timeout also bounds initialize and tools/list: at least a minute, for an upstream
        // slow to start (npx, a loaded machine); a call's own bound is callTimeout, kept by call().
        Duration requestTimeout = callTimeout.compareTo(STARTUP) > 0 ? callTimeout : STARTUP;
        McpSyncClient client = McpClient.sync(transport)
                .requestTimeout(requestTimeout)
                .initializationTimeout(STARTUP)
                .clientInfo(new McpSchema.Implementation("countersign", "0.1.0"))
                .toolsChangeConsumer(tools ->
                        Thread.ofVirtual().name("mcp-tools-changed-" + name).start(toolsChanged.get()))
                .build();
        try {
            client.initialize();
        } catch (RuntimeException e) {
            client.close();
            throw new IllegalStateException(
                    "mcp upstream '" + name + "' (" + config + ") did not start: " + e.getMessage(), e);
        }
        CompletableFuture<String> exited = new CompletableFuture<>();
        process.get().ifPresent(child -> {
            Thread.ofVirtual().name("mcp-upstream-exit-" + name).start(() -> {
                child.awaitForExit();
                exited.complete("upstream '" + name + "' exited");
                LOG.warn("mcp upstream={} exited; its calls fail until the gateway restarts", name);
            });
        });
        return new Upstream(name, client, toolsChanged, callTimeout, exited);
    }

    String name() {
        return name;
    }

    /** What the upstream told its clients in {@code initialize} ({@code instructions}), if anything. */
    Optional<String> instructions() {
        return Optional.ofNullable(client.getServerInstructions()).filter(text -> !text.isBlank());
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

    /**
     * Calls the tool; a crash mid-call ends the call at once, and the failure says what happened in
     * words (not the SDK's Reactor exception): {@link Failure}.
     */
    McpSchema.CallToolResult call(McpSchema.CallToolRequest request) {
        if (exited.isDone()) {
            throw new Failure(exited.join() + "; it is not running");
        }
        CompletableFuture<McpSchema.CallToolResult> result = new CompletableFuture<>();
        Thread.ofVirtual().name("mcp-upstream-call-" + name).start(() -> {
            try {
                result.complete(client.callTool(request));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        CompletableFuture<McpSchema.CallToolResult> died = exited.thenApply(why -> {
            throw new Failure(why + " during the call");
        });
        try {
            return result.applyToEither(died, answer -> answer).get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new Failure("upstream '" + name + "' did not answer within " + callTimeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw failure(e.getCause() == null ? e : e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while waiting for upstream '" + name + "'");
        }
    }

    private RuntimeException failure(Throwable cause) {
        if (cause instanceof Failure failure) {
            return failure;
        }
        for (Throwable at = cause; at != null; at = at.getCause()) {
            if (at instanceof java.util.concurrent.TimeoutException) {
                return new Failure("upstream '" + name + "' did not answer within " + callTimeout.toSeconds() + " s");
            }
            if (at instanceof io.modelcontextprotocol.spec.McpError error) {
                return new Failure("upstream '" + name + "' answered with an error: " + error.getMessage());
            }
        }
        return new Failure("upstream '" + name + "' failed: "
                + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
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
