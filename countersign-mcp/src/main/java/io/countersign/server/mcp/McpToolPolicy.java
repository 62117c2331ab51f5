package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.PolicyEngine;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The policy as the MCP gateway applies it to tool calls: the configured policy first; then, where
 * no rule matched (the policy's {@code default} decided), the tool's own annotations: a
 * {@code readOnlyHint: true} tool is allowed, a {@code destructiveHint: true} one needs approval
 * by {@code mcp.approval} (denied when none is configured), any other keeps the default. Only
 * hints the upstream states count (the spec's implied {@code destructiveHint: true} for tools
 * without annotations does not). Last, a tool whose definition changed since it was pinned is
 * denied, or needs approval on top of what the policy asked ({@code mcp.pinning}), until an admin
 * accepts it; a denial stays a denial. The decision's reason says which of these decided.
 *
 * <p>Annotations come from the upstream and could say anything; they only fill the gap the
 * policy leaves, any matching rule wins, and pinning holds them to what an admin saw.
 */
final class McpToolPolicy implements PolicyEngine {
    static final String DESTRUCTIVE_RULE = "mcp:destructiveHint";
    static final String PINNING_RULE = "mcp:pinning";
    private static final java.util.regex.Pattern OFFERED = java.util.regex.Pattern.compile(
            "mcp\\.([A-Za-z0-9_-]+)\\.(resources\\.read|resources\\.subscribe|prompts\\.get)");

    /** A served tool as its upstream defines it. */
    record ServedTool(String server, McpSchema.Tool tool) {
        ServedTool {
            requireNonNull(server, "server is null");
            requireNonNull(tool, "tool is null");
        }
    }

    private final PolicyEngine policy;
    private final Function<String, ServedTool> servedByAction;
    private final ToolPinning pins;
    private final McpConfig config;

    /** {@code servedByAction}: the tool served as an action name, or null; asked on every decision, since upstreams change their tools. */
    McpToolPolicy(
            PolicyEngine policy, Function<String, ServedTool> servedByAction, ToolPinning pins, McpConfig config) {
        this.policy = requireNonNull(policy, "policy is null");
        this.servedByAction = requireNonNull(servedByAction, "servedByAction is null");
        this.pins = requireNonNull(pins, "pins is null");
        this.config = requireNonNull(config, "config is null");
    }

    @Override
    public Decision decide(DecisionInput input) {
        Decision decision = policy.decide(input);
        if (decision.rules().isEmpty() && offeredToRead(input.action())) {
            return new Decision(
                    Effect.ALLOW,
                    List.of(),
                    "no rule matched " + input.action().action()
                            + "; what an upstream offers to read (its resources, their updates, its prompts) is allowed"
                            + " unless a rule"
                            + " says otherwise",
                    decision.policyVersion(),
                    List.of());
        }
        ServedTool served = servedByAction.apply(input.action().action());
        if (served == null || !served.server().equals(input.action().resource())) {
            return decision;
        }
        if (decision.rules().isEmpty() && config.annotationDefaults()) {
            decision = byAnnotation(
                    decision, input.action().action(), served.tool().annotations());
        }
        Optional<ToolPinning.Change> change =
                pins.changed(served.server(), served.tool().name());
        return change.isPresent() ? pinned(decision, change.get()) : decision;
    }

    /**
     * {@code mcp.<server>.resources.read}, {@code .resources.subscribe} or {@code .prompts.get} of a
     * configured server, on its resources.
     */
    private boolean offeredToRead(io.countersign.action.Action action) {
        java.util.regex.Matcher offered = OFFERED.matcher(action.action());
        if (!offered.matches() || !config.servers().containsKey(offered.group(1))) {
            return false;
        }
        String server = offered.group(1);
        return action.resource().equals(server) || action.resource().startsWith(server + "/");
    }

    private Decision byAnnotation(Decision byDefault, String action, McpSchema.ToolAnnotations hints) {
        if (hints == null) {
            return byDefault;
        }
        String noRule = "no rule matched " + action + "; ";
        if (Boolean.TRUE.equals(hints.readOnlyHint())) {
            return new Decision(
                    Effect.ALLOW,
                    List.of(),
                    noRule + "the tool is annotated readOnlyHint: true, so the MCP annotation default allows it",
                    byDefault.policyVersion(),
                    List.of());
        }
        if (Boolean.TRUE.equals(hints.destructiveHint())) {
            return config.approval()
                    .map(approval -> new Decision(
                            Effect.REQUIRE_APPROVAL,
                            List.of(),
                            noRule + "the tool is annotated destructiveHint: true,"
                                    + " so the MCP annotation default requires approval by "
                                    + approval.groups().stream().sorted().toList(),
                            byDefault.policyVersion(),
                            List.of(requirement(DESTRUCTIVE_RULE, approval))))
                    .orElseGet(() -> new Decision(
                            Effect.DENY,
                            List.of(),
                            noRule + "the tool is annotated destructiveHint: true, which needs"
                                    + " approval, but mcp.approval names no approvers; denied",
                            byDefault.policyVersion(),
                            List.of()));
        }
        return byDefault;
    }

    private Decision pinned(Decision decision, ToolPinning.Change change) {
        if (decision.effect() == Effect.DENY) {
            return decision;
        }
        String why = "the definition of tool '" + change.tool() + "' on '" + change.server()
                + "' changed since it was pinned (sha256 " + change.pinned() + ", now " + change.presented()
                + "); until an admin accepts it (" + change.name() + ") its calls ";
        if (config.pinning() == McpConfig.Pinning.DENY) {
            return new Decision(Effect.DENY, decision.rules(), why + "are denied", decision.policyVersion(), List.of());
        }
        McpConfig.Approval approval = config.approval()
                .orElseThrow(() -> new IllegalStateException("mcp.pinning require_approval without mcp.approval"));
        List<ApprovalRequirement> approvals = new ArrayList<>(decision.approvals());
        approvals.add(requirement(PINNING_RULE, approval));
        return new Decision(
                Effect.REQUIRE_APPROVAL,
                decision.rules(),
                why + "need approval by " + approval.groups().stream().sorted().toList() + "; the policy said: "
                        + decision.reason(),
                decision.policyVersion(),
                approvals);
    }

    private static ApprovalRequirement requirement(String rule, McpConfig.Approval approval) {
        return new ApprovalRequirement(rule, approval.groups(), approval.quorum(), approval.timeout());
    }

    @Override
    public String version() {
        return policy.version();
    }

    /** The policy's circuit breakers hold tool calls too. */
    @Override
    public java.util.List<io.countersign.policy.Breaker> breakers() {
        return policy.breakers();
    }
}
