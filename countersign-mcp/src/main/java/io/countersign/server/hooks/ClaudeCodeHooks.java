package io.countersign.server.hooks;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.server.mcp.DecisionWait;
import io.countersign.server.mcp.ToolNames;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.Vote;
import io.countersign.workflow.Workflow;
import io.countersign.workflow.WorkflowException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * Claude Code's PreToolUse hook as an action: {@code claude-code.<tool_name>} on resource
 * {@code claude-code/<cwd>}, with {@code tool_input} as params. Waits up to {@code wait} for a
 * human when the policy asks for one; still undecided then, it answers {@code ask} so the person at
 * the terminal decides (the request stays open in Countersign until it expires).
 */
public final class ClaudeCodeHooks {
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(50);
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private final Workflow workflow;
    private final DecisionWait waits;
    private final Clock clock;

    public ClaudeCodeHooks(Workflow workflow, DecisionWait waits, Clock clock) {
        this.workflow = requireNonNull(workflow, "workflow is null");
        this.waits = requireNonNull(waits, "waits is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The input fields this needs, read from the hook JSON by the route. */
    public record PreToolUse(String toolName, ObjectNode toolInput, Optional<String> sessionId, Optional<String> cwd) {
        public PreToolUse {
            requireNonNull(toolName, "toolName is null");
            requireNonNull(toolInput, "toolInput is null");
            requireNonNull(sessionId, "sessionId is null");
            requireNonNull(cwd, "cwd is null");
        }
    }

    public HookDecision decide(Agent agent, PreToolUse input, Duration wait) {
        Action action = new Action(
                "claude-code." + ToolNames.segment(input.toolName()),
                resource(input.cwd()),
                input.toolInput(),
                "Claude Code " + input.toolName()
                        + input.cwd().map(cwd -> " in " + cwd).orElse("")
                        + input.sessionId().map(id -> " (session " + id + ")").orElse(""),
                Optional.empty());
        ApprovalRequest request;
        try {
            request = workflow.submit(agent, action, Optional.empty());
            if (request.isPending()) {
                Instant until = clock.instant().plus(wait);
                request = waits.await(request, until, (step, pending) -> {});
            }
        } catch (WorkflowException e) {
            return new HookDecision(
                    HookDecision.Permission.DENY, "Countersign refused " + action.action() + ": " + e.getMessage());
        }
        String what = action.action() + " (request " + request.id() + ")";
        return switch (request.status()) {
            case APPROVED ->
                new HookDecision(
                        HookDecision.Permission.ALLOW,
                        (approvers(request).isEmpty()
                                        ? "Countersign allowed " + what
                                        : "Countersign: " + what + " approved by "
                                                + String.join(", ", approvers(request)))
                                + (request.decision().rules().isEmpty()
                                        ? ""
                                        : " (rule "
                                                + String.join(
                                                        ", ", request.decision().rules()) + ")"));
            case PENDING ->
                new HookDecision(
                        HookDecision.Permission.ASK,
                        "Countersign: " + what
                                + " is waiting for approval by "
                                + request.decision().approvals().stream()
                                        .flatMap(a -> a.groups().stream())
                                        .distinct()
                                        .toList()
                                + "; nobody decided within " + wait.toSeconds() + " s");
            case DENIED ->
                new HookDecision(HookDecision.Permission.DENY, "Countersign denied " + what + ": " + denial(request));
            case EXPIRED ->
                new HookDecision(
                        HookDecision.Permission.DENY, "Countersign: nobody approved " + what + " in time; it expired");
            default ->
                new HookDecision(
                        HookDecision.Permission.DENY,
                        "Countersign: " + what + " is " + request.status().wireName());
        };
    }

    /** The humans who approved, in order, with their comments: empty when the policy allowed it. */
    private static List<String> approvers(ApprovalRequest request) {
        return request.votes().stream()
                .filter(vote -> vote.choice() == Vote.Choice.APPROVE)
                .map(vote -> vote.voter()
                        + vote.comment()
                                .map(comment -> " (\"" + comment + "\")")
                                .orElse(""))
                .toList();
    }

    private static String denial(ApprovalRequest request) {
        return request.votes().stream()
                .filter(vote -> vote.choice() == Vote.Choice.DENY)
                .findFirst()
                .map(vote -> "denied by " + vote.voter()
                        + vote.comment().map(comment -> ": " + comment).orElse(""))
                .or(request::resolution)
                .orElse(request.decision().reason()
                        + (request.decision().rules().isEmpty()
                                ? ""
                                : " [rule "
                                        + String.join(", ", request.decision().rules()) + "]"));
    }

    /** {@code claude-code/<cwd>}, each character a resource can't hold replaced by {@code _}. */
    static String resource(Optional<String> cwd) {
        String path = cwd.map(dir -> dir.replaceAll("[^A-Za-z0-9_.:@=+/-]", "_")
                        .replaceAll("/+", "/")
                        .replaceAll("^/|/$", ""))
                .orElse("");
        return path.isEmpty() ? "claude-code" : "claude-code/" + path;
    }
}
