// The tools of the MCP conformance suite's scenarios that server-everything doesn't have, written
// with the official TypeScript SDK's McpServer (from the npm cache) as the scenarios describe them:
// test_simple_text answers a text, test_error_handling throws (the SDK makes that an isError result).
// McpConformanceTest runs it beside server-everything: over stdio as the gateway's second upstream,
// and with the argument "streamableHttp" (port in $PORT, on 127.0.0.1) for the direct baseline.
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

function server() {
  const mcp = new McpServer({ name: "conformance-tools", version: "1.0.0" });
  mcp.registerTool(
    "test_simple_text",
    { description: "Returns a simple text (conformance scenario tools-call-simple-text)." },
    async () => ({ content: [{ type: "text", text: "This is a simple text response for testing." }] }));
  mcp.registerTool(
    "test_error_handling",
    { description: "Always fails (conformance scenario tools-call-error)." },
    async () => {
      throw new Error("This tool intentionally returns an error for testing");
    });
  return mcp;
}

if (process.argv[2] === "streamableHttp") {
  // Stateless: a server and transport per request, as the SDK's stateless example does.
  createServer(async (req, res) => {
    if (new URL(req.url, "http://127.0.0.1").pathname !== "/mcp") {
      res.writeHead(404).end();
      return;
    }
    const mcp = server();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      transport.close();
      mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  }).listen(Number(process.env.PORT), "127.0.0.1");
} else {
  await server().connect(new StdioServerTransport());
}
