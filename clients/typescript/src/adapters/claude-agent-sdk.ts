import type { CanUseTool, HookCallback, PermissionResult } from "@anthropic-ai/claude-agent-sdk";
import type { Countersign } from "../client.js";
import { ActionNotAuthorized } from "../errors.js";
import type { ActionSubmission, Grant } from "../types.js";
import { refusal } from "./tool-call.js";

export interface ClaudePermissionsOptions {
  /** The Countersign action for a tool call; undefined: not privileged, allowed without asking. */
  actionFor: (toolName: string, input: Record<string, unknown>) => Omit<ActionSubmission, "idempotencyKey"> | undefined;
  /** How long a call waits for a human. Default 10 minutes. */
  timeoutMs?: number;
}

/**
 * The Claude Agent SDK's `canUseTool` callback, backed by Countersign, and a `PostToolUse` hook
 * that reports each approved call's outcome with its grant.
 *
 * `canUseTool` asks Countersign and waits for the decision: approved, the call is allowed with its
 * input unchanged (exactly what was approved); anything else is a deny with Countersign's reason,
 * so the tool never runs. Pass both to `query({options: {canUseTool, hooks: {PostToolUse: [{hooks: [postToolUse]}]}}})`.
 */
export function countersignPermissions(countersign: Countersign, options: ClaudePermissionsOptions): { canUseTool: CanUseTool; postToolUse: HookCallback } {
  const grants = new Map<string, Grant>();
  const canUseTool: CanUseTool = async (toolName, input, context): Promise<PermissionResult> => {
    const action = options.actionFor(toolName, input);
    if (!action) return { behavior: "allow", updatedInput: input };
    const toolUseId = (context as { toolUseID?: string }).toolUseID;
    try {
      const grant = await countersign.authorize({ ...action, idempotencyKey: toolUseId ? `claude-agent-sdk:${toolUseId}` : undefined },
        { timeoutMs: options.timeoutMs });
      if (toolUseId) grants.set(toolUseId, grant);
      return { behavior: "allow", updatedInput: input };
    } catch (error) {
      if (error instanceof ActionNotAuthorized) return { behavior: "deny", message: refusal(error) };
      return { behavior: "deny", message: `Countersign could not be asked, so the call is refused: ${(error as Error).message}` };
    }
  };
  const postToolUse: HookCallback = async (input, toolUseId) => {
    const grant = toolUseId ? grants.get(toolUseId) : undefined;
    if (grant && toolUseId) {
      grants.delete(toolUseId);
      const failed = typeof (input as { tool_response?: { is_error?: boolean } }).tool_response === "object"
        && (input as { tool_response: { is_error?: boolean } }).tool_response.is_error === true;
      await countersign.reportExecution(grant, failed ? "failed" : "succeeded");
    }
    return { continue: true };
  };
  return { canUseTool, postToolUse };
}
