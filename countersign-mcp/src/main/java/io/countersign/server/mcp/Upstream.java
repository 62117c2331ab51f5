package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream MCP server, supervised: its name, its tools and a client to call them. The
 * connection is lost the moment a stdio upstream's process exits (or its output ends) or an HTTP
 * upstream's transport fails; calls in flight then end at once with a {@link Failure} naming the
 * upstream and what happened, listeners hear it ({@link #whenDown}), later calls fail at once, and
 * the gateway starts the upstream again (connects again, for HTTP) with a backoff of 1 s doubling
 * up to 30 s, telling {@link #onRestarted} listeners once it answers again. One that does not
 * start at all is started again the same way: it is down from the outset.
 */
final class Upstream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
    /** The largest message an upstream may send (a result, say); a larger one fails its call alone. */
    static final int MAX_MESSAGE_BYTES = 64 << 20;

    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** A connection that lived this long was healthy: the next restart starts again from the first backoff. */
    private static final Duration HEALTHY = Duration.ofSeconds(30);

    private final String name;
    private final UpstreamConfig config;
    private final Duration callTimeout;
    private final McpJsonMapper json;
    private final int maxMessageBytes;
    private final AtomicReference<Runnable> toolsChanged = new AtomicReference<>(() -> {});
    private final AtomicReference<Runnable> catalogChanged = new AtomicReference<>(() -> {});
    private final AtomicReference<Consumer<String>> resourceUpdated = new AtomicReference<>(uri -> {});
    private final List<Consumer<String>> downListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> restartListeners = new CopyOnWriteArrayList<>();
    private volatile Link link;
    private volatile boolean closed;

    /**
     * One connection: the client, and {@code lost}, completed with why once it is gone (a
     * stdio upstream's process exited, an HTTP upstream's transport failed).
     */
    private record Link(Optional<McpSyncClient> connected, CompletableFuture<String> lost, Instant since) {
        /** A start that failed: lost from the outset, so that it is retried as a loss is. */
        static Link failed(String why) {
            return new Link(Optional.empty(), CompletableFuture.completedFuture(why), Instant.now());
        }

        McpSyncClient client() {
            // Only a link that is not lost is used for calls, and a failed start is lost from the outset.
            return connected.orElseThrow(() -> new Failure(lost.getNow("the upstream is not connected")
                    + "; it is not running now (the gateway is starting it again)"));
        }

        void close() {
            connected.ifPresent(McpSyncClient::close);
        }
    }

    private Upstream(
            String name, UpstreamConfig config, Duration callTimeout, McpJsonMapper json, int maxMessageBytes) {
        this.name = name;
        this.config = config;
        this.callTimeout = callTimeout;
        this.json = json;
        this.maxMessageBytes = maxMessageBytes;
        Link first;
        try {
            first = connectOnce();
        } catch (RuntimeException e) {
            // Not left out: started again with the same backoff as an upstream that dies later (a server slow to
            // come up, a registry npx could not reach for a moment).
            LOG.error("{}; the gateway starts it again, first in {} s", e.getMessage(), FIRST_BACKOFF.toSeconds());
            first = Link.failed(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
        this.link = first;
        watch(link, FIRST_BACKOFF);
    }

    /** A call the upstream could not answer: crashed, gone, or too slow; the message names the upstream. */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    static Upstream connect(String name, UpstreamConfig config, Duration callTimeout, McpJsonMapper json) {
        return connect(name, config, callTimeout, json, MAX_MESSAGE_BYTES);
    }

    /** With a limit of its own on the size of one message (tests use a small one). */
    static Upstream connect(
            String name, UpstreamConfig config, Duration callTimeout, McpJsonMapper json, int maxMessageBytes) {
        requireNonNull(name, "name is null");
        requireNonNull(config, "config is null");
        requireNonNull(callTimeout, "callTimeout is null");
        requireNonNull(json, "json is null");
        return new Upstream(name, config, callTimeout, json, maxMessageBytes);
    }

    private Link connectOnce() {
        CompletableFuture<String> lost = new CompletableFuture<>();
        McpClientTransport wire =
                switch (config) {
                    case UpstreamConfig.Stdio stdio -> {
                        StdioUpstreamTransport child = new StdioUpstreamTransport(name, stdio, json, maxMessageBytes);
                        child.lost().thenAccept(lost::complete);
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
        McpClientTransport transport = new UpdatesTakenOff(wire, uri -> Thread.ofVirtual()
                .name("mcp-resource-updated-" + name)
                .start(() -> requireNonNull(resourceUpdated.get(), "no resource listener")
                        .accept(uri)));
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
                .resourcesChangeConsumer(resources ->
                        Thread.ofVirtual().name("mcp-resources-changed-" + name).start(catalogChanged.get()))
                .promptsChangeConsumer(prompts ->
                        Thread.ofVirtual().name("mcp-prompts-changed-" + name).start(catalogChanged.get()))
                .build();
        // A process that exits at start fails its start at once, not after the initialization timeout.
        CompletableFuture<Object> initialized = new CompletableFuture<>();
        Thread.ofVirtual().name("mcp-upstream-initialize-" + name).start(() -> {
            try {
                initialized.complete(client.initialize());
            } catch (RuntimeException e) {
                initialized.completeExceptionally(e);
            }
        });
        try {
            initialized
                    .applyToEither(
                            lost.thenApply(why -> {
                                throw new Failure(why);
                            }),
                            started -> started)
                    .join();
        } catch (java.util.concurrent.CompletionException e) {
            client.close();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException(
                    "mcp upstream '" + name + "' (" + config + ") did not start: " + cause.getMessage(), cause);
        }
        return new Link(Optional.of(client), lost, Instant.now());
    }

    /** Once {@code current} is lost: tells the listeners, then starts the upstream again, after {@code backoff}. */
    private void watch(Link current, Duration backoff) {
        // Off the thread that noticed (the process reaper, the reader, a failing call): listeners write to the store.
        current.lost()
                .thenAcceptAsync(
                        why -> {
                            if (closed) {
                                return;
                            }
                            LOG.warn("mcp {}; its tools are unavailable until it is started again", why);
                            for (Consumer<String> listener : downListeners) {
                                try {
                                    listener.accept(why);
                                } catch (RuntimeException e) {
                                    LOG.warn("mcp upstream={} a listener of its loss failed: {}", name, e.getMessage());
                                }
                            }
                            current.close();
                            Duration first = Duration.between(current.since(), Instant.now())
                                                    .compareTo(HEALTHY)
                                            >= 0
                                    ? FIRST_BACKOFF
                                    : backoff;
                            restart(first);
                        },
                        runnable -> Thread.ofVirtual()
                                .name("mcp-upstream-supervisor-" + name)
                                .start(runnable));
    }

    private void restart(Duration backoff) {
        Duration wait = backoff;
        while (!closed) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (closed) {
                return;
            }
            Link next;
            try {
                next = connectOnce();
            } catch (RuntimeException e) {
                Duration later = wait.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait.multipliedBy(2);
                LOG.warn(
                        "mcp upstream={} could not be started again ({}); next try in {} s",
                        name,
                        e.getMessage(),
                        later.toSeconds());
                wait = later;
                continue;
            }
            if (closed) {
                next.close();
                return;
            }
            link = next;
            LOG.info("mcp upstream={} started again", name);
            watch(next, wait.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait.multipliedBy(2));
            for (Runnable listener : restartListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.warn("mcp upstream={} a listener of its restart failed: {}", name, e.getMessage());
                }
            }
            return;
        }
    }

    /** Why the upstream is not serving now (it exited, and is being started again), if it isn't. */
    Optional<String> down() {
        CompletableFuture<String> lost = link.lost();
        return lost.isDone() ? Optional.of(lost.join()) : Optional.empty();
    }

    /** Runs {@code listener} with why each time the upstream's connection is lost, until the subscription is closed. */
    ToolService.Subscription whenDown(Consumer<String> listener) {
        requireNonNull(listener, "listener is null");
        downListeners.add(listener);
        return () -> downListeners.remove(listener);
    }

    /** Runs {@code listener} each time the upstream answers again after it was lost. */
    void onRestarted(Runnable listener) {
        restartListeners.add(requireNonNull(listener, "listener is null"));
    }

    String name() {
        return name;
    }

    /** What the upstream told its clients in {@code initialize} ({@code instructions}), if anything. */
    Optional<String> instructions() {
        return link.connected()
                .flatMap(client -> Optional.ofNullable(client.getServerInstructions()))
                .filter(text -> !text.isBlank());
    }

    /** Every tool, following pagination. */
    List<McpSchema.Tool> tools() {
        McpSyncClient client = link.client();
        List<McpSchema.Tool> tools = new ArrayList<>();
        String cursor = null;
        do {
            McpSchema.ListToolsResult page = cursor == null ? client.listTools() : client.listTools(cursor);
            tools.addAll(page.tools());
            cursor = page.nextCursor();
        } while (cursor != null && !cursor.isEmpty());
        return tools;
    }

    /** What the upstream serves besides tools, as it listed it (all pages); empty where it declares none. */
    record Catalog(
            List<McpSchema.Resource> resources,
            List<McpSchema.ResourceTemplate> templates,
            List<McpSchema.Prompt> prompts,
            boolean completions,
            boolean subscriptions) {
        static final Catalog NONE = new Catalog(List.of(), List.of(), List.of(), false, false);

        Catalog {
            resources = List.copyOf(resources);
            templates = List.copyOf(templates);
            prompts = List.copyOf(prompts);
        }
    }

    /** Lists the upstream's resources, resource templates and prompts, following pagination. */
    Catalog catalog() {
        McpSyncClient client = link.client();
        McpSchema.ServerCapabilities capabilities = client.getServerCapabilities();
        if (capabilities == null) {
            return Catalog.NONE;
        }
        List<McpSchema.Resource> resources = new ArrayList<>();
        List<McpSchema.ResourceTemplate> templates = new ArrayList<>();
        if (capabilities.resources() != null) {
            String cursor = null;
            do {
                McpSchema.ListResourcesResult page =
                        cursor == null ? client.listResources() : client.listResources(cursor);
                resources.addAll(page.resources());
                cursor = page.nextCursor();
            } while (cursor != null && !cursor.isEmpty());
            try {
                cursor = null;
                do {
                    McpSchema.ListResourceTemplatesResult page =
                            cursor == null ? client.listResourceTemplates() : client.listResourceTemplates(cursor);
                    templates.addAll(page.resourceTemplates());
                    cursor = page.nextCursor();
                } while (cursor != null && !cursor.isEmpty());
            } catch (McpError e) {
                // Templates are optional for a server with resources: one that does not know the method has none.
                LOG.debug("mcp upstream={} lists no resource templates: {}", name, e.getMessage());
            }
        }
        List<McpSchema.Prompt> prompts = new ArrayList<>();
        if (capabilities.prompts() != null) {
            String cursor = null;
            do {
                McpSchema.ListPromptsResult page = cursor == null ? client.listPrompts() : client.listPrompts(cursor);
                prompts.addAll(page.prompts());
                cursor = page.nextCursor();
            } while (cursor != null && !cursor.isEmpty());
        }
        return new Catalog(
                resources,
                templates,
                prompts,
                capabilities.completions() != null,
                capabilities.resources() != null
                        && Boolean.TRUE.equals(capabilities.resources().subscribe()));
    }

    /**
     * Runs {@code listener} (on a virtual thread of its own) each time the upstream says its
     * resources or prompts changed ({@code notifications/resources/list_changed}, {@code
     * notifications/prompts/list_changed}).
     */
    void onCatalogChanged(Runnable listener) {
        catalogChanged.set(requireNonNull(listener, "listener is null"));
    }

    McpSchema.ReadResourceResult read(McpSchema.ReadResourceRequest request) {
        return request(client -> client.readResource(request));
    }

    /** {@code resources/subscribe}: the upstream is to report updates of {@code uri} ({@link #onResourceUpdated}). */
    void subscribe(String uri) {
        request(client -> {
            client.subscribeResource(new McpSchema.SubscribeRequest(uri));
            return uri;
        });
    }

    void unsubscribe(String uri) {
        request(client -> {
            client.unsubscribeResource(new McpSchema.UnsubscribeRequest(uri));
            return uri;
        });
    }

    /**
     * Runs {@code listener} (on a virtual thread of its own) with the URI of each {@code
     * notifications/resources/updated} the upstream sends; the SDK's client never sees them
     * ({@link UpdatesTakenOff}).
     */
    void onResourceUpdated(Consumer<String> listener) {
        resourceUpdated.set(requireNonNull(listener, "listener is null"));
    }

    McpSchema.GetPromptResult prompt(McpSchema.GetPromptRequest request) {
        return request(client -> client.getPrompt(request));
    }

    McpSchema.CompleteResult complete(McpSchema.CompleteRequest request) {
        return request(client -> client.completeCompletion(request));
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
        return request(client -> client.callTool(request));
    }

    /** One request of the client's, bounded by {@code callTimeout} and ended at once if the upstream dies. */
    private <T> T request(java.util.function.Function<McpSyncClient, T> operation) {
        Link current = link;
        if (current.lost().isDone()) {
            throw new Failure(current.lost().join() + "; it is not running now (the gateway is starting it again)");
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofVirtual().name("mcp-upstream-" + name).start(() -> {
            try {
                result.complete(operation.apply(current.client()));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        CompletableFuture<T> died = current.lost().thenApply(why -> {
            throw new Failure(why + " during the call");
        });
        try {
            return result.applyToEither(died, answer -> answer).get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new Failure("upstream '" + name + "' did not answer within " + callTimeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw failure(current, e.getCause() == null ? e : e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while waiting for upstream '" + name + "'");
        }
    }

    private RuntimeException failure(Link current, Throwable cause) {
        if (cause instanceof Failure failure) {
            return failure;
        }
        for (Throwable at = cause; at != null; at = at.getCause()) {
            if (at instanceof TimeoutException) {
                return new Failure("upstream '" + name + "' did not answer within " + callTimeout.toSeconds() + " s");
            }
            if (at instanceof McpError error) {
                if (error.getJsonRpcError() != null
                        && Integer.valueOf(StdioUpstreamTransport.OVERSIZED)
                                .equals(error.getJsonRpcError().code())) {
                    return new Failure("upstream '" + name + "' sent a result too large to pass on: "
                            + error.getJsonRpcError().message() + "; this call failed, the upstream keeps serving");
                }
                return new Failure("upstream '" + name + "' answered with an error: " + error.getMessage());
            }
        }
        String what = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (config instanceof UpstreamConfig.Http && unreachable(cause)) {
            // Its first failure tells: the connection is gone (refused, reset, the session ended); connect again.
            current.lost().complete("upstream '" + name + "' failed (" + what + ")");
            return new Failure(
                    "upstream '" + name + "' failed during the call (" + what + "); the gateway connects to it again");
        }
        return new Failure("upstream '" + name + "' failed: " + what);
    }

    /** A failure of the transport, not of the call: an I/O error, or the SDK's transport or session error. */
    private static boolean unreachable(Throwable cause) {
        for (Throwable at = cause; at != null; at = at.getCause()) {
            if (at instanceof java.io.IOException
                    || at instanceof io.modelcontextprotocol.spec.McpTransportException
                    || at instanceof io.modelcontextprotocol.spec.McpTransportSessionNotFoundException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        link.connected().ifPresent(McpSyncClient::closeGracefully);
    }

    @Override
    public String toString() {
        return "mcp upstream " + name;
    }
}
