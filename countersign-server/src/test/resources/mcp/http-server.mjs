// A Streamable HTTP MCP server (the official TypeScript SDK, stateless) on 127.0.0.1 and the port
// given as the first argument, for the supervision tests: "pid" says which process answers.
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

const port = Number(process.argv[2]);
http.createServer(async (req, res) => {
  const server = new McpServer({name: 'web', version: '1.0.0'});
  server.registerTool('pid', {description: 'Says which process answers.'},
      async () => ({content: [{type: 'text', text: String(process.pid)}]}));
  const transport = new StreamableHTTPServerTransport({sessionIdGenerator: undefined});
  res.on('close', () => { transport.close(); server.close(); });
  await server.connect(transport);
  await transport.handleRequest(req, res);
}).listen(port, '127.0.0.1', () => console.error(`listening on ${port}`));
