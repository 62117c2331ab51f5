package io.countersign.server.actions;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.identity.PersonName;
import io.countersign.identity.Principal;
import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.Authentication;
import io.countersign.server.http.WireObject;
import io.countersign.server.identity.Caller;
import io.countersign.server.identity.Delegations;
import io.countersign.server.metrics.GatewayMetrics;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Execution;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.Voter;
import io.countersign.workflow.Workflow;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The /v1/actions, /v1/approvals and /v1/decisions routes: parse, call the workflow once, render. */
public final class ActionRoutes {
    private static final Set<String> ACTION_FIELDS =
            Set.of("action", "resource", "params", "reason", "onBehalfOf", "idempotencyKey");
    private static final Set<String> SIMULATE_FIELDS =
            Set.of("action", "resource", "params", "reason", "onBehalfOf", "agent");
    private static final Duration MAX_WAIT = Duration.ofSeconds(60);
    private static final String CHANNEL = "api";

    private final Workflow workflow;
    private final LongPolls longPolls;
    private final RequestJson json;
    private final JsonMapper mapper;
    private final GatewayMetrics metrics;
    private final Delegations delegations;
    /** The long-polls being held, each with the request as it was when it started waiting. */
    private final Map<CompletableFuture<ApprovalRequest>, ApprovalRequest> held = new ConcurrentHashMap<>();

    public ActionRoutes(
            Workflow workflow,
            LongPolls longPolls,
            RequestJson json,
            JsonMapper mapper,
            GatewayMetrics metrics,
            Delegations delegations) {
        this.delegations = requireNonNull(delegations, "delegations is null");
        this.workflow = requireNonNull(workflow, "workflow is null");
        this.longPolls = requireNonNull(longPolls, "longPolls is null");
        this.json = requireNonNull(json, "json is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/actions", this::submit, Access.AGENT);
        routes.get("/v1/actions/{id}", this::read, Access.AGENT, Access.HUMAN);
        routes.post("/v1/actions/{id}/approve", this::approve, Access.HUMAN);
        routes.post("/v1/actions/{id}/deny", this::deny, Access.HUMAN);
        routes.post("/v1/actions/{id}/review", this::acknowledgeReview, Access.HUMAN);
        routes.post("/v1/actions/{id}/cancel", this::cancel, Access.AGENT);
        routes.post("/v1/actions/{id}/execution", this::execution, Access.AGENT);
        routes.get("/v1/approvals", this::inbox, Access.HUMAN);
        routes.post("/v1/decisions/simulate", this::simulate, Access.AGENT, Access.HUMAN);
    }

