package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.policy.PolicyEngine;
import io.countersign.server.actions.LongPolls;
import io.countersign.workflow.Workflow;
import io.modelcontextprotocol.spec.McpSchema;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The MCP gateway's logic: every {@code tools/call} is an action {@code mcp.<server>.<tool>} on
 * resource {@code <server>} with the arguments as params. Allowed: forwarded, the upstream's
 * result returned unchanged. Denied: an {@code isError} result with the reason; the upstream is
 * never called. Pending: the call is held (progress reported every few seconds) until a human
 * decides or the request expires; forwarded only on approval. Where no rule matched, the tool's
 * annotations decide, and a tool changed since it was pinned is held back ({@link McpToolPolicy}).
 * Every forwarded call consumes its grant and records the outcome: the result, or only its SHA-256
 * and size for sensitive servers. Reads, prompts and subscriptions are actions too. The tools
 * served are {@link ServedTools}'s; the steps every request goes through are {@link RequestGate}'s;
 * this class says what each request is as an action and how its refusal looks.
 */
public final class McpGateway implements ToolService {
    /** The JSON-RPC error code of a refused or failed read or prompts/get (a server error, JSON-RPC 2.0 section 5.1). */
    static final int REFUSED = -32000;
    /** The spec's error code for a resource no upstream offers. */
    static final int RESOURCE_NOT_FOUND = -32002;

    private final JsonMapper mapper;
    private final RequestGate gate;
    private final Optional<String> instructions;
    private final ServedTools served;
    private final UpstreamOffers offers;
    private final Map<Upstream, UpstreamSubscriptions> subscriptions;

