// The Claude Agent SDK adapter's callbacks alone: canUseTool and the PostToolUse hook called the way
// query() calls them (the callback contract of the package's own types, checked by tsc against
// @anthropic-ai/claude-agent-sdk), against the real gateway: a call is allowed only after an
// approval, never after a denial, and its outcome is reported with the grant. The real query(),
// with its Claude Code executable and a scripted model, is claude-agent-sdk-query.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Countersign } from "../../dist/index.js";
import { countersignPermissions } from "../../dist/adapters/claude-agent-sdk.js";
import * as gateway from "../gateway.mjs";

function permissions(resource) {
  const countersign = new Countersign({ baseUrl: gateway.URL, apiKey: gateway.AGENT_KEY });
  return {
    countersign,
    ...countersignPermissions(countersign, {
      timeoutMs: 20_000,
      actionFor: (toolName, input) => toolName === "Bash" && /\bexport\b/.test(String(input.command))
        ? { action: "db.export", resource: `db/prod/${input.table}-${resource}`, params: input, reason: "Claude wants to export" }
        : toolName === "Bash" && /\biam\b/.test(String(input.command))
          ? { action: "iam.grant", resource: `iam/${resource}`, params: input, reason: "Claude wants a role" }
          : undefined,
    }),
  };
}

const context = (id) => ({ signal: new AbortController().signal, suggestions: [], toolUseID: id });

test("Claude Agent SDK: canUseTool allows a held call only after a human approved it, and PostToolUse reports it", { skip: gateway.SKIP }, async () => {
  const resource = `claude-${gateway.RUN}`;
  const { countersign, canUseTool, postToolUse } = permissions(resource);
  const input = { command: "pg_dump --export customers", table: "customers" };
  const deciding = canUseTool("Bash", input, context(`toolu_a_${gateway.RUN}`));
  let decided = false;
  deciding.then(() => { decided = true; });
  const id = await gateway.pendingId(`db/prod/customers-${resource}`);
  assert.equal(decided, false, "no answer while the request is pending");
  await gateway.doStep({ do: "approve", comment: "ok" }, id);
  assert.deepEqual(await deciding, { behavior: "allow", updatedInput: input });
  await postToolUse({ hook_event_name: "PostToolUse", tool_name: "Bash", tool_input: input, tool_response: { stdout: "ok" } },
    `toolu_a_${gateway.RUN}`, { signal: new AbortController().signal });
  assert.equal((await countersign.get(id)).status, "executed");
});

test("Claude Agent SDK: canUseTool denies a call a human denied, and one the policy denies", { skip: gateway.SKIP }, async () => {
  const resource = `claude-denied-${gateway.RUN}`;
  const { canUseTool } = permissions(resource);
  const deciding = canUseTool("Bash", { command: "export invoices", table: "invoices" }, context(`toolu_b_${gateway.RUN}`));
  assert.deepEqual(await gateway.human(`db/prod/invoices-${resource}`, [{ do: "deny", comment: "no" }]), []);
  const denied = await deciding;
  assert.equal(denied.behavior, "deny");
  assert.match(denied.message, /ActionDenied/);

  const policy = await canUseTool("Bash", { command: "iam add-role admin" }, context(`toolu_c_${gateway.RUN}`));
  assert.equal(policy.behavior, "deny");
  assert.match(policy.message, /agents-never-touch-iam|agents may not change IAM/);
});

test("Claude Agent SDK: a call that is not privileged is allowed without asking", async () => {
  const { canUseTool } = countersignPermissions(new Countersign({ baseUrl: "http://127.0.0.1:9", apiKey: "csa_unused" }), { actionFor: () => undefined });
  assert.deepEqual(await canUseTool("Read", { file_path: "README.md" }, context("toolu_d")), { behavior: "allow", updatedInput: { file_path: "README.md" } });
});