    private void submit(Context ctx) {
        Agent agent = Authentication.agent(ctx);
        Caller caller = Authentication.caller(ctx);
        Duration wait = waitOf(ctx);
        WireObject body = WireObject.parse(mapper, ctx.bodyAsBytes(), ACTION_FIELDS, false);
        Action action = actionOf(body, true);
        Optional<String> key = body.optionalString("idempotencyKey");
        key.filter(k -> k.isBlank() || k.length() > 128).ifPresent(k -> {
            throw ApiProblem.badRequest("idempotencyKey must have 1 to 128 characters");
        });
        Delegations.Backing backing;
        try {
            backing = delegations.of(
                    agent,
                    caller.clientId(),
                    action,
                    Optional.ofNullable(ctx.header(Delegations.HEADER)).filter(t -> !t.isBlank()));
        } catch (Delegations.Refused e) {
            throw new ApiProblem(
                    422,
                    "delegation-refused",
                    "The on-behalf-of token does not prove the delegation",
                    java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
        long started = System.nanoTime();
        ApprovalRequest request =
                workflow.submit(agent, action, key, caller.scopes(), backing.delegation(), backing.verified());
        metrics.decided(request.decision().effect(), System.nanoTime() - started);
        respond(ctx, request, agent, wait);
    }

    private void read(Context ctx) {
        Principal viewer = Authentication.principal(ctx);
        Duration wait = waitOf(ctx);
        ApprovalRequest request = find(ctx);
        if (viewer instanceof Agent agent
                && !agent.name().equals(request.agent().name())) {
            throw ApiProblem.notFound(
                    "no request " + request.id()); // another agent's request does not exist for this one
        }
        respond(ctx, request, viewer, wait);
    }

    /** Answers now, or, for a pending request with a wait, once it is decided or the wait ends. */
    private void respond(Context ctx, ApprovalRequest request, Principal viewer, Duration wait) {
        if (!request.isPending() || wait.isZero()) {
            send(ctx, request, viewer);
            return;
        }
        CompletableFuture<ApprovalRequest> decided = longPolls.awaitDecision(request.id());
        // Read again now that we listen: a decision that landed in between would otherwise be missed.
        ApprovalRequest current = workflow.find(request.id()).orElse(request);
        if (!current.isPending()) {
            longPolls.forget(request.id(), decided);
            send(ctx, current, viewer);
            return;
        }
        held.put(decided, current);
        ctx.future(() -> decided.completeOnTimeout(current, wait.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((result, error) -> {
                    held.remove(decided);
                    longPolls.forget(request.id(), decided);
                })
                .thenAccept(result -> send(ctx, workflow.find(result.id()).orElse(result), viewer)));
    }

    /**
     * Answers every held long-poll now, with its request as it is (still pending), so that a
     * stopping gateway gives its waiting agents a 202 to poll again, elsewhere or after the
     * restart, rather than a broken or failed answer.
     */
    public void releaseLongPolls() {
        held.forEach((future, current) -> future.complete(current));
    }

    private void send(Context ctx, ApprovalRequest request, Principal viewer) {
        ctx.status(request.isPending() ? 202 : 200).json(json.render(request, viewer));
    }

    private void approve(Context ctx) {
        Human human = Authentication.human(ctx);
        RequestId id = idOf(ctx);
        WireObject body = WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of("comment", "breakGlass", "reason"), true);
        Optional<String> breakGlassReason = Optional.empty();
        if (body.optionalBoolean("breakGlass").orElse(false)) {
            breakGlassReason = Optional.of(body.optionalString("reason")
                    .filter(r -> !r.isBlank())
                    .orElseThrow(
                            () -> ApiProblem.badRequest("breakGlass needs a 'reason' saying what the emergency is")));
        } else if (body.optionalString("reason").isPresent()) {
            throw ApiProblem.badRequest("'reason' goes with breakGlass: true; use 'comment' for an ordinary approval");
        }
        Voter voter = new Voter(human, Authentication.caller(ctx).signedInAt(), breakGlassReason);
        ApprovalRequest request = workflow.approve(voter, id, body.optionalString("comment"), CHANNEL);
        send(ctx, request, human);
    }

    private void acknowledgeReview(Context ctx) {
        Human human = Authentication.human(ctx);
        RequestId id = idOf(ctx);
        WireObject body = WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of("comment"), true);
        send(ctx, workflow.acknowledgeBreakGlass(human, id, body.optionalString("comment")), human);
    }

    private void deny(Context ctx) {
        Human human = Authentication.human(ctx);
        RequestId id = idOf(ctx);
        WireObject body = WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of("comment"), false);
        ApprovalRequest request = workflow.deny(
                new Voter(human, Authentication.caller(ctx).signedInAt(), Optional.empty()),
                id,
                body.requiredString("comment"),
                CHANNEL);
        send(ctx, request, human);
    }

