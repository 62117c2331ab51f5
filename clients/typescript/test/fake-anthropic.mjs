// A loopback stand-in for the Anthropic Messages API (POST /v1/messages, streamed as server-sent
// events: message_start, content_block_start/delta/stop, message_delta, message_stop), scripted
// rather than a model: while the conversation has no tool_result yet and the request offers the
// scripted tool, the assistant calls it with the scripted input; after that (or for any other call
// the CLI makes, such as a title), it answers a short text and ends its turn. It records every
// request so that a test can say what the CLI sent.
import http from "node:http";

export async function startFakeAnthropic({ toolName, toolInput, toolUseId }) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "POST" || path !== "/v1/messages") {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type: "not_found_error", message: `no ${req.method} ${path} here` } }));
      return;
    }
    const message = JSON.parse(body);
    requests.push(message);
    const answered = message.messages.some((m) => Array.isArray(m.content) && m.content.some((block) => block.type === "tool_result"));
    const offered = (message.tools ?? []).some((tool) => tool.name === toolName);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    send("message_start", { message: { id: `msg_${requests.length}`, type: "message", role: "assistant", model: message.model,
      content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } });
    if (offered && !answered) {
      send("content_block_start", { index: 0, content_block: { type: "tool_use", id: toolUseId, name: toolName, input: {} } });
      // The input arrives as partial JSON, split the way a model streams it.
      const json = JSON.stringify(toolInput);
      const half = Math.floor(json.length / 2);
      send("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: json.slice(0, half) } });
      send("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: json.slice(half) } });
      send("content_block_stop", { index: 0 });
      send("message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 12 } });
    } else {
      send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
      send("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Done." } });
      send("content_block_stop", { index: 0 });
      send("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 2 } });
    }
    send("message_stop", {});
    res.end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
