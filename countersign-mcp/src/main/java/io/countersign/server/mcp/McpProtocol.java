package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol side of the seam: binds a {@link ToolService} to the MCP Java SDK's server
 * (sessions, {@code initialize}, JSON-RPC errors for malformed input and unknown methods,
 * progress notifications) on stdio or Streamable HTTP. Nothing here decides anything.
 */
final class McpProtocol {
    /** The request attribute (HTTP) and transport-context key carrying the authenticated agent. */
    static final String AGENT = "countersign.mcp.agent";

    private static final Logger LOG = LoggerFactory.getLogger(McpProtocol.class);
    /** How long telling one session of an update may take (its event stream is written to). */
    private static final Duration NOTIFY_TIMEOUT = Duration.ofSeconds(10);

    private static final McpSchema.Implementation SERVER_INFO = new McpSchema.Implementation("countersign", "0.1.0");

    private McpProtocol() {}

    /** Serves one agent over a byte stream pair (the process's stdin and stdout). */
    static Stdio stdio(
            ToolService service,
            Agent agent,
            McpJsonMapper json,
            InputStream in,
            OutputStream out,
            JsonRpcIntake intake,
            CallsInFlight calls,
            int maxMessageBytes) {
        requireNonNull(agent, "agent is null");
        String channel = "stdio:" + java.util.UUID.randomUUID();
        StdioServerTransportProvider transport = new StdioServerTransportProvider(
                json,
                new StdioIntake(
                        in,
                        out,
                        intake,
                        json,
                        calls,
                        agent,
                        channel,
                        new ResourceSubscriptions(service),
                        maxMessageBytes),
                out,
                maxMessageBytes + 1);
        // The tool handlers need the server to tell the client an elicitation is complete; it exists only once built.
        AtomicReference<McpSyncServer> built = new AtomicReference<>();
        // No pings on stdio: the end of stdin says the client is gone.
        Function<McpSchema.Tool, McpServerFeatures.SyncToolSpecification> specification =
                tool -> specification(service, tool, exchange -> agent, built, calls, false);
        // listChanged: when an upstream changes its tools, the session is told (tools/list_changed).
        McpProtocol.AgentOf agents = exchange -> agent;
        McpSyncServer server = OfferBinding.offer(
                        McpServer.sync(transport)
                                .serverInfo(SERVER_INFO)
                                .jsonMapper(json)
                                .instructions(service.instructions().orElse(null))
                                .capabilities(OfferBinding.capabilities(service.offer(), true))
                                .tools(service.tools().stream()
                                        .map(specification)
                                        .toList()),
                        service,
                        agents,
                        built,
                        calls,
                        false)
                .build();
        built.set(server);
        ToolService.Subscription tools = followToolChanges(service, server, specification);
        ToolService.Subscription offers = OfferBinding.follow(service, server, agents, built, calls, false);
        return new Stdio(server, () -> {
            tools.close();
            offers.close();
        });
    }

    /** A stdio session, and its subscription to tool changes. */
    record Stdio(McpSyncServer server, ToolService.Subscription changes) implements AutoCloseable {
        @Override
        public void close() {
            changes.close();
            server.closeGracefully();
        }
    }

    /** Keeps a session server's tools those of {@code service}, and tells its sessions when they change. */
    private static ToolService.Subscription followToolChanges(
            ToolService service,
            McpSyncServer server,
            Function<McpSchema.Tool, McpServerFeatures.SyncToolSpecification> specification) {
        return service.onToolsChanged(tools -> {
            sync(tools, server.listTools(), server::removeTool, tool -> server.addTool(specification.apply(tool)));
            server.notifyToolsListChanged();
        });
    }

    /**
     * Makes the SDK server's tools {@code wanted}: removes those gone, and those whose definition
     * changed, then adds those new or changed. The SDK keeps tools by name and refuses a name twice.
     */
    private static void sync(
            List<McpSchema.Tool> wanted,
            List<McpSchema.Tool> registered,
            Consumer<String> remove,
            Consumer<McpSchema.Tool> add) {
        Map<String, McpSchema.Tool> now = new HashMap<>();
        registered.forEach(tool -> now.put(tool.name(), tool));
        Set<String> keep = new HashSet<>();
        for (McpSchema.Tool tool : wanted) {
            if (tool.equals(now.get(tool.name()))) {
                keep.add(tool.name());
            }
        }
        now.keySet().stream().filter(name -> !keep.contains(name)).forEach(remove);
        wanted.stream().filter(tool -> !keep.contains(tool.name())).forEach(add);
    }

