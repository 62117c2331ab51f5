package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
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
    private static final McpSchema.Implementation SERVER_INFO = new McpSchema.Implementation("countersign", "0.1.0");

    private McpProtocol() {}

    /** Serves one agent over a byte stream pair (the process's stdin and stdout). */
    static McpSyncServer stdio(ToolService service, Agent agent, McpJsonMapper json, InputStream in, OutputStream out) {
        requireNonNull(agent, "agent is null");
        StdioServerTransportProvider transport = new StdioServerTransportProvider(json, in, out);
        // The tool handlers need the server to tell the client an elicitation is complete; it exists only once built.
        AtomicReference<McpSyncServer> built = new AtomicReference<>();
        McpSyncServer server = McpServer.sync(transport).serverInfo(SERVER_INFO).jsonMapper(json)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(specifications(service, exchange -> agent, built)).build();
        built.set(server);
        return server;
    }

    /**
     * The Streamable HTTP servlet (mounted behind authentication by {@link McpRoutes}) and the server
     * using it. Stateless: every POST is answered with one JSON response on the request's own
     * thread, no session and no server-sent events. That is what the 2026-07-28 revision asks for,
     * keeps a held call from depending on a long-lived event stream, and lets several gateway
     * nodes serve one agent. The cost: no progress notifications over HTTP (stdio has them).
     */
    record Http(HttpServletStatelessServerTransport servlet, McpStatelessSyncServer server) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }

    static Http http(ToolService service, McpJsonMapper json, int maxRequestBytes) {
        HttpServletStatelessServerTransport transport = HttpServletStatelessServerTransport.builder()
                .jsonMapper(json).messageEndpoint(McpRoutes.PATH).maxRequestSize(maxRequestBytes)
                .contextExtractor(request -> {
                    Object agent = request.getAttribute(AGENT);
                    return agent == null ? McpTransportContext.EMPTY : McpTransportContext.create(Map.of(AGENT, agent));
                })
                .build();
        List<McpStatelessServerFeatures.SyncToolSpecification> tools = service.tools().stream()
                .map(tool -> McpStatelessServerFeatures.SyncToolSpecification.builder().tool(tool)
                        .callHandler((context, request) -> service.call(agentOf(context), request.name(), request.arguments(),
                                ToolService.Waiting.NONE))
                        .build())
                .toList();
        // immediateExecution: the call runs on the request's own thread, which blocks for the answer
        // anyway, instead of being handed to Reactor's boundedElastic pool and back (one thread hop
        // less on every call; on a loaded machine a hop costs milliseconds).
        McpStatelessSyncServer server = McpServer.sync(transport).serverInfo(SERVER_INFO).jsonMapper(json)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .immediateExecution(true)
                .tools(tools).build();
        return new Http(transport, server);
    }

    private static Agent agentOf(McpTransportContext context) {
        if (context.get(AGENT) instanceof Agent agent) {
            return agent;
        }
        // McpRoutes only lets authenticated agents through; reaching this is a wiring bug.
        throw new IllegalStateException("an MCP call arrived without an authenticated agent");
    }

    private interface AgentOf {
        Agent of(McpSyncServerExchange exchange);
    }

    private static List<McpServerFeatures.SyncToolSpecification> specifications(ToolService service, AgentOf agents,
            AtomicReference<McpSyncServer> server) {
        return service.tools().stream()
                .map(tool -> McpServerFeatures.SyncToolSpecification.builder().tool(tool)
                        .callHandler((exchange, request) -> service.call(agents.of(exchange), request.name(), request.arguments(),
                                new SessionWaiting(exchange, progressToken(request), server)))
                        .build())
                .toList();
    }

    private static Object progressToken(McpSchema.CallToolRequest request) {
        return request.meta() == null ? null : request.meta().get("progressToken");
    }

    /**
     * A held call on a session: progress notifications only when the client asked for them with a
     * progress token; a URL-mode elicitation pointing at the console only when the client declared
     * {@code elicitation.url}, sent off the held call's thread (the client answers when its user
     * has seen it), and {@code notifications/elicitation/complete} once the request is settled.
     */
    private static final class SessionWaiting implements ToolService.Waiting {
        private final McpSyncServerExchange exchange;
        private final Object token;
        private final AtomicReference<McpSyncServer> server;
        private volatile boolean elicited;

        SessionWaiting(McpSyncServerExchange exchange, Object token, AtomicReference<McpSyncServer> server) {
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
            if (capabilities == null || capabilities.elicitation() == null || capabilities.elicitation().url() == null) {
                return;
            }
            elicited = true;
            Thread.ofVirtual().name("mcp-elicitation-" + requestId).start(() -> {
                try {
                    McpSchema.ElicitResult answer = exchange.createElicitation(McpSchema.ElicitUrlRequest.builder(message, consoleUrl, requestId).build());
                    LOG.debug("mcp elicitation for request {} answered {}", requestId, answer.action());
                } catch (RuntimeException e) {
                    // Declined, cancelled, timed out or gone: the request still waits for a human in the console or the API.
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
                session.sendElicitationComplete(exchange.sessionId(), new McpSchema.ElicitationCompleteNotification(requestId));
            } catch (RuntimeException e) {
                LOG.debug("mcp elicitation complete for request {} not sent: {}", requestId, e.getMessage());
            }
        }
    }
}
