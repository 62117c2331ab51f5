"""Countersign SDK for agents: ask before acting, wait for a human, run only when approved, report the outcome.

Standard library only; Python 3.9+.
"""

from .aio import AsyncCountersign
from .client import Countersign, Grant
from .decorators import guarded
from .errors import (
    ActionDenied,
    ActionNotAuthorized,
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

__all__ = [
    "ActionDenied", "ActionNotAuthorized", "ApprovalCancelled", "ApprovalExpired", "ApprovalTimedOut", "AsyncCountersign",
    "Countersign", "CountersignApiError", "CountersignError", "CountersignNetworkError", "CountersignProtocolError",
    "ExecutionNotReported", "Grant", "GrantUnavailable", "guarded",
]
