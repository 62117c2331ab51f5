// An MCP server (the official TypeScript SDK's low-level Server, from the npm cache) whose resources
// can be subscribed to. Its tool 'touch' reports an update of a URI (notifications/resources/updated)
// whether anyone subscribed or not, so that the gateway's filtering shows; 'state' says which URIs
// the server holds subscriptions to and how often it was read. McpResourceSubscriptionsTest.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema, ListResourcesRequestSchema, ListToolsRequestSchema, ReadResourceRequestSchema,
  SubscribeRequestSchema, UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

const subscribed = new Set();
let reads = 0;
const server = new Server(
  { name: "watched", version: "1.0.0" },
  { capabilities: { tools: {}, resources: { subscribe: true } } });

server.setRequestHandler(ListResourcesRequestSchema, async () => ({
  resources: [
    { name: "notes", uri: "test://watched/notes", mimeType: "text/plain" },
    { name: "secret", uri: "test://watched/secret", mimeType: "text/plain" },
  ],
}));

server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
  reads++;
  return { contents: [{ uri: request.params.uri, mimeType: "text/plain", text: "contents of " + request.params.uri }] };
});

server.setRequestHandler(SubscribeRequestSchema, async (request) => {
  subscribed.add(request.params.uri);
  return {};
});

server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
  subscribed.delete(request.params.uri);
  return {};
});

server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    { name: "touch", description: "Reports an update of a resource.",
      inputSchema: { type: "object", properties: { uri: { type: "string" } }, required: ["uri"] } },
    { name: "state", description: "The URIs subscribed to, and the number of reads.",
      inputSchema: { type: "object", properties: {} } },
  ],
}));

server.setRequestHandler(CallToolRequestSchema, async (request) => {
  if (request.params.name === "touch") {
    await server.sendResourceUpdated({ uri: request.params.arguments.uri });
    return { content: [{ type: "text", text: "touched " + request.params.arguments.uri }] };
  }
  return { content: [{ type: "text", text: JSON.stringify({ subscribed: [...subscribed].sort(), reads }) }] };
});

await server.connect(new StdioServerTransport());
