// What the gateway tests need from the gateway the Maven build started (SdkSuitesTest): its address,
// an agent key, an approver's token, and a control address that restarts it. Absent: they skip.
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";

export const URL = process.env.COUNTERSIGN_URL;
export const AGENT_KEY = process.env.COUNTERSIGN_AGENT_KEY;
export const APPROVER_TOKEN = process.env.COUNTERSIGN_APPROVER_TOKEN;
export const CONTROL_URL = process.env.COUNTERSIGN_CONTROL_URL;
export const SKIP = URL && AGENT_KEY && APPROVER_TOKEN
  ? false
  : "no gateway: run through ./mvnw verify (SdkSuitesTest), or set COUNTERSIGN_URL, COUNTERSIGN_AGENT_KEY, COUNTERSIGN_APPROVER_TOKEN";
export const RUN = randomUUID().slice(0, 8);

export function scenarios() {
  const file = process.env.COUNTERSIGN_SCENARIOS ?? new globalThis.URL("../../scenarios.json", import.meta.url);
  return JSON.parse(readFileSync(file, "utf8")).scenarios;
}

/** The scenario's action, made unique to this run so that suites can share one gateway. */
export function unique(action, suffix) {
  return { ...action, resource: `${action.resource}-${suffix}`, reason: `${action.reason} (${suffix})` };
}

/** A plain API call, as a human (or the agent, with curl) would make it; throws on a non-2xx answer. */
export async function call(method, path, token, body) {
  const response = await fetch(URL + path, {
    method,
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : {};
}

/** The id of the pending request for this resource, from the approver's inbox, once it is there. */
export async function pendingId(resource, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const inbox = await call("GET", "/v1/approvals?status=pending", APPROVER_TOKEN);
    const item = inbox.items.find((candidate) => candidate.action.resource === resource);
    if (item) return item.id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no pending request for ${resource} in the inbox after ${timeoutMs} ms`);
}

export async function inboxCount(resource) {
  const inbox = await call("GET", "/v1/approvals?status=pending", APPROVER_TOKEN);
  return inbox.items.filter((item) => item.action.resource === resource).length;
}

export async function doStep(step, id) {
  switch (step.do) {
    case "approve": return call("POST", `/v1/actions/${id}/approve`, APPROVER_TOKEN, { comment: step.comment ?? "ok" });
    case "deny": return call("POST", `/v1/actions/${id}/deny`, APPROVER_TOKEN, { comment: step.comment ?? "no" });
    case "cancel": return call("POST", `/v1/actions/${id}/cancel`, AGENT_KEY, {});
    case "restartGateway": {
      if (!CONTROL_URL) throw new Error("restartGateway needs COUNTERSIGN_CONTROL_URL");
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the SDK's long-poll be in flight when the gateway goes
      const response = await fetch(`${CONTROL_URL}/restart`, { method: "POST", signal: AbortSignal.timeout(60_000) });
      if (!response.ok) throw new Error(`restart answered ${response.status}`);
      return undefined;
    }
    default: throw new Error(`unknown step ${step.do} in scenarios.json`);
  }
}

/** Does the steps while the request for `resource` is pending; resolves to the errors it met. */
export async function human(resource, steps) {
  if (steps.length === 0) return [];
  try {
    const id = await pendingId(resource);
    for (const step of steps) await doStep(step, id);
    return [];
  } catch (error) {
    return [error];
  }
}
