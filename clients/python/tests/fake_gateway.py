"""A hand-written fake of the gateway's HTTP surface for the client's own tests (no mocking library):
a real HTTP server on 127.0.0.1, scripted answer by answer, that records what it was sent."""

import http.server
import json
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple

Answer = Tuple[int, Dict[str, str], Any]  # status, headers, JSON body; status 0: drop the connection; -1: never answer


class FakeGateway:
    def __init__(self, answers: List[Answer]):
        self.answers = list(answers)
        self.received: List[Dict[str, Any]] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fake.received.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                      "body": json.loads(body) if body else None})
                status, headers, payload = fake.answers.pop(0) if fake.answers else (500, {}, {})
                if status == 0:
                    self.close_connection = True
                    self.connection.close()
                    return
                if status == -1:
                    threading.Event().wait(5)
                    return
                data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = handle_one

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeGateway":
        self.thread.start()
        return self

    def __exit__(self, *args: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def request_json(status: str, grant: Optional[str] = None, **more: Any) -> Dict[str, Any]:
    body = {"id": "req_0123456789abcdefghijklmnop", "status": status, "agent": "reporter",
            "action": {"action": "db.export", "resource": "db/prod/customers", "params": {}, "reason": "r"},
            "decision": {"effect": "require_approval", "rules": ["exports"], "reason": "needs a data owner", "policyVersion": "v1"},
            "votes": [], "createdAt": "2026-12-01T00:00:00Z"}
    if grant:
        body["grant"] = {"token": grant, "expiresAt": "2026-12-01T00:05:00Z"}
    body.update(more)
    return body
