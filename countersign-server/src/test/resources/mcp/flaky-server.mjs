// A stdio MCP server that misbehaves on request, for the supervision tests: "boom" exits mid-call,
// "big" answers with a result of 'size' bytes, "hold" is a tool the policy holds for approval, "pid"
// says which process answers. While the file named by the first argument exists, it exits at start.
import fs from 'node:fs';
import readline from 'node:readline';

if (process.argv[2] && fs.existsSync(process.argv[2])) process.exit(1);
const tools = ['boom', 'big', 'hold', 'pid'].map((name) => ({name, inputSchema: {type: 'object'}}));
const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
const text = (value) => ({content: [{type: 'text', text: value}]});
readline.createInterface({input: process.stdin}).on('line', (line) => {
  const m = JSON.parse(line);
  // As the TypeScript SDK writes it: the id last.
  const answer = (result) => send({result, jsonrpc: '2.0', id: m.id});
  if (m.method === 'initialize') answer({protocolVersion: m.params.protocolVersion,
      capabilities: {tools: {}}, serverInfo: {name: 'flaky', version: '1'}});
  else if (m.method === 'tools/list') answer({tools});
  else if (m.method === 'ping') answer({});
  else if (m.method === 'tools/call') {
    const name = m.params.name;
    if (name === 'boom') process.exit(3);
    else if (name === 'big') answer(text('x'.repeat(m.params.arguments.size)));
    else if (name === 'hold') answer(text('held call ran'));
    else if (name === 'pid') answer(text(String(process.pid)));
  }
});
