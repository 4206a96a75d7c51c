"""Defaults and helpers shared by the sync and async clients."""

from __future__ import annotations

import logging
import math
import os
import random
import sys
import warnings
from contextvars import ContextVar
from typing import Any, Dict, Generic, List, Mapping, Optional, Tuple, TypeVar

import httpx

from . import _core
from .exceptions import InvalidRequestError
from .types import ContentLike

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TOTAL_TIMEOUT",
    "AttemptFailed",
    "RawResponse",
    "Capture",
    "capture",
    "new_request_id",
    "not_a_call",
    "ContentLike",
    "args",
    "call_args",
    "attempt_seconds",
    "bounded_timeout",
    "check_total_timeout",
    "describe",
    "MAX_RETRIES_CAP",
    "check_max_items",
    "check_token",
    "checked_base_url",
    "checked_headers",
    "checked_max_retries",
    "checked_text",
    "invalid",
]

#: The production API root, as in the Quick Start.
DEFAULT_BASE_URL: str = _core.DEFAULT_BASE_URL
#: 60 s to get an answer, 10 s to connect (the vendor waits 300 s).
DEFAULT_TIMEOUT: httpx.Timeout = httpx.Timeout(60.0, connect=10.0)
#: Failed calls are sent again at most twice, when the core deems it safe.
DEFAULT_MAX_RETRIES: int = 2
#: The largest response body read (the core's default, 10 MiB).
DEFAULT_MAX_RESPONSE_BYTES: int = _core.DEFAULT_MAX_RESPONSE_BYTES
#: The longest a whole call may take by default, retries and waits between
#: them included: 120 s (the core's default).
DEFAULT_TOTAL_TIMEOUT: float = _core.DEFAULT_TOTAL_TIMEOUT_SECONDS

T = TypeVar("T")


def new_request_id() -> str:
    """A fresh id for a call's ``x-request-id``: ``req_`` and 32 hex digits,
    the format every binding of the SDK sends."""
    return f"req_{random.getrandbits(128):032x}"


class RawResponse(Generic[T]):
    """A call's parsed result next to the HTTP response it came from, as
    returned by ``client.with_raw_response(client.sessions.get, ...)``.

    ``data`` is what the call returns; ``status_code`` and ``headers`` are the
    final response's (after any retries); ``request_id`` is the server's id
    for the request when it sent one, else the one the SDK sent."""

    __slots__ = ("data", "status_code", "headers", "request_id")

    def __init__(self, data: T, status_code: int, headers: httpx.Headers, request_id: Optional[str]) -> None:
        self.data: T = data
        self.status_code: int = status_code
        self.headers: httpx.Headers = headers
        self.request_id: Optional[str] = request_id

    def parse(self) -> T:
        """The parsed result (``data``), under the name openai-python uses."""
        return self.data

    def __repr__(self) -> str:
        return f"RawResponse(status_code={self.status_code}, request_id={self.request_id!r}, data={self.data!r})"


class Capture:
    """Where a call made inside ``with_raw_response`` leaves its final response."""

    __slots__ = ("status_code", "headers", "request_id")

    def __init__(self) -> None:
        self.status_code: Optional[int] = None
        self.headers: List[Tuple[str, str]] = []
        self.request_id: Optional[str] = None

    def response(self, data: T, method: Any) -> RawResponse[T]:
        if self.status_code is None:
            raise not_a_call(method)
        return RawResponse(data, self.status_code, httpx.Headers(self.headers), self.request_id)


#: Set by ``with_raw_response`` for the call it wraps (a context variable, so
#: concurrent tasks and threads each see their own).
capture: ContextVar[Optional[Capture]] = ContextVar("antonnia_sdk_capture", default=None)


def not_a_call(method: Any) -> TypeError:
    name = getattr(method, "__qualname__", None) or type(method).__name__
    return TypeError(
        f"with_raw_response takes a method that makes one API call, such as client.sessions.get; "
        f"{name} is not one (iter_search and stream make many: use search for a raw page)"
    )


