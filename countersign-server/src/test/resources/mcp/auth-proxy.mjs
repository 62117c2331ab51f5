// A reverse proxy on 127.0.0.1 in front of the gateway's /mcp that adds the agent's bearer token
// (the conformance suite sends none). Everything else passes as it is, Host and Origin included,
// and bodies stream both ways. Usage: node auth-proxy.mjs <target base URL> <token>; prints its port.
import http from 'node:http';

const target = new URL(process.argv[2]);
const token = process.argv[3];
const server = http.createServer((req, res) => {
  const headers = {...req.headers, authorization: `Bearer ${token}`};
  const upstream = http.request({hostname: target.hostname, port: target.port, path: req.url,
      method: req.method, headers}, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
