"""Webhooks Antonnia POSTs to your endpoint: verify (optionally) and parse.

``parse(body, headers, secret)`` returns an event shaped like the vendor's
``antonnia-events`` models: ``event.type``, ``event.id``, ``event.created_at``,
``event.data.object`` (a ``Message`` or ``Session``), ``event.data.action``.
Its class says what happened: ``MessageCreated``, ``SessionCreated``,
``SessionTransferred``, ``SessionFinished``, ``AppConnectionCreated``, or
``UnknownEvent`` for a ``type`` this version does not know (never an error).

The Standard Webhooks headers (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``) must verify with the endpoint's ``secret``
(``whsec_...``), else ``WebhookVerificationError`` (with ``reason``) is
raised. Verification is never skipped by accident: without a secret,
``parse`` raises (``reason == "missing_secret"``) unless you pass
``verify=False`` — for a source you already trust (a relay behind your own
authentication, a test). The vendor's ``antonnia-events`` never verifies;
code ported from it should pass the secret, or say ``verify=False``.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Optional, Protocol, Tuple, Union

from ._common import checked_text
from ._core import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TOLERANCE_SECONDS,
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
    "BodyLike",
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
#: ``http.client.HTTPMessage``, Starlette/Werkzeug headers, a list of pairs,
#: or an ASGI scope's ``[(b"name", b"value")]``.
HeadersLike = Union[SupportsItems, Iterable[Tuple[Union[str, bytes], Union[str, bytes]]]]

#: The raw request body: bytes as read, or text as some frameworks give it.
BodyLike = Union[bytes, bytearray, memoryview, str]

DEFAULT_TOLERANCE: float = DEFAULT_TOLERANCE_SECONDS


def _text(value: Union[str, bytes]) -> str:
    # Header bytes are Latin-1 on the wire (as ASGI servers pass them).
    return value.decode("latin-1") if isinstance(value, (bytes, bytearray)) else str(value)


def _pairs(headers: Optional[HeadersLike]) -> List[Tuple[str, str]]:
    if headers is None:
        return []
    items: Any = headers.items() if hasattr(headers, "items") else headers
    return [(_text(k), _text(v)) for k, v in items]


def _secret(secret: Optional[str]) -> Optional[str]:
    # A lone surrogate cannot cross into the core: say so as the SDK's error.
    return None if secret is None else checked_text("secret", secret)


def _bytes(body: BodyLike) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"body must be bytes or str, not {type(body).__name__}")


class WebhookReceiver:
    """A reusable receiver: ``WebhookReceiver(secret).receive(body, headers)``.

    ``verify=False`` parses without checking signatures (an explicit choice;
    a missing secret otherwise raises ``WebhookVerificationError``)."""

    def __init__(
        self,
        secret: Optional[str] = None,
        tolerance: float = DEFAULT_TOLERANCE,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        *,
        verify: bool = True,
    ) -> None:
        self._inner = _Receiver(_secret(secret), tolerance, max_body_bytes, verify)

    @property
    def verifies(self) -> bool:
        """Whether signatures are checked."""
        return self._inner.verifies

    def receive(self, body: BodyLike, headers: Optional[HeadersLike] = None, now: Optional[float] = None) -> Event:
        """Verifies and parses one delivery; ``now`` is Unix seconds (default: the clock)."""
        return self._inner.receive(_bytes(body), _pairs(headers), now)

    def __repr__(self) -> str:
        return f"WebhookReceiver(verifies={self.verifies})"


def parse(
    body: BodyLike,
    headers: Optional[HeadersLike] = None,
    secret: Optional[str] = None,
    tolerance: float = DEFAULT_TOLERANCE,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    *,
    verify: bool = True,
) -> Event:
    """Verifies a webhook with ``secret`` and parses it; ``verify=False`` skips
    the check explicitly (a missing secret is an error, never a silent skip)."""
    if not verify and max_body_bytes == DEFAULT_MAX_BODY_BYTES:
        # The common unverified case skips building a receiver.
        return parse_event(body if type(body) is bytes else _bytes(body))
    return _Receiver(_secret(secret), tolerance, max_body_bytes, verify).receive(_bytes(body), _pairs(headers), None)


def sign(secret: str, id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value (``v1,<base64>``) for a delivery: for tests and relays."""
    return sign_webhook(checked_text("secret", secret), checked_text("id", id), timestamp, _bytes(body))
