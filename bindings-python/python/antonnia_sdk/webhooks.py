"""Webhooks Antonnia POSTs to your endpoint: verify (optionally) and parse.

``parse(body, headers, secret)`` returns an event shaped like the vendor's
``antonnia-events`` models: ``event.type``, ``event.id``, ``event.created_at``,
``event.data.object`` (a ``Message`` or ``Session``), ``event.data.action``.
Its class says what happened: ``MessageCreated``, ``SessionCreated``,
``SessionTransferred``, ``SessionFinished``, ``AppConnectionCreated``, or
``UnknownEvent`` for a ``type`` this version does not know (never an error).

With a ``secret`` (``whsec_...``), the Standard Webhooks headers
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature``) must verify,
else ``WebhookVerificationError`` (with ``reason``) is raised.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Optional, Protocol, Tuple, Union

from ._core import (
    AppConnectionCreated,
    AppConnectionCreatedData,
    Event,
    EventData,
    MessageCreated,
    MessageCreatedData,
    SessionCreated,
    SessionCreatedData,
    SessionFinished,
    SessionFinishedData,
    SessionTransferred,
    SessionTransferredData,
    UnknownEvent,
    WebhookReceiver as _Receiver,
    parse_event,
    sign_webhook,
)

__all__ = [
    "parse",
    "parse_event",
    "WebhookReceiver",
    "HeadersLike",
    "SupportsItems",
    "sign",
    "Event",
    "EventData",
    "MessageCreated",
    "MessageCreatedData",
    "SessionCreated",
    "SessionCreatedData",
    "SessionTransferred",
    "SessionTransferredData",
    "SessionFinished",
    "SessionFinishedData",
    "AppConnectionCreated",
    "AppConnectionCreatedData",
    "UnknownEvent",
]



class SupportsItems(Protocol):
    """Anything with ``items()`` giving name/value pairs."""

    def items(self) -> Iterable[Tuple[str, str]]: ...


#: Request headers as any framework gives them: a ``dict``,
#: ``http.client.HTTPMessage``, Starlette/Werkzeug headers, or a list of pairs.
HeadersLike = Union[SupportsItems, Iterable[Tuple[str, str]]]

DEFAULT_TOLERANCE = 300.0
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


def _pairs(headers: Optional[HeadersLike]) -> List[Tuple[str, str]]:
    if headers is None:
        return []
    items: Any = headers.items() if hasattr(headers, "items") else headers
    return [(str(k), str(v)) for k, v in items]


class WebhookReceiver:
    """A reusable receiver: ``WebhookReceiver(secret).receive(body, headers)``."""

    def __init__(
        self,
        secret: Optional[str] = None,
        tolerance: float = DEFAULT_TOLERANCE,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self._inner = _Receiver(secret, tolerance, max_body_bytes)

    def receive(self, body: bytes, headers: Optional[HeadersLike] = None, now: Optional[float] = None) -> Event:
        """Verifies (when a secret is set) and parses one delivery; ``now`` is Unix seconds."""
        return self._inner.receive(body, _pairs(headers), now)

    def __repr__(self) -> str:
        return "WebhookReceiver(...)"


def parse(
    body: bytes,
    headers: Optional[HeadersLike] = None,
    secret: Optional[str] = None,
    tolerance: float = DEFAULT_TOLERANCE,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Event:
    """Parses a webhook body; with ``secret``, verifies its signature first."""
    if secret is None and max_body_bytes == DEFAULT_MAX_BODY_BYTES:
        return parse_event(body)
    return _Receiver(secret, tolerance, max_body_bytes).receive(body, _pairs(headers), None)


def sign(secret: str, id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value (``v1,<base64>``) for a delivery: for tests and relays."""
    return sign_webhook(secret, id, timestamp, body)
