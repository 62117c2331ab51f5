package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.policy.PolicyEngine;
import io.countersign.server.actions.LongPolls;
import io.countersign.store.StoreUnavailableException;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Execution;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.Workflow;
import io.countersign.workflow.WorkflowException;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * and size for sensitive servers.
 */
public final class McpGateway implements ToolService {
    private static final Logger LOG = LoggerFactory.getLogger(McpGateway.class);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    /** The expiry sweep runs every 250 ms; wait a little past the expiry for its verdict. */
    private static final Duration EXPIRY_GRACE = Duration.ofSeconds(2);

    private static final int MAX_RECORDED_RESULT_CHARS = 16 * 1024;
    /** The JSON-RPC error code of a refused or failed read or prompts/get (a server error, JSON-RPC 2.0 section 5.1). */
    static final int REFUSED = -32000;
    /** The spec's error code for a resource no upstream offers. */
    static final int RESOURCE_NOT_FOUND = -32002;

    private final Workflow workflow;
    private final JsonMapper mapper;
    private final Set<String> sensitive;
    private final boolean elicitation;
    private final Supplier<String> baseUrl;
    private final DecisionWait waits;
    private final java.util.concurrent.ExecutorService reports =
            java.util.concurrent.Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("mcp-execution-report-", 0).factory());
    private final ToolPinning pins;
    private final HeldRequests held;
    private final Optional<String> instructions;
    private final boolean prefixed;
    private final UpstreamOffers offers;
    private final Map<Upstream, UpstreamSubscriptions> subscriptions;
    private final List<Consumer<List<McpSchema.Tool>>> toolListeners = new CopyOnWriteArrayList<>();
    private final Object refreshing = new Object();
    private volatile Served served;

    private record Route(Upstream upstream, McpSchema.Tool tool, String action) {}

    /** What is served at one time: each upstream's tools as it listed them, and what follows from those. */
    private record Served(
            Map<Upstream, List<McpSchema.Tool>> listed,
            Map<String, Route> routes,
            List<McpSchema.Tool> tools,
            Map<String, McpToolPolicy.ServedTool> byAction) {}

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
        this.pins = requireNonNull(pins, "pins is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.sensitive = config.sensitive();
        this.elicitation = config.elicitation();
        this.baseUrl = requireNonNull(baseUrl, "baseUrl is null");
        this.prefixed = upstreams.size() > 1;
        Map<Upstream, List<McpSchema.Tool>> listed = new LinkedHashMap<>();
        for (Upstream upstream : upstreams) {
            listed.put(upstream, firstListing(upstream));
        }
        this.served = serve(listed);
        this.offers = new UpstreamOffers(upstreams, prefixed);
        Map<Upstream, UpstreamSubscriptions> watched = new HashMap<>();
        upstreams.forEach(upstream -> watched.put(upstream, new UpstreamSubscriptions(upstream)));
        this.subscriptions = Map.copyOf(watched);
        // One upstream's instructions as it wrote them; with several, each under its server's name (as its tools are
        // prefixed).
        List<String> parts = upstreams.stream()
                .flatMap(upstream -> upstream
                        .instructions()
                        .map(text ->
                                prefixed ? upstream.name() + " (tools " + upstream.name() + "__*):\n" + text : text)
                        .stream())
                .toList();
        this.instructions = parts.isEmpty() ? Optional.empty() : Optional.of(String.join("\n\n", parts));
        this.workflow = workflows.apply(
                new McpToolPolicy(policy, action -> served.byAction().get(action), pins, config));
        this.waits = new DecisionWait(workflow, longPolls, clock, PROGRESS_EVERY);
        this.held = new HeldRequests(dataDirectory, workflow);
        upstreams.forEach(upstream -> {
            upstream.onToolsChanged(() -> refresh(upstream));
            // Lost: its tools are unlisted (sessions are told) until it answers again; then they are
            // listed again and checked against their pins, as on any change.
            upstream.whenDown(why -> reserve());
            upstream.onRestarted(() -> refresh(upstream));
        });
        pins.onAccepted(this::reserve);
        // One that came up between its first listing and the listener's registration is listed now.
        upstreams.stream()
                .filter(upstream -> upstream.down().isEmpty()
                        && served.listed().getOrDefault(upstream, List.of()).isEmpty())
                .forEach(this::refresh);
    }

    /**
     * The tools of an upstream as the gateway starts: none while it is down (it did not start, or
     * died since); they are listed once it answers ({@link Upstream#onRestarted}).
     */
    private List<McpSchema.Tool> firstListing(Upstream upstream) {
        if (upstream.down().isPresent()) {
            return List.of();
        }
        List<McpSchema.Tool> tools;
        try {
            tools = upstream.tools();
        } catch (RuntimeException e) {
            LOG.warn("mcp upstream={} could not list its tools at start: {}", upstream.name(), e.getMessage());
            return List.of();
        }
        tools.forEach(tool -> pins.see(upstream.name(), tool));
        return tools;
    }

    private Served serve(Map<Upstream, List<McpSchema.Tool>> listed) {
        Map<String, Route> byName = new LinkedHashMap<>();
        Map<String, McpToolPolicy.ServedTool> byAction = new HashMap<>();
        List<McpSchema.Tool> exposed = new ArrayList<>();
        listed.forEach((upstream, tools) -> {
            Map<String, String> segments = new HashMap<>();
            for (McpSchema.Tool tool : tools) {
                String action = ToolNames.actionName(upstream.name(), tool.name());
                String clash = segments.putIfAbsent(action, tool.name());
                if (clash != null) {
                    LOG.warn(
                            "mcp upstream={} tool '{}' maps to action {} like tool '{}'; not serving it",
                            upstream.name(),
                            tool.name(),
                            action,
                            clash);
                    continue;
                }
                String name = ToolNames.exposed(upstream.name(), tool.name(), prefixed);
                byName.put(name, new Route(upstream, tool, action));
                byAction.put(action, new McpToolPolicy.ServedTool(upstream.name(), tool));
                if (upstream.down().isPresent()) {
                    // Not listed while it is being started again; a call to it says why (see call).
                    continue;
                }
                exposed.add(exposed(name, tool, pins.servedDefinition(upstream.name(), tool)));
            }
        });
        return new Served(
                Collections.unmodifiableMap(new LinkedHashMap<>(listed)),
                Map.copyOf(byName),
                List.copyOf(exposed),
                Map.copyOf(byAction));
    }

    /**
     * The definition agents see: as the upstream wrote it, under the name agents call it by;
     * while a change waits for an admin, the pinned definition ({@link ToolPinning#servedDefinition}).
     */
    private static McpSchema.Tool exposed(String name, McpSchema.Tool listed, McpSchema.Tool shown) {
        Optional<ObjectNode> json = Verbatim.of(listed);
        McpSchema.Tool typed = new McpSchema.Tool(
                name,
                shown.title(),
                shown.description(),
                shown.inputSchema(),
                shown.outputSchema(),
                shown.annotations(),
                Verbatim.without(listed.meta()),
                listed.icons());
        if (shown != listed || json.isEmpty()) {
            return typed;
        }
        ObjectNode renamed = json.get().deepCopy();
        // In place: the key keeps its position.
        renamed.put("name", name);
        return Verbatim.with(typed, renamed);
    }

    /**
     * {@code upstream} said its tools changed: lists them again, checks each against its pin (a
     * changed definition goes to the audit log and holds the tool's calls until an admin accepts
     * it), serves the new list and tells the protocol side. If the upstream can't be listed, what
     * was served stays.
     */
    void refresh(Upstream upstream) {
        synchronized (refreshing) {
            List<McpSchema.Tool> tools;
            try {
                tools = upstream.tools();
            } catch (RuntimeException e) {
                LOG.warn(
                        "mcp upstream={} said its tools changed, but listing them failed; serving the tools listed before: {}",
                        upstream.name(),
                        e.getMessage());
                return;
            }
            tools.forEach(tool -> pins.see(upstream.name(), tool));
            Map<Upstream, List<McpSchema.Tool>> listed = new LinkedHashMap<>(served.listed());
            listed.put(upstream, tools);
            publish(serve(listed));
            LOG.info(
                    "mcp upstream={} changed its tools; serving {} tool(s) now",
                    upstream.name(),
                    served.tools().size());
        }
    }

    /** An admin accepted a changed tool: agents now see its new definition. */
    private void reserve() {
        synchronized (refreshing) {
            publish(serve(served.listed()));
        }
    }

    private void publish(Served next) {
        served = next;
        for (Consumer<List<McpSchema.Tool>> listener : toolListeners) {
            try {
                listener.accept(next.tools());
            } catch (RuntimeException e) {
                // One session that can't be told (gone, say) must not keep the others from hearing it.
                LOG.warn("mcp: telling a session of the changed tools failed: {}", e.getMessage());
            }
        }
    }

    @Override
    public Subscription onToolsChanged(Consumer<List<McpSchema.Tool>> listener) {
        requireNonNull(listener, "listener is null");
        toolListeners.add(listener);
        return () -> toolListeners.remove(listener);
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
        return gated(
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
                result -> recorded(server, result));
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
        return gated(
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
                result -> recorded(server, result));
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
        return gated(
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
        Map<String, Route> routes = served.routes();
        Route route = routes.get(tool);
        if (route == null) {
            return error("unknown tool '" + tool + "'; this gateway serves "
                    + routes.keySet().stream().sorted().toList());
        }
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
        return gated(
                agent,
                route.upstream(),
                action,
                "tool " + route.tool().name(),
                waiting,
                McpGateway::error,
                () -> route.upstream()
                        .call(new McpSchema.CallToolRequest(route.tool().name(), args)),
                result -> Boolean.TRUE.equals(result.isError()),
                result -> recorded(route.upstream().name(), result));
    }

    /**
     * The seam's steps for one request of an agent's: decides {@code action} (holding it for a
     * human where the policy asks), runs {@code run} upstream only once it is allowed or approved
     * and its agent still waits, and records the outcome with the grant. Every refusal and failure
     * is {@code refused} applied to the reason: an {@code isError} result for a tool, an error for a read.
     */
    private <R> R gated(
            Agent agent,
            Upstream upstream,
            Action action,
            String what,
            Waiting waiting,
            Function<String, R> refused,
            Supplier<R> run,
            java.util.function.Predicate<R> failed,
            Function<R, String> describe) {
        ApprovalRequest request;
        try {
            request = workflow.submit(agent, action, Optional.empty());
            if (request.status() == RequestStatus.PENDING) {
                request = awaitDecision(request, upstream, waiting);
            }
        } catch (WorkflowException e) {
            return refused.apply("Countersign refused " + action.action() + ": " + e.getMessage());
        } catch (StoreUnavailableException e) {
            // The database went away after the call was authenticated: say so, as /v1 does with a 503 (the driver's
            // message, which names hosts, stays in the log).
            LOG.warn("mcp agent={} {}: the store is unavailable: {}", agent.name(), what, e.getMessage());
            return refused.apply("Countersign can't reach its database right now; " + what
                    + " was not run; try again in a few seconds");
        }
        LOG.debug(
                "mcp agent={} {} action={} request={} status={}",
                agent.name(),
                what,
                action.action(),
                request.id(),
                request.status().wireName());
        if (request.status() != RequestStatus.APPROVED) {
            return refused.apply(refusal(request));
        }
        Optional<String> grant = workflow.grantToken(request);
        if (grant.isEmpty()) {
            return refused.apply("Countersign approved request " + request.id()
                    + " but its grant is no longer usable (expired before the call)");
        }
        Optional<String> gone = waiting.gone();
        if (gone.isPresent()) {
            // Approved just as the agent went: it is not run now that nobody waits for it; the grant is used up.
            String why = "not run: " + gone.get();
            report(agent, request, action, grant.get(), Execution.Outcome.FAILED, () -> why);
            return refused.apply("Countersign: " + action.action() + " (request " + request.id() + ") " + why);
        }
        R result;
        try {
            result = run.get();
        } catch (Upstream.Failure e) {
            String why = e.getMessage() + " (" + what + ")";
            LOG.warn("mcp request={} {}", request.id(), why);
            report(agent, request, action, grant.get(), Execution.Outcome.FAILED, () -> why);
            return refused.apply(why);
        } catch (RuntimeException e) {
            String why = "upstream '" + upstream.name() + "' failed on " + what + ": " + e.getMessage();
            LOG.warn("mcp request={} {}", request.id(), why);
            report(agent, request, action, grant.get(), Execution.Outcome.FAILED, () -> why);
            return refused.apply(why);
        }
        Execution.Outcome outcome = failed.test(result) ? Execution.Outcome.FAILED : Execution.Outcome.SUCCEEDED;
        report(agent, request, action, grant.get(), outcome, () -> describe.apply(result));
        return result;
    }

    private ApprovalRequest awaitDecision(ApprovalRequest pending, Upstream upstream, Waiting waiting) {
        String id = pending.id().value();
        // Held only while someone waits for it: once the agent is gone, the request is cancelled, so no
        // human approves a call that would never run, or would run when nobody waits for it (invariant 9).
        held.holding(pending.id());
        Subscription gone = waiting.whenGone(
                why -> abandon(pending, why + "; nothing waits for this call any more, so it can't be approved"));
        // The upstream is lost while the call is held: the agent hears so now, not after the approval, and
        // the request goes with its answer (a call the agent was told failed must not run later).
        Subscription lost = upstream.whenDown(why -> abandon(
                pending,
                why + " while the call was held for approval; the agent was answered with an error, so it can't be"
                        + " approved"));
        if (elicitation) {
            waiting.heldForApproval(
                    id,
                    baseUrl.get() + "/console/requests/" + id,
                    "Countersign holds " + pending.action().action() + " for approval (request " + id + "): "
                            + pending.decision().reason()
                            + ". Open the page to see the request and who may approve it.");
        }
        try {
            return waits.await(
                    pending,
                    pending.expiresAt().orElseThrow().plus(EXPIRY_GRACE),
                    (step, request) -> waiting.progress(
                            step,
                            (step == 0 ? "waiting" : "still waiting") + " for approval of "
                                    + request.action().action() + " (request " + request.id() + ")"));
        } finally {
            gone.close();
            lost.close();
            held.released(pending.id());
            if (elicitation) {
                waiting.settled(id);
            }
        }
    }

    private void abandon(ApprovalRequest pending, String why) {
        try {
            ApprovalRequest after = workflow.abandon(pending.id(), why);
            LOG.info("mcp request={} {}: {}", pending.id(), after.status().wireName(), why);
        } catch (RuntimeException e) {
            LOG.warn(
                    "mcp request={} could not be cancelled after its agent went ({}): {}",
                    pending.id(),
                    why,
                    e.getMessage());
        }
    }

    /** Cancels the requests held by gateway processes that died on this data folder; returns how many. */
    int sweepDeadProcesses() {
        return held.sweepDeadProcesses();
    }

    /**
     * Consumes the grant and records the outcome (serializing the result for the record, too) off
     * the agent's path: the decision was durable
     * before the call was forwarded (invariant 1); the execution record follows within
     * milliseconds, and {@link #close} waits for the ones still on their way.
     */
    private void report(
            Agent agent,
            ApprovalRequest request,
            Action action,
            String grant,
            Execution.Outcome outcome,
            Supplier<String> detail) {
        reports.execute(() -> {
            try {
                workflow.reportExecution(
                        agent, request.id(), grant, Optional.of(action), outcome, Optional.of(detail.get()));
            } catch (RuntimeException e) {
                // The call already ran; the agent has its result. The failure to record is an operator's problem.
                LOG.error("mcp request={} ran but its execution could not be recorded", request.id(), e);
            }
        });
    }

    /** Waits (up to 10 s) for execution records still being written. */
    void close() {
        reports.shutdown();
        try {
            if (!reports.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("mcp: execution records still pending at shutdown were dropped");
                reports.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The result as the audit log keeps it: the JSON, or {@code sha256:<hex> size:<n>} where it is sensitive or large. */
    private String recorded(String server, Object result) {
        String json;
        try {
            json = Verbatim.of(result)
                    .map(mapper::writeValueAsString)
                    .orElseGet(() -> mapper.writeValueAsString(result));
        } catch (RuntimeException e) {
            json = String.valueOf(result);
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        if (!sensitive.contains(server) && json.length() <= MAX_RECORDED_RESULT_CHARS) {
            return json;
        }
        return "sha256:" + sha256(bytes) + " size:" + bytes.length;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static String refusal(ApprovalRequest request) {
        String action = request.action().action();
        return switch (request.status()) {
            case DENIED ->
                "Countersign denied " + action + " (request " + request.id() + "): "
                        + request.votes().stream()
                                .filter(vote -> vote.choice() == io.countersign.workflow.Vote.Choice.DENY)
                                .findFirst()
                                .map(vote -> "denied by " + vote.voter()
                                        + vote.comment().map(c -> ": " + c).orElse(""))
                                .or(request::resolution)
                                .orElse(request.decision().reason())
                        + (request.decision().rules().isEmpty()
                                ? ""
                                : " [rule "
                                        + String.join(", ", request.decision().rules()) + "]");
            case EXPIRED -> "Countersign: nobody approved " + action + " in time; request " + request.id() + " expired";
            case CANCELLED ->
                "Countersign: request " + request.id() + " for " + action + " was cancelled"
                        + request.resolution().map(why -> ": " + why).orElse("");
            case PENDING ->
                "Countersign: " + action + " is still waiting for approval (request " + request.id()
                        + "); the gateway stopped waiting";
            default ->
                "Countersign: request " + request.id() + " for " + action + " is "
                        + request.status().wireName();
        };
    }

    static McpSchema.CallToolResult error(String message) {
        return McpSchema.CallToolResult.builder()
                .addTextContent(message)
                .isError(true)
                .build();
    }
}
