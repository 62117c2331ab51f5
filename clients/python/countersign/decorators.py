"""``@guarded``: a function that runs only when Countersign approves its call."""

import functools
import inspect
from typing import Any, Callable, Dict, Optional, Union

from .aio import AsyncCountersign
from .client import Countersign

Value = Union[str, Callable[..., Any]]


def guarded(client: Union[Countersign, AsyncCountersign], action: str, resource: Value, reason: Value = "",
            params: Optional[Callable[..., Dict[str, Any]]] = None, on_behalf_of: Optional[Value] = None,
            timeout: float = 600.0) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wraps a function so that each call asks Countersign first, waits for the decision, runs only
    when approved and reports the outcome; a refusal raises (ActionDenied, ApprovalExpired, ...).

    ``resource``, ``reason`` and ``on_behalf_of`` are strings, or functions of the call's arguments;
    ``params`` is a function of the call's arguments (default: the keyword arguments that are JSON
    values). A coroutine function needs an AsyncCountersign client.
    """

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(function)

        def ask(args: Any, kwargs: Any) -> Dict[str, Any]:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            named = dict(bound.arguments)

            def value(v: Optional[Value]) -> Optional[str]:
                return v(**named) if callable(v) else v

            return {"action": action, "resource": value(resource), "reason": value(reason) or "call " + function.__name__,
                    "params": params(**named) if params else {k: v for k, v in named.items() if _is_json(v)},
                    "on_behalf_of": value(on_behalf_of), "timeout": timeout}

        if inspect.iscoroutinefunction(function):
            if not isinstance(client, AsyncCountersign):
                raise TypeError("@guarded on a coroutine function needs an AsyncCountersign client")

            @functools.wraps(function)
            async def guarded_async(*args: Any, **kwargs: Any) -> Any:
                asked = ask(args, kwargs)
                return await client.guard(asked.pop("action"), asked.pop("resource"), asked.pop("reason"),
                                          lambda grant: function(*args, **kwargs), **asked)

            return guarded_async
        if not isinstance(client, Countersign):
            raise TypeError("@guarded on a plain function needs a Countersign client")

        @functools.wraps(function)
        def guarded_sync(*args: Any, **kwargs: Any) -> Any:
            asked = ask(args, kwargs)
            return client.guard(asked.pop("action"), asked.pop("resource"), asked.pop("reason"),
                                lambda grant: function(*args, **kwargs), **asked)

        return guarded_sync

    return decorate


def _is_json(value: Any) -> bool:
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_json(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _is_json(item) for key, item in value.items())
    return False
