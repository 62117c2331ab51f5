// The LangGraph adapter: a graph whose model node is LangChain's own FakeStreamingChatModel (a
// scripted tool call, no network model) and whose tool node is countersignToolNode, against the real
// gateway: the tool runs only after an approval, never after a denial.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AIMessageChunk } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { FakeStreamingChatModel } from "@langchain/core/utils/testing";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { Countersign } from "../../dist/index.js";
import { countersignToolNode } from "../../dist/adapters/langgraph.js";
import * as gateway from "../gateway.mjs";

function graph(action, resource, tag, table) {
  const runs = [];
  const exportTable = tool(async ({ table: name }) => { runs.push(name); return `exported ${name}`; },
    { name: "export_table", description: "Export a table", schema: z.object({ table: z.string() }) });
  const model = new FakeStreamingChatModel({
    chunks: [new AIMessageChunk({ content: "", tool_calls: [{ id: `call_${table}_${gateway.RUN}`, name: "export_table", args: { table } }] })],
  });
  const countersign = new Countersign({ baseUrl: gateway.URL, apiKey: gateway.AGENT_KEY });
  const tools = countersignToolNode(countersign,
    [{ tool: exportTable, spec: { action, resource: ({ table: name }) => `${resource}/${name}-${tag}`, reason: "the graph's export" } }],
    { timeoutMs: 20_000 });
  const app = new StateGraph(MessagesAnnotation)
    .addNode("agent", async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addNode("tools", tools)
    .addEdge(START, "agent")
    .addEdge("agent", "tools")
    .addEdge("tools", END)
    .compile();
  return { app, runs };
}

test("LangGraph: the tool node waits for the human and runs the tool only after the approval", { skip: gateway.SKIP }, async () => {
  const tag = `lg-${gateway.RUN}`;
  const { app, runs } = graph("db.export", "db/prod", tag, "customers");
  const finished = app.invoke({ messages: [{ role: "user", content: "export the customers" }] });
  const approving = gateway.human(`db/prod/customers-${tag}`, [{ do: "approve", comment: "ok" }]);
  assert.deepEqual(await approving, []);
  const state = await finished;
  assert.deepEqual(runs, ["customers"]);
  assert.match(state.messages.at(-1).content, /exported customers/);
});

test("LangGraph: a call a human denies never runs, and the tool message says so", { skip: gateway.SKIP }, async () => {
  const tag = `lg-denied-${gateway.RUN}`;
  const { app, runs } = graph("db.export", "db/prod", tag, "invoices");
  const finished = app.invoke({ messages: [{ role: "user", content: "export the invoices" }] });
  assert.deepEqual(await gateway.human(`db/prod/invoices-${tag}`, [{ do: "deny", comment: "no" }]), []);
  const state = await finished;
  assert.deepEqual(runs, []);
  assert.match(state.messages.at(-1).content, /Countersign did not approve this call \(ActionDenied/);
});

test("LangGraph: a call the policy denies never runs", { skip: gateway.SKIP }, async () => {
  const { app, runs } = graph("iam.grant", "iam", `lg-${gateway.RUN}`, "admins");
  const state = await app.invoke({ messages: [{ role: "user", content: "make me an admin" }] });
  assert.deepEqual(runs, []);
  assert.match(state.messages.at(-1).content, /ActionDenied/);
});
