import { randomUUID } from "node:crypto";
import {
  ActionDenied, ApprovalCancelled, ApprovalExpired, ApprovalTimedOut, CountersignApiError, CountersignNetworkError,
  CountersignProtocolError, ExecutionNotReported, GrantUnavailable,
} from "./errors.js";
import { Grant } from "./types.js";
import type { Action, ActionStatus, ActionSubmission, Decision, Outcome } from "./types.js";

export interface CountersignOptions {
  /** The gateway, e.g. `https://countersign.example.com`. */
  baseUrl: string;
  /** The agent's API key (`csa_...`). Sent as a bearer token, never logged. */
  apiKey: string;
  /** The limit of every call that is not a long-poll, and the slack added to a long-poll's wait. Default 10 s. */
  timeoutMs?: number;
  /** The longest wait one long-poll asks the gateway for (it holds at most 60 s). Default 30 s. */
  maxLongPollSeconds?: number;
  /** How many times a submission is sent again after no answer or a 502/503/504, with the same idempotency key. Default 2. */
  retries?: number;
  /** One line per call (method, path, status, request id); never a key or a grant. */
  log?: (line: string) => void;
  /** Another fetch (a proxy agent, a test server). Default: the global fetch. */
  fetch?: typeof fetch;
}

export interface WaitOptions {
  /** How long to wait for a human. Default 10 minutes. */
  timeoutMs?: number;
}

const FIRST_RECONNECT_MS = 250;
const LAST_RECONNECT_MS = 2000;

/** An agent's connection to Countersign. */
export class Countersign {
  readonly #baseUrl: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #maxLongPollSeconds: number;
  readonly #retries: number;
  readonly #log: (line: string) => void;
  readonly #fetch: typeof fetch;

  constructor(options: CountersignOptions) {
    if (!options.baseUrl) throw new TypeError("baseUrl is required");
    if (!options.apiKey) throw new TypeError("apiKey is required");
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxLongPollSeconds = Math.min(Math.max(options.maxLongPollSeconds ?? 30, 1), 60);
    this.#retries = options.retries ?? 2;
    this.#log = options.log ?? (() => {});
    this.#fetch = options.fetch ?? fetch;
  }

  /**
   * Asks for an action. Answers at once: `approved` (with a grant), `denied`, or `pending`; with
   * `waitSeconds`, the gateway holds a pending answer up to that long. Without an idempotency key
   * one is generated, and a submission that got no answer is sent again with it: never two requests.
   */
  async request(action: ActionSubmission, options: { waitSeconds?: number } = {}): Promise<ActionStatus> {
    const body = { ...action, idempotencyKey: action.idempotencyKey ?? randomUUID() };
    const wait = options.waitSeconds ?? 0;
    let attempt = 0;
    for (;;) {
      try {
        return await this.#call("POST", "/v1/actions" + waitQuery(wait), body, wait);
      } catch (error) {
        if (!isOutage(error) || attempt >= this.#retries) throw error;
        await sleep(FIRST_RECONNECT_MS * 2 ** attempt++);
      }
    }
  }

  /** The request as the gateway has it now. */
  async get(id: string): Promise<ActionStatus> {
    return this.#call("GET", `/v1/actions/${encodeURIComponent(id)}`, undefined, 0);
  }

  /**
   * Long-polls until the request is no longer pending or the timeout ends, and returns it as last
   * seen (still `pending` if the timeout ended first). A gateway restart or a lost connection
   * mid-poll is waited out: the request is durable, so the poll simply reconnects.
   */
  async waitForDecision(id: string, options: WaitOptions = {}): Promise<ActionStatus> {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    return this.#pollUntil(deadline, await this.#readThroughOutages(id, 0, deadline));
  }

  /** Asks and waits; the grant when approved, or throws ActionDenied, ApprovalExpired, ApprovalCancelled, ApprovalTimedOut, GrantUnavailable. */
  async authorize(action: ActionSubmission, options: WaitOptions = {}): Promise<Grant> {
    const timeoutMs = options.timeoutMs ?? 600_000;
    const deadline = Date.now() + timeoutMs;
    // The submission answers at once; the wait is on reads, which reconnect through a restart.
    const first = await this.request(action);
    const status = await this.#pollUntil(deadline, first);
    switch (status.status) {
      case "approved":
        if (status.grant) return status.grant;
        throw new GrantUnavailable(status);
      case "pending": throw new ApprovalTimedOut(status, timeoutMs);
      case "denied": throw new ActionDenied(status);
      case "expired": throw new ApprovalExpired(status);
      case "cancelled": throw new ApprovalCancelled(status);
      default: throw new GrantUnavailable(status);
    }
  }

  /**
   * Asks, waits, runs `work` once and only when approved, and reports how it ended. A throwing
   * `work` is reported as failed and its error rethrown. When the work succeeded but the report
   * failed, ExecutionNotReported is thrown: the work has run.
   */
  async guard<T>(action: ActionSubmission, work: (grant: Grant) => T | Promise<T>, options: WaitOptions = {}): Promise<T> {
    const grant = await this.authorize(action, options);
    let result: T;
    try {
      result = await work(grant);
    } catch (error) {
      try {
        await this.reportExecution(grant, "failed", error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      } catch (reportError) {
        if (error instanceof Error) (error as Error & { reportError?: unknown }).reportError = reportError;
      }
      throw error;
    }
    try {
      await this.reportExecution(grant, "succeeded");
    } catch (reportError) {
      throw new ExecutionNotReported(grant.requestId, reportError);
    }
    return result;
  }

  /** Reports the outcome of an approved action; consumes the grant (a second report is a 409). */
  async reportExecution(grant: Grant, outcome: Outcome, detail?: string): Promise<ActionStatus> {
    const body: Record<string, unknown> = { grant: grant.reveal(), outcome };
    if (detail !== undefined) body.detail = detail.slice(0, 4096);
    return this.#call("POST", `/v1/actions/${encodeURIComponent(grant.requestId)}/execution`, body, 0);
  }

  /** Withdraws a pending request. */
  async cancel(id: string): Promise<ActionStatus> {
    return this.#call("POST", `/v1/actions/${encodeURIComponent(id)}/cancel`, {}, 0);
  }

  /** What the policy would decide for this agent; nothing is recorded. */
  async simulate(action: Action): Promise<Decision> {
    return this.#send("POST", "/v1/decisions/simulate", action, 0) as Promise<Decision>;
  }

  toString(): string {
    return `Countersign(${this.#baseUrl})`;
  }

  async #pollUntil(deadline: number, first: ActionStatus): Promise<ActionStatus> {
    let status = first;
    while (status.status === "pending" && Date.now() < deadline) {
      status = await this.#readThroughOutages(status.id, this.#waitFor(deadline), deadline);
    }
    return status;
  }

  async #readThroughOutages(id: string, waitSeconds: number, deadline: number): Promise<ActionStatus> {
    let pause = FIRST_RECONNECT_MS;
    let wait = waitSeconds;
    for (;;) {
      const started = Date.now();
      try {
        const status = await this.#call("GET", `/v1/actions/${encodeURIComponent(id)}` + waitQuery(wait), undefined, wait);
        // A proxy that answers a long-poll at once must not turn waiting into a hot loop.
        if (status.status === "pending" && wait > 0 && Date.now() - started < 200) await sleep(200);
        return status;
      } catch (error) {
        if (!isOutage(error) || Date.now() + pause >= deadline) throw error;
        this.#log(`reconnecting to ${id} in ${pause} ms`);
        await sleep(pause);
        pause = Math.min(pause * 2, LAST_RECONNECT_MS);
        wait = this.#waitFor(deadline);
      }
    }
  }

