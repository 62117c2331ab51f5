"""The exceptions of the Countersign SDK. Each problem answer carries its RFC 9457 type, detail and requestId."""

from typing import Any, Dict, List, Optional


class CountersignError(Exception):
    """Every error this SDK raises."""


class CountersignApiError(CountersignError):
    """The gateway answered with a problem (``application/problem+json``)."""

    def __init__(self, method: str, path: str, status: int, problem: Dict[str, Any], request_id: Optional[str]):
        self.status = status
        self.type: str = str(problem.get("type") or "about:blank")
        self.title: str = str(problem.get("title") or "HTTP %d" % status)
        self.detail: Optional[str] = problem.get("detail") if isinstance(problem.get("detail"), str) else None
        self.instance: Optional[str] = problem.get("instance") if isinstance(problem.get("instance"), str) else None
        self.request_id: Optional[str] = problem.get("requestId") if isinstance(problem.get("requestId"), str) else request_id
        super().__init__("%s %s answered %d %s%s" % (method, path, status, self.title, ": " + self.detail if self.detail else ""))


class CountersignNetworkError(CountersignError):
    """No answer: the connection failed, or the call passed its timeout."""

    def __init__(self, method: str, path: str, cause: BaseException, timed_out: bool):
        self.timed_out = timed_out
        super().__init__("%s %s got no answer%s: %s" % (method, path, " in time" if timed_out else "", cause))


class CountersignProtocolError(CountersignError):
    """An answer outside the contract."""


class ActionNotAuthorized(CountersignError):
    """The answer is no, or not yet: the action must not run."""

    def __init__(self, message: str, request: Dict[str, Any]):
        self.request = request
        self.request_id: str = request["id"]
        super().__init__(message)


class ActionDenied(ActionNotAuthorized):
    """The policy or a human denied the action."""

    def __init__(self, request: Dict[str, Any]):
        decision = request.get("decision", {})
        self.rules: List[str] = list(decision.get("rules", []))
        # The denying human's comment when a human denied it with one (as the Java SDK says), else the policy's reason.
        denials = [vote.get("comment") for vote in request.get("votes") or [] if vote.get("choice") == "deny" and vote.get("comment")]
        self.reason: str = (denials[-1] if denials else None) or request.get("resolution") or decision.get("reason", "")
        self.denied_by: Optional[str] = request.get("decidedBy")
        by = self.denied_by or "policy rule(s) " + (", ".join(self.rules) or "default")
        action = request.get("action", {})
        super().__init__("%s on %s was denied by %s: %s" % (action.get("action"), action.get("resource"), by, self.reason), request)


class ApprovalExpired(ActionNotAuthorized):
    """Nobody decided before the approval's timeout; the request expired (denied by default)."""

    def __init__(self, request: Dict[str, Any]):
        super().__init__("request %s expired before anybody decided it" % request["id"], request)


class ApprovalCancelled(ActionNotAuthorized):
    """The request was cancelled."""

    def __init__(self, request: Dict[str, Any]):
        super().__init__("request %s was cancelled" % request["id"], request)


class ApprovalTimedOut(ActionNotAuthorized):
    """Still pending when the caller's timeout ended; it stays pending on the gateway."""

    def __init__(self, request: Dict[str, Any], timeout: float):
        self.approval_url: Optional[str] = (request.get("approval") or {}).get("url")
        super().__init__("request %s is still pending after %.1f s" % (request["id"], timeout), request)


class GrantUnavailable(ActionNotAuthorized):
    """Approved, but no usable grant (already executed, or the grant expired)."""

    def __init__(self, request: Dict[str, Any]):
        super().__init__("request %s is %s and has no usable grant" % (request["id"], request.get("status")), request)


class ExecutionNotReported(CountersignError):
    """guard ran the work but could not report it. The work HAS run: don't run it again."""

    def __init__(self, request_id: str, cause: BaseException):
        self.request_id = request_id
        super().__init__("the work for request %s ran, but reporting it failed: %s" % (request_id, cause))
