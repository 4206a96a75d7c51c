"""Defaults and helpers shared by the sync and async clients."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

import httpx

from . import _core
from .exceptions import InvalidRequestError
from .types import ContentLike

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "MAX_RETRIES_CAP",
    "ContentLike",
    "args",
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
#: ``max_retries`` above this (the core's limit, in practice "retry for ever")
#: is clamped to it rather than refused: asking for more is not a mistake.
MAX_RETRIES_CAP: int = 2**32 - 1


def args(**kwargs: Any) -> Dict[str, Any]:
    """The call's arguments without the ones left to their default (None)."""
    return {k: v for k, v in kwargs.items() if v is not None}


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
    """``base_url`` as the core may take it; never with credentials in it,
    which httpx would send as Basic auth in place of the token. The URL is not
    repeated in the error, so the password stays out of logs."""
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a str, not {type(base_url).__name__}")
    checked_text("base_url", base_url)
    try:
        parts = urlsplit(base_url)
        has_credentials = parts.username is not None or parts.password is not None
    except ValueError:
        raise invalid("base_url", "is not a valid URL") from None
    if has_credentials:
        raise invalid("base_url", "must not carry credentials (user:password@host); the token authenticates")
    return base_url


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