    private void cancel(Context ctx) {
        Agent agent = Authentication.agent(ctx);
        RequestId id = idOf(ctx);
        WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of(), true);
        send(ctx, workflow.cancel(agent, id), agent);
    }

    private void execution(Context ctx) {
        Agent agent = Authentication.agent(ctx);
        RequestId id = idOf(ctx);
        WireObject body =
                WireObject.parse(mapper, ctx.bodyAsBytes(), Set.of("grant", "outcome", "detail", "action"), false);
        String grant = body.requiredString("grant");
        Execution.Outcome outcome =
                parse("outcome", () -> Execution.Outcome.fromWireName(body.requiredString("outcome")));
        // Not checked again: it is compared with the stored action, which may predate the check.
        Optional<Action> executing = body.optionalObject("action")
                .map(node -> actionOf(
                        WireObject.parse(
                                mapper,
                                mapper.writeValueAsBytes(node),
                                Set.of("action", "resource", "params", "reason", "onBehalfOf"),
                                false),
                        false));
        Optional<String> detail = body.optionalString("detail").map(d -> d.length() > 4096 ? d.substring(0, 4096) : d);
        send(ctx, workflow.reportExecution(agent, id, grant, executing, outcome, detail), agent);
    }

    private void inbox(Context ctx) {
        Human human = Authentication.human(ctx);
        String status = Optional.ofNullable(ctx.queryParam("status")).orElse("pending");
        if (!status.equals("pending")) {
            throw ApiProblem.badRequest("the inbox lists status=pending only, got status=" + status);
        }
        ObjectNode body = mapper.createObjectNode();
        ArrayNode items = body.putArray("items");
        workflow.inbox(human).forEach(request -> items.add(json.render(request, human)));
        ctx.json(body);
    }

    private void simulate(Context ctx) {
        Principal caller = Authentication.principal(ctx);
        WireObject body = WireObject.parse(mapper, ctx.bodyAsBytes(), SIMULATE_FIELDS, false);
        Action action = actionOf(body, true);
        Agent agent =
                switch (caller) {
                    case Agent self -> {
                        if (body.optionalString("agent")
                                .filter(name -> !name.equals(self.name()))
                                .isPresent()) {
                            throw ApiProblem.forbidden("an agent may simulate only its own actions");
                        }
                        yield self;
                    }
                    case Human human -> Agent.named(body.requiredString("agent"));
                };
        ctx.json(json.decision(workflow.simulate(agent, action)));
    }

    private Action actionOf(WireObject body, boolean checkOnBehalfOf) {
        String name = body.requiredString("action");
        String resource = body.requiredString("resource");
        String reason = body.requiredString("reason");
        if (reason.isBlank()) {
            throw ApiProblem.badRequest("field 'reason' must say why the agent wants this");
        }
        ObjectNode params = body.optionalObject("params").orElseGet(Action::noParams);
        // Refused rather than trimmed: the workflow checks it again, but a refusal here comes before the delegation's
        // 422.
        // A blank one used to mean nobody; an execution report may still say so for a request stored then.
        Optional<String> onBehalfOf = body.optionalString("onBehalfOf")
                .filter(value -> checkOnBehalfOf ? !value.isEmpty() : !value.isBlank());
        onBehalfOf
                .filter(value -> checkOnBehalfOf)
                .ifPresent(value -> parse("onBehalfOf", () -> PersonName.parse(value)));
        if (checkOnBehalfOf) {
            requireAtMost("reason", reason.length(), MAX_REASON_CHARS, "characters");
            onBehalfOf.ifPresent(
                    value -> requireAtMost("onBehalfOf", value.length(), MAX_ON_BEHALF_OF_CHARS, "characters"));
            requireAtMost(
                    "params",
                    params.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                    MAX_PARAMS_BYTES,
                    "bytes of JSON");
        }
        return parse("action", () -> new Action(name, resource, params, reason, onBehalfOf));
    }

    /**
     * Limits on what an agent may send: a name is no longer than an email address with some room
     * (RFC 5321 allows 254), a reason is a paragraph, params are a request's arguments, not its data.
     * Beyond them the text is no one's name or reason, and every channel would have to cut it.
     */
    static final int MAX_ON_BEHALF_OF_CHARS = 320;

    static final int MAX_REASON_CHARS = 4_000;
    static final int MAX_PARAMS_BYTES = 32 * 1024;

    private static void requireAtMost(String field, int size, int max, String unit) {
        if (size > max) {
            throw ApiProblem.badRequest("field '" + field + "' has " + size + " " + unit + ", at most " + max);
        }
    }

    private ApprovalRequest find(Context ctx) {
        RequestId id = idOf(ctx);
        return workflow.find(id).orElseThrow(() -> ApiProblem.notFound("no request " + id));
    }

    private static RequestId idOf(Context ctx) {
        String raw = ctx.pathParam("id");
        if (!RequestId.isValid(raw)) {
            throw ApiProblem.notFound("no request '" + (raw.length() > 40 ? raw.substring(0, 40) + "..." : raw) + "'");
        }
        return new RequestId(raw);
    }

    static Duration waitOf(Context ctx) {
        String raw = ctx.queryParam("wait");
        if (raw == null || raw.isEmpty()) {
            return Duration.ZERO;
        }
        if (!raw.matches("\\d{1,6}(ms|s)?")) {
            throw ApiProblem.badRequest("wait must look like 30s or 500ms, got '" + raw + "'");
        }
        Duration wait = raw.endsWith("ms")
                ? Duration.ofMillis(Long.parseLong(raw.substring(0, raw.length() - 2)))
                : Duration.ofSeconds(Long.parseLong(raw.replace("s", "")));
        return wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
    }

    private static <T> T parse(String field, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("field '" + field + "': " + e.getMessage());
        }
    }
}
