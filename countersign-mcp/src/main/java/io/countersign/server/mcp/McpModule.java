package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.countersign.identity.Agent;
import io.countersign.policy.PolicyEngine;
import io.countersign.server.actions.LongPolls;
import io.countersign.server.http.ErrorPage;
import io.countersign.workflow.Store;
import io.countersign.workflow.Workflow;
import io.javalin.config.RoutesConfig;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The MCP gateway as the composition root sees it: connects the configured upstreams, serves them
 * on {@code /mcp} and, for {@code countersign mcp --stdio}, on a stream pair. An upstream that
 * does not start is logged and started again with backoff; the others are served meanwhile.
 */
public final class McpModule implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpModule.class);
    /** JSON-RPC's implementation-defined server error, for what the gateway refuses before MCP is spoken. */
    private static final int SERVER_ERROR = -32000;

    private final List<Upstream> upstreams;
    private final McpGateway gateway;
    private final McpJsonMapper json;
    private final McpProtocol.Http http;
    private final ToolPinning pins;
    private final JsonMapper mapper;

    private final CallsInFlight calls;
    private final JsonRpcIntake intake;
    private final int maxMessageBytes;
    private final Supplier<String> baseUrl;
    private final ScheduledExecutorService sweeper;

    private McpModule(
            List<Upstream> upstreams,
            McpGateway gateway,
            McpJsonMapper json,
            McpProtocol.Http http,
            ToolPinning pins,
            JsonMapper mapper,
            CallsInFlight calls,
            int maxMessageBytes,
            Supplier<String> baseUrl) {
        this.calls = calls;
        this.intake = new JsonRpcIntake(mapper);
        this.maxMessageBytes = maxMessageBytes;
        this.baseUrl = baseUrl;
        this.pins = pins;
        this.mapper = mapper;
        this.upstreams = upstreams;
        this.gateway = gateway;
        this.json = json;
        this.http = http;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("mcp-held-sweeper").factory());
        // At start, and then now and again: a desktop agent's 'mcp --stdio' on this data folder may die at any time.
        sweeper.scheduleWithFixedDelay(this::sweepDeadProcesses, 0, 30, TimeUnit.SECONDS);
    }

    private void sweepDeadProcesses() {
        try {
            int cancelled = gateway.sweepDeadProcesses();
            if (cancelled > 0) {
                LOG.warn(
                        "mcp: cancelled {} pending request(s) whose gateway process had exited while holding the call",
                        cancelled);
            }
        } catch (RuntimeException e) {
            LOG.warn("mcp: sweeping the requests held by exited gateway processes failed: {}", e.getMessage());
        }
    }

    /**
     * Every call this gateway is working on is gone ({@code why}): each held one is cancelled. For
     * the process's shutdown hook, before anything is closed; calling it again does nothing more.
     */
    public void callersGone(String why) {
        calls.allGone(why);
    }

    /**
     * Connects the upstreams and pins their tools. {@code workflows} builds a workflow around a
     * policy (the gateway's own settings, store and listeners): MCP calls go through one whose
     * policy is {@code policy} with the tools' annotations and pins on top ({@link McpToolPolicy}).
     * {@code baseUrl} is where humans reach the console, once the server listens.
     */
    public static McpModule start(
            McpConfig config,
            PolicyEngine policy,
            Function<PolicyEngine, Workflow> workflows,
            Store store,
            LongPolls longPolls,
            Clock clock,
            JsonMapper mapper,
            long maxBodyBytes,
            Path dataDirectory,
            Supplier<String> baseUrl) {
        requireNonNull(config, "config is null");
        McpJsonMapper json = new JacksonMcpJsonMapper(mapper.rebuild()
                .addMixIn(McpSchema.ElicitUrlRequest.class, UntypedElicitation.class)
                // Definitions and results pass through as the upstream wrote them (Verbatim).
                .addModule(Verbatim.module())
                .build());
        List<Upstream> upstreams = new ArrayList<>();
        for (Map.Entry<String, UpstreamConfig> server : config.servers().entrySet()) {
            // One that does not start is started again with backoff, as one that dies later is (Upstream).
            Upstream upstream = Upstream.connect(server.getKey(), server.getValue(), config.callTimeout(), json);
            upstreams.add(upstream);
            if (upstream.down().isEmpty()) {
                LOG.info("mcp upstream={} connected ({})", server.getKey(), server.getValue());
            }
        }
        try {
            ToolPinning pins = ToolPinning.open(dataDirectory, store, clock, mapper);
            McpGateway gateway = new McpGateway(
                    upstreams, policy, workflows, longPolls, clock, mapper, config, pins, baseUrl, dataDirectory);
            int maxRequestBytes = (int) Math.min(Integer.MAX_VALUE - 1, maxBodyBytes);
            CallsInFlight calls = new CallsInFlight();
            McpProtocol.Http http = config.http() == McpConfig.HttpMode.SESSIONS
                    ? McpProtocol.httpSessions(gateway, json, maxRequestBytes, calls)
                    : McpProtocol.http(gateway, json, maxRequestBytes, calls);
            return new McpModule(
                    List.copyOf(upstreams), gateway, json, http, pins, mapper, calls, maxRequestBytes, baseUrl);
        } catch (RuntimeException e) {
            upstreams.forEach(Upstream::close);
            throw e;
        }
    }

    /**
     * SDK 2.1.0's {@code ElicitUrlRequest} carries its type id {@code mode} both as a type id and
     * as a property, which Jackson 3 refuses to serialize; the failure ends the stdio session's
     * outbound stream. Serialized without the type id, it is the same JSON: {@code mode} is its property.
     */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NONE)
    private interface UntypedElicitation {}

    /** The {@code /mcp} routes and the admin API for pins, for the API server. */
    public Consumer<RoutesConfig> routes() {
        McpRoutes mcp = new McpRoutes(
                http.servlet(),
                http.sessions() ? Optional.of(new SessionOwners()) : Optional.empty(),
                intake,
                calls,
                new OriginCheck(baseUrl),
                maxMessageBytes,
                http.subscriptions(),
                http.notifySession());
        PinRoutes admin = new PinRoutes(pins, mapper);
        return routes -> {
            mcp.register(routes);
            admin.register(routes);
        };
    }

    /**
     * Errors on {@code /mcp} that happen before its handler runs (a bad token, the database away: 503 with
     * Retry-After) as JSON-RPC errors, like the handler's own, so an MCP client reads them; the HTTP status
     * stays and is repeated in the error's data.
     */
    public ErrorPage errorPage() {
        return new ErrorPage() {
            @Override
            public boolean covers(String rawPath) {
                return rawPath.equals(McpRoutes.PATH);
            }

            @Override
            public String html(int status, String message) {
                ObjectNode error = JsonRpcIntake.error(Optional.empty(), SERVER_ERROR, message);
                ((ObjectNode) error.get("error")).putObject("data").put("httpStatus", status);
                return error.toString();
            }

            @Override
            public String contentType() {
                return "application/json";
            }
        };
    }

    /** Tool pinning: changed tools waiting for an admin, and accepting them. */
    public ToolPinning pins() {
        return pins;
    }

    /** The gateway's logic, behind the protocol seam. */
    public ToolService tools() {
        return gateway;
    }

    /** Serves {@code agent} over {@code in}/{@code out} until closed. */
    public AutoCloseable serveStdio(Agent agent, InputStream in, OutputStream out) {
        return McpProtocol.stdio(gateway, agent, json, in, out, intake, calls, maxMessageBytes);
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        // Before anything stops: each held call's request is cancelled while the store still takes it.
        calls.allGone("the gateway stopped");
        http.close();
        gateway.close();
        upstreams.forEach(upstream -> {
            try {
                upstream.close();
            } catch (RuntimeException e) {
                LOG.warn("closing {} failed", upstream, e);
            }
        });
    }
}
