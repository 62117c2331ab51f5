package io.countersign.server.hooks;

import static java.util.Objects.requireNonNull;

import io.countersign.server.actions.LongPolls;
import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.Authentication;
import io.countersign.server.http.WireText;
import io.countersign.server.mcp.DecisionWait;
import io.countersign.workflow.Workflow;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /integrations/claude-code/pre-tool-use}: Claude Code's http hook, for agents (the
 * hook sends the agent's API key as a bearer token). Takes the PreToolUse hook JSON and answers
 * {@code {hookSpecificOutput: {hookEventName: "PreToolUse", permissionDecision, permissionDecisionReason}}}.
 * Fields Claude Code adds over time are ignored; only {@code tool_name} is required.
 * {@code ?wait=50s} (or {@code 10m}, {@code 500ms}) bounds how long a call waits for a human (at most 10 minutes).
 */
public final class ClaudeCodeRoutes {
    public static final String PATH = "/integrations/claude-code/pre-tool-use";

    private final ClaudeCodeHooks hooks;
    private final JsonMapper mapper;

    public ClaudeCodeRoutes(ClaudeCodeHooks hooks, JsonMapper mapper) {
        this.hooks = requireNonNull(hooks, "hooks is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    /** The routes, wired for the composition root. */
    public static Consumer<RoutesConfig> create(
            Workflow workflow, LongPolls longPolls, Clock clock, JsonMapper mapper) {
        return new ClaudeCodeRoutes(
                new ClaudeCodeHooks(
                        workflow, new DecisionWait(workflow, longPolls, clock, Duration.ofSeconds(5)), clock),
                mapper)::register;
    }

    public void register(RoutesConfig routes) {
        routes.post(PATH, this::preToolUse, Access.AGENT);
    }

    private void preToolUse(Context ctx) {
        ClaudeCodeHooks.PreToolUse input = parse(mapper, ctx.body());
        HookDecision decision = hooks.decide(Authentication.agent(ctx), input, waitOf(ctx.queryParam("wait")));
        ctx.contentType("application/json").result(render(mapper, decision));
    }

    /** The hook's answer, exactly as Claude Code reads it from an http hook's body or a command hook's stdout. */
    public static String render(JsonMapper mapper, HookDecision decision) {
        ObjectNode body = mapper.createObjectNode();
        ObjectNode output = body.putObject("hookSpecificOutput");
        output.put("hookEventName", "PreToolUse");
        output.put("permissionDecision", decision.permission().wireName());
        output.put("permissionDecisionReason", decision.reason());
        return mapper.writeValueAsString(body);
    }

    static ClaudeCodeHooks.PreToolUse parse(JsonMapper mapper, String body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JacksonException e) {
            throw ApiProblem.badRequest("the body is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiProblem.badRequest("the body must be the PreToolUse hook JSON object");
        }
        WireText.requireAll(root);
        JsonNode event = root.get("hook_event_name");
        if (event != null && !"PreToolUse".equals(event.asString())) {
            throw ApiProblem.badRequest(
                    "field 'hook_event_name': this endpoint takes PreToolUse, got '" + event.asString() + "'");
        }
        JsonNode tool = root.get("tool_name");
        if (tool == null || !tool.isString() || tool.asString().isBlank()) {
            throw ApiProblem.badRequest("field 'tool_name': required, a non-empty string");
        }
        JsonNode toolInput = root.get("tool_input");
        if (toolInput != null && !toolInput.isNull() && !toolInput.isObject()) {
            throw ApiProblem.badRequest("field 'tool_input': must be an object");
        }
        ObjectNode params = toolInput instanceof ObjectNode object ? object : mapper.createObjectNode();
        return new ClaudeCodeHooks.PreToolUse(tool.asString(), params, text(root, "session_id"), text(root, "cwd"));
    }

    private static Optional<String> text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        return value != null && value.isString() && !value.asString().isBlank()
                ? Optional.of(value.asString())
                : Optional.empty();
    }

    static Duration waitOf(@Nullable String raw) {
        if (raw == null || raw.isEmpty()) {
            return ClaudeCodeHooks.DEFAULT_WAIT;
        }
        if (!raw.matches("\\d{1,6}(ms|s|m)?")) {
            throw ApiProblem.badRequest("wait must look like 50s, 10m or 500ms, got '" + raw + "'");
        }
        Duration wait;
        if (raw.endsWith("ms")) {
            wait = Duration.ofMillis(Long.parseLong(raw.substring(0, raw.length() - 2)));
        } else if (raw.endsWith("m")) {
            wait = Duration.ofMinutes(Long.parseLong(raw.substring(0, raw.length() - 1)));
        } else {
            wait = Duration.ofSeconds(Long.parseLong(raw.replace("s", "")));
        }
        return wait.compareTo(ClaudeCodeHooks.MAX_WAIT) > 0 ? ClaudeCodeHooks.MAX_WAIT : wait;
    }
}
