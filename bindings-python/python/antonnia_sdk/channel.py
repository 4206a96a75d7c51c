"""The channel side of the Quick Start: which messages to deliver, and how to
report what became of them.

    event = webhooks.parse(body, headers, secret)
    message = outbound_message(event)
    if message is not None:
        provider_id = my_channel.send(message.content)
        client.sessions.messages.update(message.session_id, message.id, **sent(provider_id))
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Optional, Union

from . import _core
from ._core import Event, Message

__all__ = [
    "is_outbound",
    "outbound_message",
    "sent",
    "delivered",
    "read",
    "failed",
    "delivery_fields",
    "whatsapp_error_description",
    "WHATSAPP_ERRORS",
]

WHATSAPP_ERRORS: Dict[int, str] = dict(_core.WHATSAPP_ERRORS)


def is_outbound(message: Message) -> bool:
    """Whether the channel must deliver it: a pending assistant message with
    content a user may see (not a thought or function call)."""
    return message.is_outbound


def outbound_message(event: Event) -> Optional[Message]:
    """The message to deliver, for an outbound ``message.created``; else None."""
    return event.outbound_message()


def delivery_fields(
    status: str,
    provider_message_id: Optional[str] = None,
    at: Optional[Union[datetime, str]] = None,
    code: Optional[int] = None,
    message: Optional[str] = None,
) -> Dict[str, Any]:
    """The ``messages.update`` keyword arguments reporting ``status``
    (``sent``, ``delivered``, ``read`` or ``failed``)."""
    return _core.delivery_fields(status, provider_message_id, at, code, message)


def sent(provider_message_id: Optional[str] = None, at: Optional[Union[datetime, str]] = None) -> Dict[str, Any]:
    """The channel accepted it (with the channel's own id for it)."""
    return delivery_fields("sent", provider_message_id, at)


def delivered(provider_message_id: Optional[str] = None, at: Optional[Union[datetime, str]] = None) -> Dict[str, Any]:
    """It reached the user's device."""
    return delivery_fields("delivered", provider_message_id, at)


def read(provider_message_id: Optional[str] = None, at: Optional[Union[datetime, str]] = None) -> Dict[str, Any]:
    """The user saw it."""
    return delivery_fields("read", provider_message_id, at)


def failed(code: Optional[int] = None, message: Optional[str] = None) -> Dict[str, Any]:
    """It could not be delivered; without ``message``, a known WhatsApp ``code``
    is described from the table."""
    return delivery_fields("failed", code=code, message=message)


def whatsapp_error_description(code: int) -> Optional[str]:
    """A readable description of a WhatsApp Cloud API error code, or None."""
    return _core.whatsapp_error_description(code)
