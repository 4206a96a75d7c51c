"""Defaults and helpers shared by the sync and async clients."""

from __future__ import annotations

from typing import Any, Dict

import httpx

from . import _core
from .types import ContentLike

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "DEFAULT_MAX_RETRIES", "ContentLike", "args"]

#: The production API root, as in the Quick Start.
DEFAULT_BASE_URL: str = _core.DEFAULT_BASE_URL
#: 60 s to get an answer, 10 s to connect (the vendor waits 300 s).
DEFAULT_TIMEOUT: httpx.Timeout = httpx.Timeout(60.0, connect=10.0)
#: Failed calls are sent again at most twice, when the core deems it safe.
DEFAULT_MAX_RETRIES: int = 2


def args(**kwargs: Any) -> Dict[str, Any]:
    """The call's arguments without the ones left to their default (None)."""
    return {k: v for k, v in kwargs.items() if v is not None}
