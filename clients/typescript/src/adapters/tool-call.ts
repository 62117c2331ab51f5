import { randomUUID } from "node:crypto";
import type { Countersign } from "../client.js";
import { ActionNotAuthorized } from "../errors.js";
import type { ActionStatus, ActionSubmission } from "../types.js";

/** How a tool call becomes a Countersign action. Functions get the tool's (parsed) input. */
export interface ActionSpec<I = any> {
  action: string;
  resource: string | ((input: I) => string);
  reason?: string | ((input: I) => string);
  /** Default: the input itself, when it is an object. */
  params?: (input: I) => Record<string, unknown>;
  onBehalfOf?: string | ((input: I) => string | undefined);
  /** How long a call waits for a human. Default 10 minutes. */
  timeoutMs?: number;
}

/**
 * The action for one tool call. Its idempotency key comes from the framework's call id, so every
 * step that handles the same call (the approval check, the approval flow, the execution) lands on
 * the same Countersign request, and a replayed step never makes a second one.
 */
export function actionFor<I>(spec: ActionSpec<I>, toolName: string, input: I, framework: string, callId: string | undefined): ActionSubmission {
  const value = <T>(v: T | ((input: I) => T) | undefined): T | undefined => (typeof v === "function" ? (v as (input: I) => T)(input) : v);
  const submission: ActionSubmission = {
    action: spec.action,
    resource: value(spec.resource) as string,
    reason: value(spec.reason) ?? `the agent called the tool ${toolName}`,
    params: spec.params ? spec.params(input) : input !== null && typeof input === "object" ? (input as Record<string, unknown>) : { input },
    idempotencyKey: `${framework}:${callId ?? randomUUID()}`.slice(0, 128),
  };
  const onBehalfOf = value(spec.onBehalfOf);
  if (onBehalfOf) submission.onBehalfOf = onBehalfOf;
  return submission;
}

/** What the model is told when Countersign refused a call; the tool did not run. */
export function refusal(error: ActionNotAuthorized): string {
  return `Countersign did not approve this call (${error.name}, request ${error.requestId}): ${error.message}. The tool was not run.`;
}

/**
 * Runs `work` only if Countersign approves the call (waiting for a human if needed), and reports
 * the outcome; a refusal comes back as text for the model, never as a run.
 */
export async function runGuarded<T>(countersign: Countersign, submission: ActionSubmission, timeoutMs: number | undefined,
  work: () => T | Promise<T>): Promise<T | string> {
  try {
    return await countersign.guard(submission, () => work(), { timeoutMs });
  } catch (error) {
    if (error instanceof ActionNotAuthorized) return refusal(error);
    throw error;
  }
}

/** Asks and waits for the decision; the request as decided (or still pending at the timeout). */
export async function decide(countersign: Countersign, submission: ActionSubmission, timeoutMs: number | undefined): Promise<ActionStatus> {
  const status = await countersign.request(submission);
  return status.status === "pending" ? countersign.waitForDecision(status.id, { timeoutMs }) : status;
}
