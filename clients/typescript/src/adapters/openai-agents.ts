import { tool } from "@openai/agents";
import type { Countersign } from "../client.js";
import { actionFor, runGuarded, type ActionSpec } from "./tool-call.js";
import type { ActionSubmission } from "../types.js";

type ToolOptions = Parameters<typeof tool>[0];

/** The part of a run result this module reads: its pending approvals and its state. */
interface Interrupted {
  interruptions: Array<{ rawItem: unknown; name?: string }>;
  state: { approve(item: any, options?: any): void; reject(item: any, options?: any): void };
}

/**
 * Tools for the OpenAI Agents SDK whose approval and execution go through Countersign.
 *
 * `needsApproval` asks Countersign: an allowed or denied call needs no human in the run; a held
 * one interrupts the run. `decide(result)` then waits for the humans' decision in Countersign and
 * approves or rejects each interruption, and the resumed run's `execute` runs the tool only with
 * the request's grant, then reports the outcome. A denied call is answered with a refusal the
 * model can read; the tool's own code never runs.
 */
export class CountersignAgentTools {
  readonly #countersign: Countersign;
  readonly #calls = new Map<string, ActionSubmission>();
  readonly #timeoutMs: number | undefined;

  constructor(countersign: Countersign, options: { timeoutMs?: number } = {}) {
    this.#countersign = countersign;
    this.#timeoutMs = options.timeoutMs;
  }

  /** `tool(options)`, with `needsApproval` and `execute` going through Countersign as `spec` describes. */
  tool(spec: ActionSpec, options: ToolOptions): ReturnType<typeof tool> {
    const execute = (options as { execute: (input: any, context?: any, details?: any) => unknown }).execute;
    const name = (options as { name?: string }).name ?? "tool";
    const submissionOf = (input: unknown, callId: string | undefined): ActionSubmission => {
      const known = callId ? this.#calls.get(callId) : undefined;
      if (known) return known;
      const submission = actionFor(spec, name, input, "openai-agents", callId);
      if (callId) this.#calls.set(callId, submission);
      return submission;
    };
    return tool({
      ...options,
      needsApproval: async (_context: unknown, input: unknown, callId?: string) => {
        const status = await this.#countersign.request(submissionOf(input, callId));
        // Held for a human by the policy, before and after the human decided: the SDK asks again
        // when it resumes, and a "no" then would turn the human's approval into a denial.
        return status.decision.effect === "require_approval";
      },
      execute: async (input: unknown, context?: unknown, details?: { toolCall?: { callId?: string } }) => {
        const callId = details?.toolCall?.callId;
        const result = await runGuarded(this.#countersign, submissionOf(input, callId), spec.timeoutMs ?? this.#timeoutMs,
          () => execute(input, context, details));
        if (callId) this.#calls.delete(callId);
        return result;
      },
    } as ToolOptions);
  }

  /**
   * Waits for Countersign's decision on every interruption of `result` that one of these tools
   * raised, and approves or rejects it in the run's state; resume with `run(agent, result.state)`.
   */
  async decide(result: Interrupted): Promise<Interrupted["state"]> {
    for (const item of result.interruptions) {
      const callId = (item.rawItem as { callId?: string }).callId;
      const submission = callId ? this.#calls.get(callId) : undefined;
      if (!submission) continue; // not ours: the application decides it
      const first = await this.#countersign.request(submission);
      const status = first.status === "pending" ? await this.#countersign.waitForDecision(first.id, { timeoutMs: this.#timeoutMs }) : first;
      if (status.status === "approved") {
        result.state.approve(item);
      } else {
        result.state.reject(item);
      }
    }
    return result.state;
  }
}
