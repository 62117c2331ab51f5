import type { ActionStatus } from "./types.js";

/** Every error this SDK throws. */
export class CountersignError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The gateway answered with an RFC 9457 problem. `type` is `urn:countersign:problem:<slug>`;
 * `requestId` is the id the gateway's log has the call under (also sent as `X-Request-Id`).
 */
export class CountersignApiError extends CountersignError {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly instance: string | undefined;
  readonly requestId: string | undefined;

  constructor(method: string, path: string, problem: { status: number; type?: string; title?: string; detail?: string; instance?: string; requestId?: string }) {
    super(`${method} ${path} answered ${problem.status} ${problem.title ?? ""}${problem.detail ? ": " + problem.detail : ""}`);
    this.status = problem.status;
    this.type = problem.type ?? "about:blank";
    this.title = problem.title ?? `HTTP ${problem.status}`;
    this.detail = problem.detail;
    this.instance = problem.instance;
    this.requestId = problem.requestId;
  }
}

/** No answer: the connection failed, or the call passed its timeout. */
export class CountersignNetworkError extends CountersignError {
  readonly timedOut: boolean;

  constructor(method: string, path: string, cause: unknown, timedOut: boolean) {
    super(`${method} ${path} got no answer${timedOut ? " in time" : ""}: ${describe(cause)}`, { cause });
    this.timedOut = timedOut;
  }
}

/** An answer outside the contract (not JSON, missing fields). */
export class CountersignProtocolError extends CountersignError {}

/** The answer is no (or not yet): the action must not run. */
export class ActionNotAuthorized extends CountersignError {
  readonly request: ActionStatus;
  readonly requestId: string;

  constructor(message: string, request: ActionStatus) {
    super(message);
    this.request = request;
    this.requestId = request.id;
  }
}

/** The policy or a human denied the action. */
export class ActionDenied extends ActionNotAuthorized {
  readonly rules: string[];
  readonly reason: string;
  readonly deniedBy: string | undefined;

  constructor(request: ActionStatus) {
    const by = request.decidedBy ? `${request.decidedBy}` : `policy rule(s) ${request.decision.rules.join(", ") || "default"}`;
    const reason = denialReason(request);
    super(`${request.action.action} on ${request.action.resource} was denied by ${by}: ${reason}`, request);
    this.rules = request.decision.rules;
    this.reason = reason;
    this.deniedBy = request.decidedBy;
  }
}

/** The denying human's comment when a human denied it with one (as the Java SDK says), else the resolution or the policy's reason. */
function denialReason(request: ActionStatus): string {
  const denial = [...(request.votes ?? [])].reverse().find((vote) => vote.choice === "deny" && vote.comment);
  return denial?.comment ?? request.resolution ?? request.decision.reason ?? "";
}

/** Nobody decided before the approval's timeout; the request expired (denied by default). */
export class ApprovalExpired extends ActionNotAuthorized {
  constructor(request: ActionStatus) {
    super(`request ${request.id} expired before anybody decided it`, request);
  }
}

/** The request was cancelled. */
export class ApprovalCancelled extends ActionNotAuthorized {
  constructor(request: ActionStatus) {
    super(`request ${request.id} was cancelled`, request);
  }
}

/** Still pending when the caller's timeout ended; it stays pending on the gateway (wait again, or cancel it). */
export class ApprovalTimedOut extends ActionNotAuthorized {
  readonly approvalUrl: string | undefined;

  constructor(request: ActionStatus, timeoutMs: number) {
    super(`request ${request.id} is still pending after ${timeoutMs} ms`, request);
    this.approvalUrl = request.approval?.url;
  }
}

/** Approved, but no usable grant: already executed, or the grant expired. */
export class GrantUnavailable extends ActionNotAuthorized {
  constructor(request: ActionStatus) {
    super(`request ${request.id} is ${request.status} and has no usable grant`, request);
  }
}

/** guard ran the work but could not report it. The work HAS run: don't run it again. */
export class ExecutionNotReported extends CountersignError {
  readonly requestId: string;

  constructor(requestId: string, cause: unknown) {
    super(`the work for request ${requestId} ran, but reporting it failed: ${describe(cause)}`, { cause });
    this.requestId = requestId;
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message;
  }
  return String(cause);
}
