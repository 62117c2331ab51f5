import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import type { Countersign } from "../client.js";
import { actionFor, runGuarded, type ActionSpec } from "./tool-call.js";

/** A LangChain tool and how its calls become Countersign actions. */
export interface GuardedTool {
  tool: StructuredToolInterface;
  spec: ActionSpec;
}

/**
 * A LangGraph `ToolNode` whose tools run only when Countersign approves the call: each call asks,
 * waits for a human when the policy holds it, runs with the grant and reports the outcome. A
 * refusal becomes the tool message the model reads; the tool does not run. The tool call's id is
 * the idempotency key, so a node replayed from a checkpoint lands on the same request.
 */
export function countersignToolNode(countersign: Countersign, tools: GuardedTool[], options: { timeoutMs?: number } = {}): ToolNode {
  return new ToolNode(tools.map(({ tool: inner, spec }) => guardTool(countersign, inner, spec, options.timeoutMs)));
}

/** One LangChain tool, guarded the same way. */
export function guardTool(countersign: Countersign, inner: StructuredToolInterface, spec: ActionSpec, timeoutMs?: number): StructuredToolInterface {
  return tool(
    async (input: unknown, config?: { toolCall?: { id?: string } }) =>
      runGuarded(countersign, actionFor(spec, inner.name, input, "langgraph", config?.toolCall?.id), spec.timeoutMs ?? timeoutMs,
        () => inner.invoke(input as any)),
    { name: inner.name, description: inner.description, schema: inner.schema as any },
  ) as unknown as StructuredToolInterface;
}
