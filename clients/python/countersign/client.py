"""The synchronous client: standard library only (urllib), Python 3.9+."""

import json
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Callable, Dict, Optional, TypeVar

from .errors import (
    ActionDenied,
    ApprovalCancelled,
    ApprovalExpired,
    ApprovalTimedOut,
    CountersignApiError,
    CountersignError,
    CountersignNetworkError,
    CountersignProtocolError,
    ExecutionNotReported,
    GrantUnavailable,
)

T = TypeVar("T")
LOG = logging.getLogger("countersign")
_FIRST_RECONNECT = 0.25
_LAST_RECONNECT = 2.0


class Grant:
    """The single-use permission to run an approved action. Its token never prints: repr and str show ***."""

    __slots__ = ("request_id", "expires_at", "_token")

    def __init__(self, request_id: str, token: str, expires_at: str):
        self.request_id = request_id
        self.expires_at = expires_at
        self._token = token

    def reveal(self) -> str:
        """The secret token, for the one call that needs it (report_execution)."""
        return self._token

    def __repr__(self) -> str:
        return "Grant(%s, ***)" % self.request_id

    __str__ = __repr__


class Countersign:
    """An agent's connection to Countersign.

    Every call has a timeout (``timeout`` seconds; a long-poll adds its wait). A submission without
    an idempotency key gets a random one, and a submission that got no answer (or a 502/503/504) is
    sent again with the same key, so a retry never makes a second request. The API key and grants are
    never logged.
    """

    def __init__(self, base_url: str, api_key: str, timeout: float = 10.0, max_long_poll: int = 30, retries: int = 2):
        if not base_url or not api_key:
            raise ValueError("base_url and api_key are required")
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout = timeout
        self._max_long_poll = max(1, min(int(max_long_poll), 60))
        self._retries = retries

    def __repr__(self) -> str:
        return "Countersign(%s)" % self._base_url

    def request(self, action: str, resource: str, reason: str, params: Optional[Dict[str, Any]] = None,
                on_behalf_of: Optional[str] = None, idempotency_key: Optional[str] = None, wait: int = 0) -> Dict[str, Any]:
        """Asks for an action: approved (with a grant), denied, or pending; ``wait`` seconds holds a pending answer."""
        body: Dict[str, Any] = {"action": action, "resource": resource, "reason": reason, "params": params or {},
                                "idempotencyKey": idempotency_key or str(uuid.uuid4())}
        if on_behalf_of:
            body["onBehalfOf"] = on_behalf_of
        attempt = 0
        while True:
            try:
                return self._call("POST", "/v1/actions" + _wait_query(wait), body, wait)
            except (CountersignNetworkError, CountersignApiError) as error:
                if not _is_outage(error) or attempt >= self._retries:
                    raise
                time.sleep(_FIRST_RECONNECT * 2 ** attempt)
                attempt += 1

    def get(self, request_id: str) -> Dict[str, Any]:
        """The request as the gateway has it now."""
        return self._call("GET", "/v1/actions/" + urllib.parse.quote(request_id, safe=""), None, 0)

    def wait_for_decision(self, request_id: str, timeout: float = 600.0) -> Dict[str, Any]:
        """Long-polls until the request is decided or ``timeout`` ends (then it is still pending).

        A gateway restart or a lost connection mid-poll is waited out: the poll reconnects.
        """
        deadline = time.monotonic() + timeout
        return self._poll_until(deadline, self._read_through_outages(request_id, 0, deadline))

    def authorize(self, action: str, resource: str, reason: str, params: Optional[Dict[str, Any]] = None,
                  on_behalf_of: Optional[str] = None, idempotency_key: Optional[str] = None, timeout: float = 600.0) -> Grant:
        """Asks and waits; the grant when approved, or raises ActionDenied, ApprovalExpired, ApprovalCancelled,
        ApprovalTimedOut or GrantUnavailable."""
        deadline = time.monotonic() + timeout
        # The submission answers at once; the wait is on reads, which reconnect through a restart.
        first = self.request(action, resource, reason, params, on_behalf_of, idempotency_key)
        return _grant_of(self._poll_until(deadline, first), timeout)

    def guard(self, action: str, resource: str, reason: str, work: Callable[[Grant], T], params: Optional[Dict[str, Any]] = None,
              on_behalf_of: Optional[str] = None, idempotency_key: Optional[str] = None, timeout: float = 600.0) -> T:
        """Asks, waits, runs ``work(grant)`` once and only when approved, and reports how it ended.

        A raising ``work`` is reported as failed and re-raised. If the work succeeded but the report
        failed, ExecutionNotReported is raised: the work has run.
        """
        grant = self.authorize(action, resource, reason, params, on_behalf_of, idempotency_key, timeout)
        try:
            result = work(grant)
        except BaseException as error:
            try:
                self.report_execution(grant, "failed", "%s: %s" % (type(error).__name__, error))
            except CountersignError as report_error:
                LOG.warning("could not report the failure of request %s: %s", grant.request_id, report_error)
            raise
        try:
            self.report_execution(grant, "succeeded")
        except CountersignError as report_error:
            raise ExecutionNotReported(grant.request_id, report_error) from report_error
        return result

    def report_execution(self, grant: Grant, outcome: str, detail: Optional[str] = None) -> Dict[str, Any]:
        """Reports how an approved action ended (``succeeded`` or ``failed``); consumes the grant."""
        if outcome not in ("succeeded", "failed"):
            raise ValueError("outcome is %r, want 'succeeded' or 'failed'" % outcome)
        body: Dict[str, Any] = {"grant": grant.reveal(), "outcome": outcome}
        if detail is not None:
            body["detail"] = detail[:4096]
        return self._call("POST", "/v1/actions/%s/execution" % urllib.parse.quote(grant.request_id, safe=""), body, 0)

    def cancel(self, request_id: str) -> Dict[str, Any]:
        """Withdraws a pending request."""
        return self._call("POST", "/v1/actions/%s/cancel" % urllib.parse.quote(request_id, safe=""), {}, 0)

    def simulate(self, action: str, resource: str, reason: str, params: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """What the policy would decide for this agent; nothing is recorded."""
        return self._send("POST", "/v1/decisions/simulate", {"action": action, "resource": resource, "reason": reason,
                                                              "params": params or {}}, 0)

    def _poll_until(self, deadline: float, status: Dict[str, Any]) -> Dict[str, Any]:
        while status["status"] == "pending" and time.monotonic() < deadline:
            status = self._read_through_outages(status["id"], self._wait_for(deadline), deadline)
        return status

    def _read_through_outages(self, request_id: str, wait: int, deadline: float) -> Dict[str, Any]:
        pause = _FIRST_RECONNECT
        path = "/v1/actions/" + urllib.parse.quote(request_id, safe="")
        while True:
            started = time.monotonic()
            try:
                status = self._call("GET", path + _wait_query(wait), None, wait)
                if status["status"] == "pending" and wait > 0 and time.monotonic() - started < 0.2:
                    time.sleep(0.2)  # a proxy that answers at once must not turn waiting into a hot loop
                return status
            except (CountersignNetworkError, CountersignApiError) as error:
                if not _is_outage(error) or time.monotonic() + pause >= deadline:
                    raise
                LOG.info("reconnecting to %s in %.2f s", request_id, pause)
                time.sleep(pause)
                pause = min(pause * 2, _LAST_RECONNECT)
                wait = self._wait_for(deadline)

    def _wait_for(self, deadline: float) -> int:
        return max(0, min(self._max_long_poll, int(deadline - time.monotonic())))

    def _call(self, method: str, path: str, body: Optional[Dict[str, Any]], wait: int) -> Dict[str, Any]:
        answer = self._send(method, path, body, wait)
        if not isinstance(answer.get("id"), str) or not isinstance(answer.get("status"), str) or "decision" not in answer:
            raise CountersignProtocolError("%s %s answered without id, status and decision" % (method, path.split("?")[0]))
        grant = answer.pop("grant", None)
        answer.setdefault("votes", [])
        if isinstance(grant, dict) and isinstance(grant.get("token"), str):
            answer["grant"] = Grant(answer["id"], grant["token"], str(grant.get("expiresAt")))
        return answer

    def _send(self, method: str, path: str, body: Optional[Dict[str, Any]], wait: int) -> Dict[str, Any]:
        route = path.split("?")[0]
        headers = {"Authorization": "Bearer " + self._api_key, "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self._base_url + path, data=data, headers=headers, method=method)
        limit = wait + self._timeout
        try:
            with urllib.request.urlopen(request, timeout=limit) as response:
                status, text, request_id = response.status, response.read(), response.headers.get("X-Request-Id")
        except urllib.error.HTTPError as error:
            status, text, request_id = error.code, error.read(), error.headers.get("X-Request-Id")
        except (urllib.error.URLError, OSError, socket.timeout) as error:
            reason = getattr(error, "reason", error)
            timed_out = isinstance(reason, (socket.timeout, TimeoutError))
            LOG.info("%s %s no answer%s", method, route, " in %.1f s" % limit if timed_out else "")
            raise CountersignNetworkError(method, route, reason if isinstance(reason, BaseException) else error, timed_out) from None
        LOG.debug("%s %s %d %s", method, route, status, request_id or "-")
        try:
            answer = json.loads(text) if text else {}
        except ValueError:
            if status < 400:
                raise CountersignProtocolError("%s %s answered %d with a body that is not JSON" % (method, route, status)) from None
            answer = {}
        if status >= 400:
            raise CountersignApiError(method, route, status, answer if isinstance(answer, dict) else {}, request_id)
        if not isinstance(answer, dict):
            raise CountersignProtocolError("%s %s answered %d with JSON that is not an object" % (method, route, status))
        return answer


def _grant_of(status: Dict[str, Any], timeout: float) -> Grant:
    state = status["status"]
    if state == "approved":
        if isinstance(status.get("grant"), Grant):
            return status["grant"]
        raise GrantUnavailable(status)
    if state == "pending":
        raise ApprovalTimedOut(status, timeout)
    if state == "denied":
        raise ActionDenied(status)
    if state == "expired":
        raise ApprovalExpired(status)
    if state == "cancelled":
        raise ApprovalCancelled(status)
    raise GrantUnavailable(status)


def _is_outage(error: Exception) -> bool:
    return isinstance(error, CountersignNetworkError) or (isinstance(error, CountersignApiError) and 502 <= error.status <= 504)


def _wait_query(seconds: int) -> str:
    return "?wait=%ds" % seconds if seconds > 0 else ""
