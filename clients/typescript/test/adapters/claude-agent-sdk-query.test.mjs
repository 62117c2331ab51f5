// The Claude Agent SDK adapter inside the real query() of @anthropic-ai/claude-agent-sdk: the SDK
// starts its bundled Claude Code executable, which talks to a scripted Messages API on loopback
// (fake-anthropic.mjs) instead of a model. The script calls an in-process MCP tool; the adapter's
// canUseTool asks the real gateway, so the tool runs only after a human approved it and never
// after a denial, and the PostToolUse hook reports the outcome with the grant.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSdkMcpServer, query, tool } from "@anthropic-ai/claude-agent-sdk";
import { z } from "zod";
import { Countersign } from "../../dist/index.js";
import { countersignPermissions } from "../../dist/adapters/claude-agent-sdk.js";
import { startFakeAnthropic } from "../fake-anthropic.mjs";
import * as gateway from "../gateway.mjs";

const TOOL = "mcp__warehouse__export_table";

/** Runs one query() whose scripted model exports `table`; resolves to what happened. */
async function run(table, toolUseId) {
  const resource = `db/prod/${table}`;
  const model = await startFakeAnthropic({ toolName: TOOL, toolInput: { table }, toolUseId });
  const home = mkdtempSync(join(tmpdir(), "countersign-claude-"));
  const exported = [];
  const warehouse = createSdkMcpServer({ name: "warehouse", version: "1.0.0", tools: [
    tool("export_table", "Export a production table", { table: z.string() }, async ({ table: name }) => {
      exported.push(name);
      return { content: [{ type: "text", text: `exported ${name}` }] };
    }),
  ] });
  const countersign = new Countersign({ baseUrl: gateway.URL, apiKey: gateway.AGENT_KEY });
  const { canUseTool, postToolUse } = countersignPermissions(countersign, {
    timeoutMs: 60_000,
    actionFor: (toolName, input) => toolName === TOOL
      ? { action: "db.export", resource: `db/prod/${input.table}`, params: input, reason: "Claude exports a table" }
      : undefined,
  });
  const messages = [];
  const stderr = [];
  try {
    const conversation = query({
      prompt: `Export the ${table} table.`,
      options: {
        mcpServers: { warehouse },
        tools: [], // no built-in tools: the MCP tool is the only one, and it is guarded
        permissionMode: "default",
        settingSources: [], // no user or project settings may pre-allow the tool
        canUseTool,
        hooks: { PostToolUse: [{ hooks: [postToolUse] }] },
        maxTurns: 4,
        stderr: (line) => stderr.push(line),
        env: {
          PATH: process.env.PATH,
          HOME: home,
          CLAUDE_CONFIG_DIR: join(home, ".claude"),
          ANTHROPIC_BASE_URL: model.url,
          ANTHROPIC_API_KEY: "sk-ant-scripted-model-not-a-key",
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
          DISABLE_TELEMETRY: "1",
          DISABLE_AUTOUPDATER: "1",
          DISABLE_ERROR_REPORTING: "1",
        },
      },
    });
    for await (const message of conversation) messages.push(message);
  } catch (error) {
    throw new Error(`query() failed: ${error.message}\n${stderr.join("")}`);
  } finally {
    await model.close();
    rmSync(home, { recursive: true, force: true });
  }
  const toolResults = messages.filter((m) => m.type === "user")
    .flatMap((m) => (Array.isArray(m.message.content) ? m.message.content : []))
    .filter((block) => block.type === "tool_result");
  return { resource, countersign, exported, toolResults, result: messages.find((m) => m.type === "result"), model };
}

test("Claude Agent SDK query(): the guarded tool runs only after a human approved the call, and its outcome is reported", { skip: gateway.SKIP, timeout: 180_000 }, async () => {
  const table = `orders-${gateway.RUN}`;
  const toolUseId = `toolu_query_a_${gateway.RUN}`;
  const approving = (async () => {
    const id = await gateway.pendingId(`db/prod/${table}`, 120_000);
    await gateway.doStep({ do: "approve", comment: "fine" }, id);
    return id;
  })();
  const ran = await run(table, toolUseId);
  const id = await approving;
  assert.deepEqual(ran.exported, [table], "the tool ran once, after the approval");
  assert.equal(ran.result?.subtype, "success");
  assert.ok(ran.model.requests.length >= 2, "the CLI sent the tool's result back to the model");
  const request = await ran.countersign.get(id);
  assert.equal(request.status, "executed", "PostToolUse reported the execution with the grant");
  assert.equal(request.action.resource, `db/prod/${table}`);
});

test("Claude Agent SDK query(): the guarded tool never runs after a human denied the call", { skip: gateway.SKIP, timeout: 180_000 }, async () => {
  const table = `payroll-${gateway.RUN}`;
  const denying = gateway.human(`db/prod/${table}`, [{ do: "deny", comment: "not payroll" }]);
  const ran = await run(table, `toolu_query_b_${gateway.RUN}`);
  assert.deepEqual(await denying, []);
  assert.deepEqual(ran.exported, [], "the tool never ran");
  assert.equal(ran.toolResults.length, 1, "the model was told the call was refused");
  assert.equal(ran.toolResults[0].is_error, true);
  assert.match(JSON.stringify(ran.toolResults[0].content), /ActionDenied.*not payroll/);
});