    /**
     * A Streamable HTTP servlet (mounted behind authentication by {@link McpRoutes}), the server
     * using it, its subscription to tool changes, whether it keeps sessions, its clients' resource
     * subscriptions, and, with sessions, how to tell a session (by id) that a resource (by URI) changed.
     */
    record Http(
            HttpServlet servlet,
            AutoCloseable server,
            ToolService.Subscription changes,
            boolean sessions,
            ResourceSubscriptions subscriptions,
            Optional<BiConsumer<String, String>> notifySession)
            implements AutoCloseable {
        @Override
        public void close() {
            changes.close();
            try {
                server.close();
            } catch (Exception e) {
                LOG.warn("closing the MCP HTTP server failed: {}", e.getMessage());
            }
        }
    }

    /**
     * Stateless Streamable HTTP ({@code mcp.http: stateless}, the default): every POST is answered
     * with one JSON response on the request's own thread, no session and no server-sent events.
     * That is what the 2026-07-28 revision asks for, keeps a held call from depending on a
     * long-lived event stream, and lets several gateway nodes serve one agent. The cost: no
     * progress notifications or elicitation while a call is held ({@link #httpSessions} has them).
     */
    static Http http(ToolService service, McpJsonMapper json, int maxRequestBytes, CallsInFlight calls) {
        HttpServletStatelessServerTransport transport = HttpServletStatelessServerTransport.builder()
                .jsonMapper(json)
                .messageEndpoint(McpRoutes.PATH)
                .maxRequestSize(maxRequestBytes)
                .contextExtractor(McpProtocol::agentContext)
                .build();
        Function<McpSchema.Tool, McpStatelessServerFeatures.SyncToolSpecification> specification =
                tool -> McpStatelessServerFeatures.SyncToolSpecification.builder()
                        .tool(tool)
                        .callHandler((context, request) -> call(
                                service, agentOf(context), request, ToolService.Waiting.NONE, calls, Optional.empty()))
                        .build();
        // immediateExecution: the call runs on the request's own thread, which blocks for the answer
        // anyway, instead of being handed to Reactor's boundedElastic pool and back (one thread hop
        // less on every call; on a loaded machine a hop costs milliseconds).
        McpStatelessSyncServer server = OfferBinding.offer(
                        McpServer.sync(transport)
                                .serverInfo(SERVER_INFO)
                                .jsonMapper(json)
                                .instructions(service.instructions().orElse(null))
                                .capabilities(OfferBinding.capabilities(service.offer(), false))
                                .immediateExecution(true)
                                .tools(service.tools().stream()
                                        .map(specification)
                                        .toList()),
                        service,
                        calls)
                .build();
        // Stateless: nobody to tell of a change; the next tools/list has it.
        ToolService.Subscription tools = service.onToolsChanged(changed -> sync(
                changed, server.listTools(), server::removeTool, tool -> server.addTool(specification.apply(tool))));
        ToolService.Subscription offers = OfferBinding.follow(service, server, calls);
        return new Http(
                transport,
                server::close,
                () -> {
                    tools.close();
                    offers.close();
                },
                false,
                new ResourceSubscriptions(service),
                Optional.empty());
    }

