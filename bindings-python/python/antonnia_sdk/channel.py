"""The channel side of the Quick Start: which messages to deliver, and how to
report what became of them.

    event = webhooks.parse(body, headers, secret)
    message = outbound_message(event)
    if message is not None:
        out = deliverable(message)          # kind, text, media_url, mime_type, filename
        provider_id = my_channel.send(out)
        client.sessions.messages.update(session_id, message.id, **sent(provider_id))

An outbound message is not always text: ``deliverable`` says which kind it is
and gives what a channel needs to send each kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Literal, Optional, Union, cast

from . import _core
from ._common import checked_text
from ._core import (
    Event,
    Message,
    MessageContent,
    MessageContentAudio,
    MessageContentFile,
    MessageContentImage,
    MessageContentText,
    MessageContentUnknown,
    MessageContentVideo,
)
from .exceptions import InvalidRequestError
from .types import DeliveryFields

__all__ = [
    "Deliverable",
    "DeliverableKind",
    "DeliveryReportStatus",
    "deliverable",
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


#: What a channel reports with ``delivery_fields``.
DeliveryReportStatus = Literal["sent", "delivered", "read", "failed"]

#: The kinds of content a channel delivers; ``unknown`` is a ``type`` this SDK
#: version does not know (surfaced rather than dropped: see ``content.raw``).
DeliverableKind = Literal["text", "image", "video", "audio", "file", "unknown"]


@dataclass(frozen=True)
class Deliverable:
    """An outbound message's content, the same shape for every kind, so that a
    channel needs no ``isinstance`` chain over the content classes.

    ``text`` is set for ``text``; ``media_url`` for ``image``, ``video``,
    ``audio`` and ``file``; ``mime_type`` and ``filename`` for ``file`` (the
    API carries them for no other kind); ``transcript`` for ``audio`` when
    there is one; ``template_id`` / ``template_parameters`` for text rendered
    from a WhatsApp template. No kind carries a caption. ``content`` is the
    typed content itself, for anything else."""

    kind: DeliverableKind
    content: MessageContent
    text: Optional[str] = None
    media_url: Optional[str] = None
    mime_type: Optional[str] = None
    filename: Optional[str] = None
    transcript: Optional[str] = None
    template_id: Optional[str] = None
    template_parameters: Optional[Dict[str, Any]] = None


def deliverable(message: Union[Message, MessageContent]) -> Deliverable:
    """What to send for an outbound message (or its content): its kind and,
    uniformly, its text / media URL / MIME type / file name.

    Raises ``InvalidRequestError`` for the AI's internal content (``thought``,
    ``function_call``, ``function_result``), which a channel never shows;
    ``outbound_message`` never returns such a message."""
    content = message.content if isinstance(message, Message) else message
    if isinstance(content, MessageContentText):
        return Deliverable(
            "text",
            content,
            text=content.text,
            template_id=content.template_id,
            template_parameters=content.template_parameters,
        )
    if isinstance(content, MessageContentImage):
        return Deliverable("image", content, media_url=content.url)
    if isinstance(content, MessageContentVideo):
        return Deliverable("video", content, media_url=content.url)
    if isinstance(content, MessageContentAudio):
        return Deliverable("audio", content, media_url=content.url, transcript=content.transcript)
    if isinstance(content, MessageContentFile):
        return Deliverable("file", content, media_url=content.url, mime_type=content.mime_type, filename=content.name)
    if isinstance(content, MessageContentUnknown):
        return Deliverable("unknown", content)
    if isinstance(content, MessageContent):
        raise InvalidRequestError(
            f"invalid message: {content.type} content is the AI's own and is never delivered", field="message"
        )
    raise TypeError(f"deliverable() takes a Message or a MessageContent, not {type(message).__name__}")


def delivery_fields(
    status: DeliveryReportStatus,
    provider_message_id: Optional[str] = None,
    at: Optional[Union[datetime, str]] = None,
    code: Optional[int] = None,
    message: Optional[str] = None,
) -> DeliveryFields:
    """The ``messages.update`` keyword arguments reporting ``status``
    (``sent``, ``delivered``, ``read`` or ``failed``)."""
    for field, value in (("provider_message_id", provider_message_id), ("at", at), ("message", message)):
        if isinstance(value, str):
            checked_text(field, value)
    return cast(DeliveryFields, _core.delivery_fields(status, provider_message_id, at, code, message))


def sent(provider_message_id: Optional[str] = None, at: Optional[Union[datetime, str]] = None) -> DeliveryFields:
    """The channel accepted it (with the channel's own id for it)."""
    return delivery_fields("sent", provider_message_id, at)


def delivered(provider_message_id: Optional[str] = None, at: Optional[Union[datetime, str]] = None) -> DeliveryFields:
    """It reached the user's device."""
    return delivery_fields("delivered", provider_message_id, at)


def read(provider_message_id: Optional[str] = None, at: Optional[Union[datetime, str]] = None) -> DeliveryFields:
    """The user saw it."""
    return delivery_fields("read", provider_message_id, at)


def failed(code: Optional[int] = None, message: Optional[str] = None) -> DeliveryFields:
    """It could not be delivered; without ``message``, a known WhatsApp ``code``
    is described from the table."""
    return delivery_fields("failed", code=code, message=message)


def whatsapp_error_description(code: int) -> Optional[str]:
    """A readable description of a WhatsApp Cloud API error code, or None."""
    return _core.whatsapp_error_description(code)
