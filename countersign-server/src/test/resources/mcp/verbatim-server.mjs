// An MCP server (the official TypeScript SDK's low-level Server, from the npm cache) whose answers
// carry everything a proxy could lose: fields of later revisions and of vendors, icons, _meta,
// annotations, outputSchema with structuredContent, execution.taskSupport, keys in an unusual
// order. McpPassThroughTest compares what it says directly with what the gateway passes on.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema, CompleteRequestSchema, GetPromptRequestSchema, ListPromptsRequestSchema,
  ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, ListToolsRequestSchema, ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

const icons = [{ src: "https://example.com/icon.png", mimeType: "image/png", sizes: ["48x48"], theme: "dark" }];
const server = new Server(
  { name: "verbatim", version: "1.0.0" },
  {
    capabilities: { tools: {}, resources: {}, prompts: {}, completions: {} },
    instructions: "Reports on topics; read test://verbatim/readme first.",
  });

server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [{
    description: "Counts the reports on a topic.",
    name: "report",
    title: "Report",
    inputSchema: { type: "object", properties: { topic: { type: "string" } } },
    outputSchema: { type: "object", properties: { count: { type: "integer" } }, required: ["count"] },
    annotations: { readOnlyHint: true, "x-vendor-hint": "kept" },
    execution: { taskSupport: "optional" },
    icons,
    _meta: { "example.com/owner": "reports-team" },
    "x-later-revision": { nested: [1, 2.5, "three", null, true] },
  }],
}));

server.setRequestHandler(CallToolRequestSchema, async (request) => ({
  structuredContent: { count: 3, topic: request.params.arguments?.topic ?? "none" },
  content: [
    { uri: "test://verbatim/readme", type: "resource_link", name: "readme", icons, "x-link-extra": true },
    { text: "3 reports", type: "text", annotations: { priority: 0.5, audience: ["user"] } },
  ],
  isError: false,
  _meta: { "example.com/trace": "abc-123" },
  "x-result-extra": { kept: "yes" },
}));

server.setRequestHandler(ListResourcesRequestSchema, async () => ({
  resources: [{ name: "readme", uri: "test://verbatim/readme", mimeType: "text/plain", icons, size: 24,
    annotations: { lastModified: "2026-11-30T10:00:00Z" }, "x-resource-extra": 1 }],
}));

server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
  resourceTemplates: [{ name: "topic", uriTemplate: "test://verbatim/topics/{topic}", icons, "x-template-extra": 2 }],
}));

server.setRequestHandler(ReadResourceRequestSchema, async (request) => ({
  contents: [{ text: "Read me first: " + request.params.uri, uri: request.params.uri, mimeType: "text/plain",
    _meta: { "example.com/etag": "v1" }, "x-contents-extra": [] }],
  "x-read-extra": "kept",
}));

server.setRequestHandler(ListPromptsRequestSchema, async () => ({
  prompts: [{ description: "Asks for a report.", name: "ask", arguments: [{ name: "topic", required: true }], icons,
    "x-prompt-extra": {} }],
}));

server.setRequestHandler(GetPromptRequestSchema, async (request) => ({
  messages: [{ content: { type: "text", text: "Report on " + request.params.arguments?.topic }, role: "user" }],
  description: "A report request",
  "x-get-extra": 0,
}));

server.setRequestHandler(CompleteRequestSchema, async (request) => ({
  completion: { values: ["alpha", "beta"].filter((v) => v.startsWith(request.params.argument.value)), hasMore: false,
    total: 2 },
  "x-complete-extra": true,
}));

await server.connect(new StdioServerTransport());
