"""Defaults and helpers shared by the sync and async clients."""

from __future__ import annotations

import math
from typing import Any, Dict, Optional

import httpx

from . import _core
from .exceptions import InvalidRequestError
from .types import ContentLike

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "AttemptFailed",
    "ContentLike",
    "args",
    "attempt_seconds",
    "bounded_timeout",
    "check_total_timeout",
    "describe",
]

#: The production API root, as in the Quick Start.
DEFAULT_BASE_URL: str = _core.DEFAULT_BASE_URL
#: 60 s to get an answer, 10 s to connect (the vendor waits 300 s).
DEFAULT_TIMEOUT: httpx.Timeout = httpx.Timeout(60.0, connect=10.0)
#: Failed calls are sent again at most twice, when the core deems it safe.
DEFAULT_MAX_RETRIES: int = 2
#: The largest response body read (the core's default, 10 MiB).
DEFAULT_MAX_RESPONSE_BYTES: int = _core.DEFAULT_MAX_RESPONSE_BYTES


class AttemptFailed(Exception):
    """An attempt ended without a whole response, in the core's terms
    (``connect_failed``, ``transport_failed``, ``timed_out``, ``body_too_large``)."""

    def __init__(self, kind: str, detail: str, received: int = 0) -> None:
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail
        self.received = received


def describe(exc: BaseException) -> str:
    """An httpx error's words, or its class name when it has none."""
    return str(exc) or type(exc).__name__


def attempt_seconds(timeout: httpx.Timeout) -> float:
    """The per-attempt deadline an ``httpx.Timeout`` stands for: its largest value."""
    values = [v for v in (timeout.connect, timeout.read, timeout.write, timeout.pool) if v is not None]
    if not values:
        raise InvalidRequestError("timeout: set at least one limit, or every call could hang forever", field="timeout")
    return max(values)


def bounded_timeout(timeout: httpx.Timeout, limit: float) -> httpx.Timeout:
    """``timeout`` with no value above ``limit``, the seconds the attempt has left."""

    def cap(value: Optional[float]) -> float:
        return limit if value is None else min(value, limit)

    return httpx.Timeout(connect=cap(timeout.connect), read=cap(timeout.read), write=cap(timeout.write), pool=cap(timeout.pool))


def check_total_timeout(total_timeout: Optional[float]) -> Optional[float]:
    """A total timeout must be a positive, finite number of seconds."""
    if total_timeout is None:
        return None
    if isinstance(total_timeout, bool) or not isinstance(total_timeout, (int, float)):
        raise TypeError("total_timeout must be a number of seconds")
    if not math.isfinite(total_timeout) or total_timeout <= 0:
        raise InvalidRequestError("total_timeout: must be a positive number of seconds", field="total_timeout")
    return float(total_timeout)


def args(**kwargs: Any) -> Dict[str, Any]:
    """The call's arguments without the ones left to their default (None)."""
    return {k: v for k, v in kwargs.items() if v is not None}
