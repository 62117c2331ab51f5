import { tool, type Tool } from "ai";
import type { Countersign } from "../client.js";
import { actionFor, decide, runGuarded, type ActionSpec } from "./tool-call.js";
import type { ActionSubmission } from "../types.js";

type ToolDefinition = Tool<any, any>;

/** An approval request part, as generateText and streamText give them in `content`. */
interface ApprovalRequestPart {
  type: string;
  approvalId?: string;
  toolCall?: { toolCallId: string; toolName: string; input: unknown };
}

/**
 * Tools for the Vercel AI SDK that go through Countersign, in either of two ways:
 *
 * - `guardedTool`: `execute` asks Countersign, waits for a human when the policy holds the call,
 *   runs only with a grant and reports the outcome. A refusal is the tool's result, as text.
 * - `approvalTool` + `approvalResponses`: the AI SDK's own tool-approval flow. `needsApproval`
 *   asks Countersign (allowed or denied calls need no approval step); a held call comes back
 *   as a `tool-approval-request` part, and `approvalResponses(result)` waits for the humans'
 *   decision in Countersign and answers with the `tool-approval-response` message to send back.
 *   `execute` still runs only with the request's grant, and reports the outcome.
 */
export class CountersignAiTools {
  readonly #countersign: Countersign;
  readonly #calls = new Map<string, ActionSubmission>();
  readonly #timeoutMs: number | undefined;

  constructor(countersign: Countersign, options: { timeoutMs?: number } = {}) {
    this.#countersign = countersign;
    this.#timeoutMs = options.timeoutMs;
  }

  guardedTool(spec: ActionSpec, definition: ToolDefinition, name = "tool"): Tool<any, any> {
    const execute = (definition as unknown as { execute: (input: any, options: any) => unknown }).execute;
    return tool({
      ...definition,
      execute: async (input: unknown, options: { toolCallId: string }) =>
        runGuarded(this.#countersign, this.#submission(spec, name, input, options.toolCallId), spec.timeoutMs ?? this.#timeoutMs,
          () => execute(input, options)),
    } as unknown as ToolDefinition);
  }

  approvalTool(spec: ActionSpec, definition: ToolDefinition, name = "tool"): Tool<any, any> {
    const execute = (definition as unknown as { execute: (input: any, options: any) => unknown }).execute;
    return tool({
      ...definition,
      needsApproval: async (input: unknown, options: { toolCallId: string }) => {
        const status = await this.#countersign.request(this.#submission(spec, name, input, options.toolCallId));
        // Held for a human by the policy, before and after the human decided: the SDK asks again
        // when it resumes, and a "no" then would turn the human's approval into a denial.
        return status.decision.effect === "require_approval";
      },
      execute: async (input: unknown, options: { toolCallId: string }) =>
        runGuarded(this.#countersign, this.#submission(spec, name, input, options.toolCallId), spec.timeoutMs ?? this.#timeoutMs,
          () => execute(input, options)),
    } as unknown as ToolDefinition);
  }

  /** The `tool` message that answers every approval request of ours in `result.content` with Countersign's decision. */
  async approvalResponses(result: { content: ApprovalRequestPart[] }): Promise<{ role: "tool"; content: any[] }> {
    const content: any[] = [];
    for (const part of result.content) {
      if (part.type !== "tool-approval-request" || !part.toolCall || !part.approvalId) continue;
      const submission = this.#calls.get(part.toolCall.toolCallId);
      if (!submission) continue;
      const status = await decide(this.#countersign, submission, this.#timeoutMs);
      const approved = status.status === "approved";
      content.push({
        type: "tool-approval-response",
        approvalId: part.approvalId,
        approved,
        reason: approved ? `approved in Countersign (${status.id})` : `Countersign: ${status.status} (${status.resolution ?? status.decision.reason})`,
      });
    }
    return { role: "tool", content };
  }

  #submission(spec: ActionSpec, name: string, input: unknown, toolCallId: string): ActionSubmission {
    const known = this.#calls.get(toolCallId);
    if (known) return known;
    const submission = actionFor(spec, name, input, "ai-sdk", toolCallId);
    this.#calls.set(toolCallId, submission);
    return submission;
  }
}