    /**
     * {@code workflows} builds the workflow MCP calls go through around the policy it is given: the
     * configured policy with the tools' annotations and pins on top ({@link McpToolPolicy}).
     */
    McpGateway(
            List<Upstream> upstreams,
            PolicyEngine policy,
            Function<PolicyEngine, Workflow> workflows,
            LongPolls longPolls,
            Clock clock,
            JsonMapper mapper,
            McpConfig config,
            ToolPinning pins,
            Supplier<String> baseUrl,
            java.nio.file.Path dataDirectory) {
        requireNonNull(policy, "policy is null");
        requireNonNull(workflows, "workflows is null");
        requireNonNull(config, "config is null");
        requireNonNull(pins, "pins is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        boolean prefixed = upstreams.size() > 1 && config.toolNames() == McpConfig.ToolNaming.PREFIXED;
        this.served = new ServedTools(upstreams, pins, prefixed);
        this.offers = new UpstreamOffers(upstreams, prefixed);
        Map<Upstream, UpstreamSubscriptions> watched = new HashMap<>();
        upstreams.forEach(upstream -> watched.put(upstream, new UpstreamSubscriptions(upstream)));
        this.subscriptions = Map.copyOf(watched);
        // One upstream's instructions as it wrote them; with several, each under its server's name (and the prefix of
        // its tools, where they are prefixed).
        List<String> parts = upstreams.stream()
                .flatMap(upstream -> upstream
                        .instructions()
                        .map(text -> upstreams.size() == 1
                                ? text
                                : upstream.name() + (prefixed ? " (tools " + upstream.name() + "__*)" : "") + ":\n"
                                        + text)
                        .stream())
                .toList();
        this.instructions = parts.isEmpty() ? Optional.empty() : Optional.of(String.join("\n\n", parts));
        this.gate = new RequestGate(
                workflows.apply(new McpToolPolicy(policy, served::byAction, pins, config)),
                longPolls,
                clock,
                mapper,
                config,
                baseUrl,
                dataDirectory);
    }

    /** Cancels the requests held by gateway processes that died on this data folder; returns how many. */
    int sweepDeadProcesses() {
        return gate.sweepDeadProcesses();
    }

    /** Waits (up to 10 s) for execution records still being written. */
    void close() {
        gate.close();
    }

    @Override
    public Subscription onToolsChanged(Consumer<List<McpSchema.Tool>> listener) {
        return served.onChanged(listener);
    }

    @Override
    public Optional<String> instructions() {
        return instructions;
    }

    @Override
    public Offer offer() {
        return offers.offer();
    }

    @Override
    public Subscription onOfferChanged(Consumer<Offer> listener) {
        return offers.onChanged(listener);
    }

    @Override
    public McpSchema.ReadResourceResult read(
            Agent agent, String server, McpSchema.ReadResourceRequest request, Waiting waiting) {
        requireNonNull(agent, "agent is null");
        Upstream upstream = serving(server);
        String uri = request.uri();
        ObjectNode params = mapper.createObjectNode().put("uri", uri);
        Action action = action(
                "mcp." + server + ".resources.read",
                ToolNames.resourceOf(server, uri),
                server,
                params,
                "MCP resources/read " + uri + " on " + server);
        return gate.gated(
                agent,
                upstream,
                action,
                "resource " + uri,
                waiting,
                why -> {
                    throw refusedRequest(why);
                },
                () -> upstream.read(new McpSchema.ReadResourceRequest(uri, null)),
                result -> false,
                result -> gate.recorded(server, result));
    }

    @Override
    public McpSchema.GetPromptResult prompt(
            Agent agent, String server, McpSchema.GetPromptRequest request, Waiting waiting) {
        requireNonNull(agent, "agent is null");
        Upstream upstream = serving(server);
        String name = offers.promptName(server, request.name());
        ObjectNode params = mapper.createObjectNode().put("name", name);
        params.set("arguments", mapper.valueToTree(request.arguments() == null ? Map.of() : request.arguments()));
        Action action = action(
                "mcp." + server + ".prompts.get", server, server, params, "MCP prompts/get " + name + " on " + server);
        return gate.gated(
                agent,
                upstream,
                action,
                "prompt " + name,
                waiting,
                why -> {
                    throw refusedRequest(why);
                },
                () -> upstream.prompt(new McpSchema.GetPromptRequest(name, request.arguments(), null)),
                result -> false,
                result -> gate.recorded(server, result));
    }

    @Override
    public Subscription subscribe(Agent agent, String uri, Waiting waiting, Optional<Consumer<String>> updates) {
        requireNonNull(agent, "agent is null");
        requireNonNull(uri, "uri is null");
        String server = offers.owner(uri)
                .orElseThrow(() -> io.modelcontextprotocol.spec.McpError.builder(RESOURCE_NOT_FOUND)
                        .message("Resource not found: no upstream offers " + uri + " to subscribe to")
                        .build());
        Upstream upstream = serving(server);
        if (!offers.offer().subscribing().contains(server)) {
            throw refusedRequest("upstream '" + server + "' offers no resource subscriptions");
        }
        ObjectNode params = mapper.createObjectNode().put("uri", uri);
        Action action = action(
                "mcp." + server + ".resources.subscribe",
                ToolNames.resourceOf(server, uri),
                server,
                params,
                "MCP resources/subscribe " + uri + " on " + server);
        return gate.gated(
                agent,
                upstream,
                action,
                "subscription to " + uri,
                waiting,
                why -> {
                    throw refusedRequest(why);
                },
                () -> updates.map(listener -> requireNonNull(
                                        subscriptions.get(upstream), "no subscriptions kept for the upstream")
                                .add(uri, listener))
                        .orElse(() -> {}),
                subscription -> false,
                subscription -> updates.isPresent()
                        ? "subscribed: the upstream's updates of " + uri + " go to the agent's session"
                        : "not subscribed upstream: the agent has no session (stateless HTTP) an update could reach");
    }

    /**
     * Not decided: a completion suggests values for an argument the agent is typing; the read or
     * prompts/get it leads to is decided.
     */
    @Override
    public McpSchema.CompleteResult complete(Agent agent, String server, McpSchema.CompleteRequest request) {
        requireNonNull(agent, "agent is null");
        Upstream upstream = serving(server);
        McpSchema.CompleteReference ref = request.ref() instanceof McpSchema.PromptReference prompt
                ? new McpSchema.PromptReference(prompt.type(), offers.promptName(server, prompt.name()), prompt.title())
                : request.ref();
        try {
            return upstream.complete(new McpSchema.CompleteRequest(ref, request.argument(), null, request.context()));
        } catch (RuntimeException e) {
            throw refusedRequest(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
    }

    private Upstream serving(String server) {
        Upstream upstream = offers.upstream(server).orElseThrow(() -> refusedRequest("no upstream '" + server + "'"));
        Optional<String> down = upstream.down();
        if (down.isPresent()) {
            throw refusedRequest(down.get() + "; it is not running now (the gateway is starting it again)");
        }
        return upstream;
    }

    /** The action; on {@code fallback} where {@code resource} is not one a policy can name (too long). */
    private static Action action(String name, String resource, String fallback, ObjectNode params, String reason) {
        try {
            return new Action(name, resource, params, reason, Optional.empty());
        } catch (IllegalArgumentException e) {
            return new Action(name, fallback, params, reason, Optional.empty());
        }
    }

    /** A read or prompts/get refused or failed: a JSON-RPC error with the reason (they have no isError result). */
    static io.modelcontextprotocol.spec.McpError refusedRequest(String why) {
        return io.modelcontextprotocol.spec.McpError.builder(REFUSED)
                .message(why)
                .build();
    }

    @Override
    public List<McpSchema.Tool> tools() {
        return served.tools();
    }

    @Override
    public McpSchema.CallToolResult call(Agent agent, String tool, Map<String, Object> arguments, Waiting waiting) {
        requireNonNull(agent, "agent is null");
        Optional<ServedTools.Route> found = served.route(tool);
        if (found.isEmpty()) {
            return error("unknown tool '" + tool + "'; this gateway serves " + served.names());
        }
        ServedTools.Route route = found.get();
        Optional<String> down = route.upstream().down();
        if (down.isPresent()) {
            return error(down.get() + "; it is not running now (the gateway is starting it again), so "
                    + route.tool().name() + " can't be called; its tools are listed again once it answers");
        }
        Map<String, Object> args = arguments == null ? Map.of() : arguments;
        ObjectNode params = mapper.valueToTree(args);
        Action action = new Action(
                route.action(),
                route.upstream().name(),
                params,
                "MCP tools/call " + route.tool().name() + " on "
                        + route.upstream().name(),
                Optional.empty());
        return gate.gated(
                agent,
                route.upstream(),
                action,
                "tool " + route.tool().name(),
                waiting,
                McpGateway::error,
                () -> route.upstream()
                        .call(new McpSchema.CallToolRequest(route.tool().name(), args)),
                result -> Boolean.TRUE.equals(result.isError()),
                result -> gate.recorded(route.upstream().name(), result));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static McpSchema.CallToolResult error(String message) {
        return McpSchema.CallToolResult.builder()
                .addTextContent(message)
                .isError(true)
                .build();
    }
}
