// The OpenAI Agents SDK adapter, in a real Agent run driven by a scripted Model (no network model),
// against the real gateway: the tool runs only after an approval, never after a denial.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Agent, run, Usage } from "@openai/agents";
import { z } from "zod";
import { Countersign } from "../../dist/index.js";
import { CountersignAgentTools } from "../../dist/adapters/openai-agents.js";
import * as gateway from "../gateway.mjs";

/** The Agents SDK's Model interface, answering from a script: a tool call, then a final message. */
class ScriptedModel {
  constructor(table) {
    this.table = table;
    this.turn = 0;
  }

  async getResponse() {
    const output = this.turn++ === 0
      ? [{ type: "function_call", callId: `call_${this.table}_${gateway.RUN}`, name: "export_table", arguments: JSON.stringify({ table: this.table }), status: "completed" }]
      : [{ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "done" }] }];
    return { usage: new Usage(), output, responseId: `resp_${this.turn}` };
  }

  async *getStreamedResponse() {
    throw new Error("the scripted model does not stream");
  }
}

function setUp(action, resource, tag) {
  const countersign = new Countersign({ baseUrl: gateway.URL, apiKey: gateway.AGENT_KEY });
  const tools = new CountersignAgentTools(countersign, { timeoutMs: 20_000 });
  const runs = [];
  const exportTable = tools.tool(
    { action, resource: ({ table }) => `${resource}/${table}-${tag}`, reason: "the agent's export" },
    {
      name: "export_table",
      description: "Export a table",
      parameters: z.object({ table: z.string() }),
      execute: async ({ table }) => { runs.push(table); return `exported ${table}`; },
    },
  );
  return { tools, runs, agent: (table) => new Agent({ name: "exporter", instructions: "export", tools: [exportTable], model: new ScriptedModel(table) }) };
}

test("OpenAI Agents SDK: a held call interrupts the run and runs only after a human approved it", { skip: gateway.SKIP }, async () => {
  const { tools, runs, agent } = setUp("db.export", "db/prod", `oa-${gateway.RUN}`);
  const exporter = agent("customers");
  const first = await run(exporter, "export the customers");
  assert.equal(first.interruptions.length, 1, "needsApproval asked Countersign, which holds the call");
  assert.deepEqual(runs, []);
  const approving = gateway.human(`db/prod/customers-oa-${gateway.RUN}`, [{ do: "approve", comment: "ok" }]);
  const state = await tools.decide(first);
  assert.deepEqual(await approving, []);
  const resumed = await run(exporter, state);
  assert.deepEqual(runs, ["customers"]);
  assert.equal(resumed.finalOutput, "done");
});

test("OpenAI Agents SDK: a call a human denies never runs", { skip: gateway.SKIP }, async () => {
  const { tools, runs, agent } = setUp("db.export", "db/prod", `oa-denied-${gateway.RUN}`);
  const exporter = agent("invoices");
  const first = await run(exporter, "export the invoices");
  const denying = gateway.human(`db/prod/invoices-oa-denied-${gateway.RUN}`, [{ do: "deny", comment: "no" }]);
  const state = await tools.decide(first);
  assert.deepEqual(await denying, []);
  await run(exporter, state);
  assert.deepEqual(runs, []);
});

test("OpenAI Agents SDK: a call the policy denies never runs, and the model is told why", { skip: gateway.SKIP }, async () => {
  const { runs, agent } = setUp("iam.grant", "iam", `oa-${gateway.RUN}`);
  const result = await run(agent("admins"), "make me an admin");
  assert.equal(result.interruptions.length, 0);
  assert.deepEqual(runs, []);
  const toolOutput = result.newItems.find((item) => item.type === "tool_call_output_item");
  assert.match(JSON.stringify(toolOutput.rawItem), /Countersign did not approve this call \(ActionDenied/);
});
