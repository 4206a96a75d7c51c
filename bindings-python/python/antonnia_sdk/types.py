"""The API's resources, under the names of the vendor's ``antonnia.conversations.types``.

They are Rust values exposed as read-only Python classes: attribute access,
``to_dict()`` (the wire's JSON shape), equality and a readable ``repr``.
Timestamps are timezone-aware ``datetime`` objects in UTC; free-form JSON
(``metadata``, ``template_parameters``) comes as dicts. Fields a response did
not carry are None. Content classes are constructible with the vendor's
keywords: ``MessageContentText(type="text", text="hi")``.
"""

from __future__ import annotations

from typing import Any, Dict, Literal, Mapping, TypedDict, Union

from ._core import (
    AIAgent,
    HumanAgent,
    Message,
    MessageContent,
    MessageContentAudio,
    MessageContentFile,
    MessageContentFunctionCall,
    MessageContentFunctionResult,
    MessageContentImage,
    MessageContentText,
    MessageContentThought,
    MessageContentUnknown,
    MessageContentVideo,
    Session,
    SessionSchedule,
    SurveySubmission,
    UnknownAgent,
    WHATSAPP_ERRORS,
)
from ._core import Agent as AgentBase

__all__ = [
    "Agent",
    "AgentBase",
    "AIAgent",
    "HumanAgent",
    "UnknownAgent",
    "Session",
    "SessionStatus",
    "Message",
    "MessageRole",
    "MessageDeliveryStatus",
    "AgentType",
    "DeliveryFields",
    "MessageContent",
    "MessageContentText",
    "MessageContentImage",
    "MessageContentVideo",
    "MessageContentAudio",
    "MessageContentFile",
    "MessageContentFunctionCall",
    "MessageContentFunctionResult",
    "MessageContentThought",
    "MessageContentUnknown",
    "SurveySubmission",
    "SessionSchedule",
    "ScheduledMessageConfig",
    "ScheduledNodeConfig",
    "MESSAGE_ERROR_CODES",
    "ContentLike",
    "ScheduleConfigLike",
]

#: Any agent: ``AIAgent``, ``HumanAgent`` or ``UnknownAgent`` (all subclasses of ``AgentBase``).
Agent = Union[AIAgent, HumanAgent, UnknownAgent]

# The API's enums (CONTRACT.md), as the client methods' parameter types: a
# typo such as status="opne" fails mypy instead of a request.
#: A session's ``status``.
SessionStatus = Literal["open", "closed"]
#: Who wrote a message.
MessageRole = Literal["user", "assistant"]
#: What became of a message on the channel.
MessageDeliveryStatus = Literal["pending", "sent", "delivered", "read", "failed", "rejected"]
#: An agent's ``type``.
AgentType = Literal["ai", "human"]


class _DeliveryFieldsRequired(TypedDict):
    delivery_status: MessageDeliveryStatus


class DeliveryFields(_DeliveryFieldsRequired, total=False):
    """What ``channel.sent()`` / ``delivered()`` / ``read()`` / ``failed()``
    return: ``messages.update`` keyword arguments, to pass with ``**``."""

    provider_message_id: str
    delivered_at: str
    delivery_error_code: int
    delivery_error_message: str

#: WhatsApp Cloud API error codes seen in ``delivery_error_code``, with a description.
MESSAGE_ERROR_CODES: Dict[int, str] = dict(WHATSAPP_ERRORS)

#: What calls accept as message content: a content object or its dict form.
ContentLike = Union[MessageContent, Mapping[str, Any]]


class ScheduledMessageConfig:
    """``sessions.schedule`` config: send this message when the time comes."""

    __slots__ = ("type", "message")

    def __init__(self, message: ContentLike, type: Literal["message"] = "message") -> None:
        self.type: Literal["message"] = type
        self.message = message

    def to_dict(self) -> Dict[str, Any]:
        message = self.message.to_dict() if isinstance(self.message, MessageContent) else dict(self.message)
        return {"type": self.type, "message": message}

    def __repr__(self) -> str:
        return f"ScheduledMessageConfig(message={self.message!r})"


class ScheduledNodeConfig:
    """``sessions.schedule`` config: run the agent from this flow node when the time comes."""

    __slots__ = ("type", "node_id")

    def __init__(self, node_id: str, type: Literal["node"] = "node") -> None:
        self.type: Literal["node"] = type
        self.node_id = node_id

    def to_dict(self) -> Dict[str, Any]:
        return {"type": self.type, "node_id": self.node_id}

    def __repr__(self) -> str:
        return f"ScheduledNodeConfig(node_id={self.node_id!r})"


#: What ``sessions.schedule`` accepts as ``config``.
ScheduleConfigLike = Union[ScheduledMessageConfig, ScheduledNodeConfig, Mapping[str, Any]]