def _log_from_env() -> None:
    """``ANTONNIA_LOG=debug`` prints the SDK's debug lines (each attempt, its
    outcome, retries, request ids; never a header value or a body) on stderr,
    unless the application configured the ``antonnia_sdk`` logger itself."""
    level = os.environ.get("ANTONNIA_LOG", "").strip().lower()
    if level in ("", "off"):
        return
    if level not in ("debug", "info"):
        warnings.warn(f"ANTONNIA_LOG={level!r} is not one of 'debug', 'info', 'off': ignored", stacklevel=2)
        return
    logger = logging.getLogger("antonnia_sdk")
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)


_log_from_env()


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
    """A total timeout must be a positive, finite number of seconds (None:
    each attempt is still bounded by ``timeout``, the call by the retries)."""
    if total_timeout is None:
        return None
    if isinstance(total_timeout, bool) or not isinstance(total_timeout, (int, float)):
        raise TypeError("total_timeout must be a number of seconds")
    if not math.isfinite(total_timeout) or total_timeout <= 0:
        raise InvalidRequestError("total_timeout: must be a positive number of seconds", field="total_timeout")
    return float(total_timeout)


#: ``max_retries`` above this (the core's limit, in practice "retry for ever")
#: is clamped to it rather than refused: asking for more is not a mistake.
MAX_RETRIES_CAP: int = 2**32 - 1


def args(**kwargs: Any) -> Dict[str, Any]:
    """The call's arguments without the ones left to their default (None)."""
    return {k: v for k, v in kwargs.items() if v is not None}


def call_args(scope: Dict[str, Any], *options: str) -> Dict[str, Any]:
    """A client method's own parameters — its ``locals()`` taken before any
    other local is set — as the core's call arguments: ``self`` and the
    SDK-side ``options`` (such as ``max_items``) dropped, and parameters left
    to their default (None) left out. The method's signature stays the one
    place that lists them."""
    return {k: v for k, v in scope.items() if v is not None and k != "self" and k not in options}


def invalid(field: str, message: str) -> InvalidRequestError:
    """The SDK's error for a bad argument value, worded like the core's."""
    return InvalidRequestError(f"invalid {field}: {message}", field=field)


def checked_text(field: str, value: str) -> str:
    """``value``, unless it holds a lone surrogate, which UTF-8 (and so the
    core) cannot carry: then an ``InvalidRequestError`` naming ``field``."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(field, "is not valid Unicode text (it holds a lone surrogate such as \\udc80)") from None
    return value


def checked_base_url(base_url: str) -> str:
    """``base_url`` as text the core can read; the core refuses the rest
    (credentials, which httpx would send as Basic auth in place of the token,
    malformed hosts and ports) without repeating the URL."""
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a str, not {type(base_url).__name__}")
    return checked_text("base_url", base_url)


def checked_headers(headers: Optional[Mapping[str, str]]) -> Optional[List[Tuple[str, str]]]:
    """``headers`` as name/value pairs of text, or a ``TypeError`` naming what is not."""
    if headers is None:
        return None
    if not isinstance(headers, Mapping):
        raise TypeError(f"headers must be a mapping of str to str, not {type(headers).__name__}")
    pairs: List[Tuple[str, str]] = []
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(
                f"headers must map str to str; got {type(name).__name__} -> {type(value).__name__}"
            )
        pairs.append((checked_text("headers", name), checked_text("headers", value)))
    return pairs


def checked_max_retries(max_retries: int) -> int:
    """``max_retries`` as the core takes it: an int >= 0, clamped to ``MAX_RETRIES_CAP``."""
    if isinstance(max_retries, bool) or not isinstance(max_retries, int):
        raise TypeError(f"max_retries must be an int, not {type(max_retries).__name__}")
    if max_retries < 0:
        raise invalid("max_retries", "must be 0 or more")
    return min(max_retries, MAX_RETRIES_CAP)


def check_max_items(max_items: Optional[int]) -> None:
    """``iter_search``'s cap on results: None (no cap) or an int >= 0."""
    if max_items is None:
        return
    if isinstance(max_items, bool) or not isinstance(max_items, int):
        raise TypeError(f"max_items must be an int or None, not {type(max_items).__name__}")
    if max_items < 0:
        raise invalid("max_items", "must be 0 or more")


def check_token(token: str) -> None:
    """A token with a lone surrogate is a bad value, not a missing string."""
    if isinstance(token, str):
        checked_text("token", token)