    /**
     * Streamable HTTP with sessions (the SDK's {@code HttpServletStreamableServerTransportProvider}):
     * a held call answers with an event stream, so the client gets progress notifications and,
     * where it declared {@code elicitation.url}, a URL-mode elicitation, as on stdio. Each request
     * is still authenticated and decided as its own agent ({@link McpRoutes} keeps each session to
     * the agent that opened it). Sessions live in this node's memory:
     * several nodes need the load balancer to keep a session on one node ({@code Mcp-Session-Id}).
     */
    static Http httpSessions(ToolService service, McpJsonMapper json, int maxRequestBytes, CallsInFlight calls) {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(json)
                .mcpEndpoint(McpRoutes.PATH)
                .maxRequestSize(maxRequestBytes)
                // Comments on an idle session stream, so proxies between agent and gateway don't cut it.
                .keepAliveInterval(Duration.ofSeconds(15))
                .contextExtractor(McpProtocol::agentContext)
                .build();
        AtomicReference<McpSyncServer> built = new AtomicReference<>();
        Function<McpSchema.Tool, McpServerFeatures.SyncToolSpecification> specification = tool ->
                specification(service, tool, exchange -> agentOf(exchange.transportContext()), built, calls, true);
        McpProtocol.AgentOf agents = exchange -> agentOf(exchange.transportContext());
        McpSyncServer server = OfferBinding.offer(
                        McpServer.sync(transport)
                                .serverInfo(SERVER_INFO)
                                .jsonMapper(json)
                                .instructions(service.instructions().orElse(null))
                                .capabilities(OfferBinding.capabilities(service.offer(), true))
                                .immediateExecution(true)
                                .tools(service.tools().stream()
                                        .map(specification)
                                        .toList()),
                        service,
                        agents,
                        built,
                        calls,
                        true)
                .build();
        built.set(server);
        ToolService.Subscription tools = followToolChanges(service, server, specification);
        ToolService.Subscription offers = OfferBinding.follow(service, server, agents, built, calls, true);
        return new Http(
                transport,
                server::closeGracefully,
                () -> {
                    tools.close();
                    offers.close();
                },
                true,
                new ResourceSubscriptions(service),
                Optional.of((session, uri) -> transport
                        .notifyClient(
                                session,
                                McpSchema.METHOD_NOTIFICATION_RESOURCES_UPDATED,
                                new McpSchema.ResourcesUpdatedNotification(uri))
                        .block(NOTIFY_TIMEOUT)));
    }

    /** The agent {@link McpRoutes} authenticated, for the tool handlers. */
    private static McpTransportContext agentContext(HttpServletRequest request) {
        Object agent = request.getAttribute(AGENT);
        return agent == null ? McpTransportContext.EMPTY : McpTransportContext.create(Map.of(AGENT, agent));
    }

    static Agent agentOf(McpTransportContext context) {
        if (context.get(AGENT) instanceof Agent agent) {
            return agent;
        }
        // McpRoutes only lets authenticated agents through; reaching this is a wiring bug.
        throw new IllegalStateException("an MCP call arrived without an authenticated agent");
    }

    interface AgentOf {
        Agent of(McpSyncServerExchange exchange);
    }

    private static McpServerFeatures.SyncToolSpecification specification(
            ToolService service,
            McpSchema.Tool tool,
            AgentOf agents,
            AtomicReference<McpSyncServer> server,
            CallsInFlight calls,
            boolean ping) {
        return McpServerFeatures.SyncToolSpecification.builder()
                .tool(tool)
                .callHandler((exchange, request) -> call(
                        service,
                        agents.of(exchange),
                        request,
                        new SessionWaiting(exchange, progressToken(request), server),
                        calls,
                        ping ? Optional.<CallsInFlight.Probe>of(new Ping(exchange)) : Optional.empty()))
                .build();
    }

    /**
     * Runs the call with {@code waiting} told when its client goes: {@link JsonRpcIntake} tagged
     * the request with the token of its {@link CallsInFlight.Call}. Answered, the call is closed.
     */
    private static McpSchema.CallToolResult call(
            ToolService service,
            Agent agent,
            McpSchema.CallToolRequest request,
            ToolService.Waiting waiting,
            CallsInFlight calls,
            Optional<CallsInFlight.Probe> probe) {
        return tracked(
                request.meta(),
                waiting,
                calls,
                probe,
                tracking -> service.call(agent, request.name(), request.arguments(), tracking));
    }

    /** Runs {@code run} with {@code waiting} told when the client of the request tagged in {@code meta} goes. */
    static <T> T tracked(
            @Nullable Map<String, Object> meta,
            ToolService.Waiting waiting,
            CallsInFlight calls,
            Optional<CallsInFlight.Probe> probe,
            Function<ToolService.Waiting, T> run) {
        Object token = meta == null ? null : meta.get(JsonRpcIntake.CALL_TOKEN);
        Optional<CallsInFlight.Call> call = token instanceof String value ? calls.find(value) : Optional.empty();
        probe.ifPresent(check -> call.ifPresent(c -> c.probeWith(check)));
        try {
            return run.apply(call.<ToolService.Waiting>map(c -> new CallWaiting(waiting, c))
                    .orElse(waiting));
        } finally {
            call.ifPresent(calls::close);
        }
    }

    /**
     * A session's client is asked for a ping on the held call's own stream: a client that was killed
     * or dropped the stream fails it, or does not answer within {@code PING_TIMEOUT}.
     */
    record Ping(McpSyncServerExchange exchange) implements CallsInFlight.Probe {
        private static final Duration PING_TIMEOUT = Duration.ofSeconds(10);