  #waitFor(deadline: number): number {
    return Math.max(0, Math.min(this.#maxLongPollSeconds, Math.floor((deadline - Date.now()) / 1000)));
  }

  async #call(method: string, path: string, body: unknown, waitSeconds: number): Promise<ActionStatus> {
    return toStatus(await this.#send(method, path, body, waitSeconds), method, path);
  }

  async #send(method: string, path: string, body: unknown, waitSeconds: number): Promise<unknown> {
    const route = path.split("?")[0];
    const limit = waitSeconds * 1000 + this.#timeoutMs;
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(this.#baseUrl + path, {
        method,
        headers: { Authorization: `Bearer ${this.#apiKey}`, Accept: "application/json", ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(limit),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      this.#log(`${method} ${route} no answer${timedOut ? ` in ${limit} ms` : ""}`);
      throw new CountersignNetworkError(method, route, error, timedOut);
    }
    const requestId = response.headers.get("x-request-id") ?? undefined;
    this.#log(`${method} ${route} ${response.status} ${requestId ?? "-"}`);
    let json: unknown;
    try {
      json = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      if (response.ok) throw new CountersignProtocolError(`${method} ${route} answered ${response.status} with a body that is not JSON`);
      json = {};
    }
    if (!response.ok) {
      const problem = (json ?? {}) as Record<string, unknown>;
      throw new CountersignApiError(method, route, {
        status: response.status,
        type: str(problem.type),
        title: str(problem.title),
        detail: str(problem.detail),
        instance: str(problem.instance),
        requestId: str(problem.requestId) ?? requestId,
      });
    }
    return json;
  }
}

function toStatus(json: unknown, method: string, path: string): ActionStatus {
  const raw = json as Record<string, any>;
  if (typeof raw?.id !== "string" || typeof raw?.status !== "string" || typeof raw?.decision !== "object") {
    throw new CountersignProtocolError(`${method} ${path.split("?")[0]} answered without id, status and decision`);
  }
  const { grant, ...rest } = raw;
  const status = { ...rest, votes: raw.votes ?? [] } as ActionStatus;
  if (grant && typeof grant.token === "string") {
    status.grant = new Grant(raw.id, grant.token, grant.expiresAt);
  }
  return status;
}

function isOutage(error: unknown): boolean {
  return error instanceof CountersignNetworkError || (error instanceof CountersignApiError && error.status >= 502 && error.status <= 504);
}

function waitQuery(seconds: number): string {
  return seconds > 0 ? `?wait=${seconds}s` : "";
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
