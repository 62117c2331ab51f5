"""What the scenario tests need from the gateway the Maven build started: its address, an agent key,
an approver's token and a control address that restarts it. Absent: the gateway tests skip."""

import json
import os
import pathlib
import time
import urllib.request
import uuid
from typing import Any, Dict, List, Optional

URL = os.environ.get("COUNTERSIGN_URL")
AGENT_KEY = os.environ.get("COUNTERSIGN_AGENT_KEY")
APPROVER_TOKEN = os.environ.get("COUNTERSIGN_APPROVER_TOKEN")
CONTROL_URL = os.environ.get("COUNTERSIGN_CONTROL_URL")
SCENARIOS = pathlib.Path(os.environ.get("COUNTERSIGN_SCENARIOS", pathlib.Path(__file__).resolve().parents[2] / "scenarios.json"))
SKIP_REASON = "no gateway: run through ./mvnw verify (SdkSuitesTest), or set COUNTERSIGN_URL, COUNTERSIGN_AGENT_KEY, COUNTERSIGN_APPROVER_TOKEN"
RUN = uuid.uuid4().hex[:8]


def available() -> bool:
    return bool(URL and AGENT_KEY and APPROVER_TOKEN)


def scenarios() -> List[Dict[str, Any]]:
    return json.loads(SCENARIOS.read_text(encoding="utf-8"))["scenarios"]


def unique(action: Dict[str, Any], suffix: str) -> Dict[str, Any]:
    """The scenario's action, made unique to this run so that suites can share one gateway."""
    copy = dict(action)
    copy["resource"] = "%s-%s" % (action["resource"], suffix)
    copy["reason"] = "%s (%s)" % (action["reason"], suffix)
    return copy


def call(method: str, path: str, token: Optional[str], body: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """A plain API call, as a human or the agent would make it with curl; raises on a non-2xx answer."""
    request = urllib.request.Request(URL + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def pending_id(resource: str, timeout: float = 20.0) -> str:
    """The id of the pending request for this resource, from the approver's inbox, once it is there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for item in call("GET", "/v1/approvals?status=pending", APPROVER_TOKEN)["items"]:
            if item["action"]["resource"] == resource:
                return item["id"]
        time.sleep(0.1)
    raise AssertionError("no pending request for %s in the inbox after %.0f s" % (resource, timeout))


def inbox_count(resource: str) -> int:
    return sum(1 for item in call("GET", "/v1/approvals?status=pending", APPROVER_TOKEN)["items"]
               if item["action"]["resource"] == resource)


def do_step(step: Dict[str, Any], request_id: str) -> None:
    kind = step["do"]
    if kind == "approve":
        call("POST", "/v1/actions/%s/approve" % request_id, APPROVER_TOKEN, {"comment": step.get("comment", "ok")})
    elif kind == "deny":
        call("POST", "/v1/actions/%s/deny" % request_id, APPROVER_TOKEN, {"comment": step.get("comment", "no")})
    elif kind == "cancel":
        call("POST", "/v1/actions/%s/cancel" % request_id, AGENT_KEY, {})
    elif kind == "restartGateway":
        if not CONTROL_URL:
            raise AssertionError("restartGateway needs COUNTERSIGN_CONTROL_URL")
        time.sleep(0.5)  # let the SDK's long-poll be in flight when the gateway goes
        with urllib.request.urlopen(urllib.request.Request(CONTROL_URL + "/restart", method="POST", data=b""), timeout=60):
            pass
    else:
        raise AssertionError("unknown step %r in scenarios.json" % kind)
