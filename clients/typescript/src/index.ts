export { Countersign } from "./client.js";
export type { CountersignOptions, WaitOptions } from "./client.js";
export {
  ActionDenied, ActionNotAuthorized, ApprovalCancelled, ApprovalExpired, ApprovalTimedOut, CountersignApiError, CountersignError,
  CountersignNetworkError, CountersignProtocolError, ExecutionNotReported, GrantUnavailable,
} from "./errors.js";
export { Grant } from "./types.js";
export type { Action, ActionStatus, ActionSubmission, Approval, Decision, Effect, Outcome, Status, Vote } from "./types.js";
