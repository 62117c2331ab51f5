/** An action as the agent asks for it (DESIGN.md, "Words"). */
export interface Action {
  action: string;
  resource: string;
  params?: Record<string, unknown>;
  reason: string;
  onBehalfOf?: string;
}

/** What `request` sends: an action, and the key that makes a retried submission land on the same request. */
export interface ActionSubmission extends Action {
  /** Generated (a random UUID) when absent, so that the SDK's own retries never make a second request. */
  idempotencyKey?: string;
}

export type Effect = "allow" | "deny" | "require_approval";
export type Status = "pending" | "approved" | "denied" | "expired" | "cancelled" | "executed" | "failed";

export interface Decision {
  effect: Effect;
  rules: string[];
  reason: string;
  policyVersion: string;
}

export interface Vote {
  voter: string;
  choice: "approve" | "deny";
  comment?: string;
  time: string;
  channel: string;
}

export interface Approval {
  groups: string[];
  quorum: number;
  expiresAt?: string;
  url: string;
}

/**
 * The single-use permission to run an approved action. The token is a secret: it is not an
 * enumerable property, and `JSON.stringify`, `console.log` and template strings show `***`.
 */
export class Grant {
  readonly requestId: string;
  readonly expiresAt: string;
  readonly #token: string;

  constructor(requestId: string, token: string, expiresAt: string) {
    this.requestId = requestId;
    this.#token = token;
    this.expiresAt = expiresAt;
  }

  /** The secret token, for the one call that needs it (reportExecution). */
  reveal(): string {
    return this.#token;
  }

  toJSON(): object {
    return { requestId: this.requestId, token: "***", expiresAt: this.expiresAt };
  }

  toString(): string {
    return `Grant(${this.requestId}, ***)`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** A request as the gateway shows it to the agent that made it. */
export interface ActionStatus {
  id: string;
  status: Status;
  agent: string;
  action: Action;
  decision: Decision;
  approval?: Approval;
  grant?: Grant;
  votes: Vote[];
  createdAt: string;
  decidedAt?: string;
  decidedBy?: string;
  resolution?: string;
}

export type Outcome = "succeeded" | "failed";
