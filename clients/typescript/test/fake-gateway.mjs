// A hand-written fake of the gateway's HTTP surface for the client's own tests (no mocking library):
// a real HTTP server on 127.0.0.1 that answers from a script and records what it was sent.
import { createServer } from "node:http";

/** answers: [status, body] pairs; status 0 drops the connection, -1 never answers. */
export async function fakeGateway(answers) {
  const received = [];
  const script = [...answers];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push({ method: request.method, path: request.url, headers: request.headers, body: body ? JSON.parse(body) : undefined });
      const [status, payload] = script.shift() ?? [500, {}];
      if (status === 0) return request.socket.destroy();
      if (status === -1) return undefined;
      response.writeHead(status, { "Content-Type": status >= 400 ? "application/problem+json" : "application/json", "X-Request-Id": "rid-1" });
      response.end(JSON.stringify(payload));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    received,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

export function requestJson(status, grant, more = {}) {
  return {
    id: "req_0123456789abcdefghijklmnop", status, agent: "reporter",
    action: { action: "db.export", resource: "db/prod/customers", params: {}, reason: "r" },
    decision: { effect: "require_approval", rules: ["exports"], reason: "needs a data owner", policyVersion: "v1" },
    votes: [], createdAt: "2026-12-01T00:00:00Z",
    ...(grant ? { grant: { token: grant, expiresAt: "2026-12-01T00:05:00Z" } } : {}),
    ...more,
  };
}
