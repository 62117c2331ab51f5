"""The asyncio variant: the same calls as coroutines.

Each HTTP call runs in a worker thread (``asyncio.to_thread``), so the SDK stays standard library
only; a long-poll holds one thread for at most ``max_long_poll`` seconds.
"""

import asyncio
import inspect
from typing import Any, Awaitable, Callable, Dict, Optional, TypeVar, Union

from .client import Countersign, Grant, LOG
from .errors import CountersignError, ExecutionNotReported

T = TypeVar("T")


class AsyncCountersign:
    """``Countersign`` for asyncio code; ``guard`` takes a coroutine function or a plain one."""

    def __init__(self, base_url: str, api_key: str, timeout: float = 10.0, max_long_poll: int = 30, retries: int = 2):
        self._sync = Countersign(base_url, api_key, timeout, max_long_poll, retries)

    def __repr__(self) -> str:
        return "Async" + repr(self._sync)

    async def request(self, action: str, resource: str, reason: str, **options: Any) -> Dict[str, Any]:
        return await asyncio.to_thread(self._sync.request, action, resource, reason, **options)

    async def get(self, request_id: str) -> Dict[str, Any]:
        return await asyncio.to_thread(self._sync.get, request_id)

    async def wait_for_decision(self, request_id: str, timeout: float = 600.0) -> Dict[str, Any]:
        return await asyncio.to_thread(self._sync.wait_for_decision, request_id, timeout)

    async def authorize(self, action: str, resource: str, reason: str, **options: Any) -> Grant:
        return await asyncio.to_thread(self._sync.authorize, action, resource, reason, **options)

    async def report_execution(self, grant: Grant, outcome: str, detail: Optional[str] = None) -> Dict[str, Any]:
        return await asyncio.to_thread(self._sync.report_execution, grant, outcome, detail)

    async def cancel(self, request_id: str) -> Dict[str, Any]:
        return await asyncio.to_thread(self._sync.cancel, request_id)

    async def simulate(self, action: str, resource: str, reason: str, params: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        return await asyncio.to_thread(self._sync.simulate, action, resource, reason, params)

    async def guard(self, action: str, resource: str, reason: str, work: Callable[[Grant], Union[T, Awaitable[T]]],
                    **options: Any) -> T:
        """Asks, waits, awaits ``work(grant)`` once and only when approved, and reports how it ended."""
        grant = await self.authorize(action, resource, reason, **options)
        try:
            result = work(grant)
            if inspect.isawaitable(result):
                result = await result
        except BaseException as error:
            try:
                await self.report_execution(grant, "failed", "%s: %s" % (type(error).__name__, error))
            except CountersignError as report_error:
                LOG.warning("could not report the failure of request %s: %s", grant.request_id, report_error)
            raise
        try:
            await self.report_execution(grant, "succeeded")
        except CountersignError as report_error:
            raise ExecutionNotReported(grant.request_id, report_error) from report_error
        return result  # type: ignore[return-value]
