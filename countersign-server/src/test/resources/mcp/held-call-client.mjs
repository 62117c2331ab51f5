// An agent that gives up on a held call, with the official TypeScript SDK client, one of three ways:
//   timeout: the SDK's request timeout (3 s here; 60 s by default) ends the call, and the SDK sends notifications/cancelled;
//   cancel:  the caller aborts the call (AbortController), and the SDK sends notifications/cancelled with the reason;
//   hang:    waits for good, so that the test can kill this process (a dropped connection, a closed stdin).
// Usage: node held-call-client.mjs http URL TOKEN MODE TOOL ARGS_JSON
//        node held-call-client.mjs stdio COMMAND_JSON TOKEN MODE TOOL ARGS_JSON   (COMMAND_JSON: ["java", "-cp", ...])
// Prints one JSON line per event on stdout: connected, then result or error.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [kind, where, token, mode, tool, argsJson] = process.argv.slice(2);
let transport;
if (kind === "http") {
  transport = new StreamableHTTPClientTransport(new URL(where), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
} else {
  const [command, ...args] = JSON.parse(where);
  transport = new StdioClientTransport({ command, args, env: { ...process.env, COUNTERSIGN_API_KEY: token }, stderr: "inherit" });
}
const client = new Client({ name: "held-call-client", version: "1.0.0" });
await client.connect(transport);
console.log(JSON.stringify({ event: "connected" }));

const options = { timeout: 600000 };
if (mode === "timeout") {
  options.timeout = 3000;
}
if (mode === "cancel") {
  const controller = new AbortController();
  setTimeout(() => controller.abort("the user pressed stop"), 3000);
  options.signal = controller.signal;
}
try {
  const result = await client.callTool({ name: tool, arguments: JSON.parse(argsJson) }, undefined, options);
  console.log(JSON.stringify({ event: "result", result }));
} catch (e) {
  console.log(JSON.stringify({ event: "error", code: e.code ?? null, message: String(e.message ?? e) }));
}
// Stay a moment so that the notification reaches the gateway before the transport closes.
await new Promise((resolve) => setTimeout(resolve, 500));
await client.close();
process.exit(0);
