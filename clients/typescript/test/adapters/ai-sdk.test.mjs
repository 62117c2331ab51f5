// The Vercel AI SDK adapter, in generateText driven by the SDK's own MockLanguageModelV3 (no network
// model), against the real gateway: the tool runs only after an approval, never after a denial.
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateText, stepCountIs } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { z } from "zod";
import { Countersign } from "../../dist/index.js";
import { CountersignAiTools } from "../../dist/adapters/ai-sdk.js";
import * as gateway from "../gateway.mjs";

const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };

function model(table) {
  return new MockLanguageModelV3({
    doGenerate: async (options) => {
      const answered = options.prompt.some((message) => message.role === "tool"
        && message.content.some((part) => part.type === "tool-result"));
      return answered
        ? { content: [{ type: "text", text: "done" }], finishReason: { unified: "stop", raw: "stop" }, usage, warnings: [] }
        : { content: [{ type: "tool-call", toolCallId: `call_${table}_${gateway.RUN}`, toolName: "exportTable", input: JSON.stringify({ table }) }],
          finishReason: { unified: "tool-calls", raw: "tool_calls" }, usage, warnings: [] };
    },
  });
}

function setUp(action, resource, tag) {
  const countersign = new Countersign({ baseUrl: gateway.URL, apiKey: gateway.AGENT_KEY });
  const tools = new CountersignAiTools(countersign, { timeoutMs: 20_000 });
  const runs = [];
  const definition = {
    description: "Export a table",
    inputSchema: z.object({ table: z.string() }),
    execute: async ({ table }) => { runs.push(table); return `exported ${table}`; },
  };
  const spec = { action, resource: ({ table }) => `${resource}/${table}-${tag}`, reason: "the agent's export" };
  return { tools, runs, definition, spec };
}

test("AI SDK: the tool-approval flow waits for Countersign and runs the tool only after a human approved it", { skip: gateway.SKIP }, async () => {
  const tag = `ai-${gateway.RUN}`;
  const { tools, runs, definition, spec } = setUp("db.export", "db/prod", tag);
  const exportTable = tools.approvalTool(spec, definition, "exportTable");
  const messages = [{ role: "user", content: "export the customers" }];
  const first = await generateText({ model: model("customers"), tools: { exportTable }, messages, stopWhen: stepCountIs(3) });
  assert.ok(first.content.some((part) => part.type === "tool-approval-request"), "a held call asks for approval");
  assert.deepEqual(runs, []);
  const approving = gateway.human(`db/prod/customers-${tag}`, [{ do: "approve", comment: "ok" }]);
  const answer = await tools.approvalResponses(first);
  assert.deepEqual(await approving, []);
  assert.equal(answer.content[0].approved, true);
  const second = await generateText({ model: model("customers"), tools: { exportTable }, messages: [...messages, ...first.response.messages, answer], stopWhen: stepCountIs(3) });
  assert.deepEqual(runs, ["customers"]);
  assert.equal(second.text, "done");
});

test("AI SDK: a call a human denies in the approval flow never runs", { skip: gateway.SKIP }, async () => {
  const tag = `ai-denied-${gateway.RUN}`;
  const { tools, runs, definition, spec } = setUp("db.export", "db/prod", tag);
  const exportTable = tools.approvalTool(spec, definition, "exportTable");
  const messages = [{ role: "user", content: "export the invoices" }];
  const first = await generateText({ model: model("invoices"), tools: { exportTable }, messages, stopWhen: stepCountIs(3) });
  const denying = gateway.human(`db/prod/invoices-${tag}`, [{ do: "deny", comment: "no" }]);
  const answer = await tools.approvalResponses(first);
  assert.deepEqual(await denying, []);
  assert.equal(answer.content[0].approved, false);
  await generateText({ model: model("invoices"), tools: { exportTable }, messages: [...messages, ...first.response.messages, answer], stopWhen: stepCountIs(3) });
  assert.deepEqual(runs, []);
});

test("AI SDK: a guarded tool waits inside execute, and a policy denial never runs it", { skip: gateway.SKIP }, async () => {
  const tag = `ai-guarded-${gateway.RUN}`;
  const held = setUp("db.export", "db/prod", tag);
  const approving = gateway.human(`db/prod/leads-${tag}`, [{ do: "approve", comment: "ok" }]);
  const approved = await generateText({ model: model("leads"), tools: { exportTable: held.tools.guardedTool(held.spec, held.definition, "exportTable") },
    prompt: "export the leads", stopWhen: stepCountIs(3) });
  assert.deepEqual(await approving, []);
  assert.deepEqual(held.runs, ["leads"]);
  assert.equal(approved.text, "done");

  const denied = setUp("iam.grant", "iam", `ai-${gateway.RUN}`);
  const refused = await generateText({ model: model("admins"), tools: { exportTable: denied.tools.guardedTool(denied.spec, denied.definition, "exportTable") },
    prompt: "make me an admin", stopWhen: stepCountIs(3) });
  assert.deepEqual(denied.runs, []);
  assert.match(JSON.stringify(refused.steps[0].toolResults), /Countersign did not approve this call \(ActionDenied/);
});