        @Override
        public void check() throws Exception {
            java.util.concurrent.CompletableFuture<Void> answered = new java.util.concurrent.CompletableFuture<>();
            Thread.ofVirtual().name("mcp-ping").start(() -> {
                try {
                    exchange.ping();
                    answered.complete(null);
                } catch (RuntimeException e) {
                    answered.completeExceptionally(e);
                }
            });
            answered.get(PING_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @Override
        public String failure() {
            return "the agent's MCP client did not answer a ping on its session (its connection is gone)";
        }
    }

    /** No progress or elicitation, and {@code call}'s client going away (for a request the gateway answers itself). */
    static ToolService.Waiting waitingOn(CallsInFlight.Call call) {
        return new CallWaiting(ToolService.Waiting.NONE, call);
    }

    /** {@code delegate}, and the call's client going away. */
    private record CallWaiting(ToolService.Waiting delegate, CallsInFlight.Call call) implements ToolService.Waiting {
        @Override
        public void progress(double step, String message) {
            delegate.progress(step, message);
            // Progress comes every few seconds while the call is held: the moment to check the client is still there.
            call.probe();
        }

        @Override
        public void heldForApproval(String requestId, String consoleUrl, String message) {
            delegate.heldForApproval(requestId, consoleUrl, message);
        }

        @Override
        public void settled(String requestId) {
            delegate.settled(requestId);
        }

        @Override
        public Optional<String> gone() {
            return call.gone();
        }

        @Override
        public ToolService.Subscription whenGone(Consumer<String> listener) {
            return call.whenGone(listener);
        }
    }

    private static @Nullable Object progressToken(McpSchema.CallToolRequest request) {
        return progressToken(request.meta());
    }

    static @Nullable Object progressToken(@Nullable Map<String, Object> meta) {
        return meta == null ? null : meta.get("progressToken");
    }

    /**
     * A held call on a session: progress notifications only when the client asked for them with a
     * progress token; a URL-mode elicitation pointing at the console only when the client declared
     * {@code elicitation.url}, sent off the held call's thread (the client answers when its user
     * has seen it), and {@code notifications/elicitation/complete} once the request is settled.
     */
    static final class SessionWaiting implements ToolService.Waiting {
        private final McpSyncServerExchange exchange;
        private final @Nullable Object token;
        private final AtomicReference<McpSyncServer> server;
        private volatile boolean elicited;

        SessionWaiting(McpSyncServerExchange exchange, @Nullable Object token, AtomicReference<McpSyncServer> server) {
            this.exchange = exchange;
            this.token = token;
            this.server = server;
        }

        @Override
        public void progress(double step, String message) {
            if (token == null) {
                return;
            }
            try {
                exchange.progressNotification(new McpSchema.ProgressNotification(token, step, null, message));
            } catch (RuntimeException e) {
                // A client that went away misses a progress note; the decision still stands.
            }
        }

        @Override
        public void heldForApproval(String requestId, String consoleUrl, String message) {
            McpSchema.ClientCapabilities capabilities = exchange.getClientCapabilities();
            if (capabilities == null
                    || capabilities.elicitation() == null
                    || capabilities.elicitation().url() == null) {
                return;
            }
            elicited = true;
            Thread.ofVirtual().name("mcp-elicitation-" + requestId).start(() -> {
                try {
                    McpSchema.ElicitResult answer = exchange.createElicitation(
                            McpSchema.ElicitUrlRequest.builder(message, consoleUrl, requestId)
                                    .build());
                    LOG.debug("mcp elicitation for request {} answered {}", requestId, answer.action());
                } catch (RuntimeException e) {
                    // Declined, cancelled, timed out or gone: the request still waits for a human in the console or the
                    // API.
                    LOG.debug("mcp elicitation for request {} got no answer: {}", requestId, e.getMessage());
                }
            });
        }

        @Override
        public void settled(String requestId) {
            McpSyncServer session = server.get();
            if (!elicited || session == null) {
                return;
            }
            try {
                session.sendElicitationComplete(
                        exchange.sessionId(), new McpSchema.ElicitationCompleteNotification(requestId));
            } catch (RuntimeException e) {
                LOG.debug("mcp elicitation complete for request {} not sent: {}", requestId, e.getMessage());
            }
        }
    }
}
