"""Models, exceptions and helpers without a server."""

from __future__ import annotations

import pickle
from datetime import timezone
from pathlib import Path

import httpx
import pytest

import antonnia_sdk
from antonnia_sdk import _core, channel, webhooks
from antonnia_sdk.exceptions import AntonniaError, DecodeError, InvalidRequestError, PayloadTooLargeError
from antonnia_sdk.types import (
    AIAgent,
    Message,
    MessageContent,
    MessageContentText,
    MessageContentThought,
    MessageContentUnknown,
    Session,
)

BODY = (Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "message_created_410.json").read_bytes()


def test_vendor_style_content() -> None:
    c = MessageContentText(type="text", text="hi")
    assert isinstance(c, MessageContent) and c.text == "hi" and c.type == "text"
    assert c == MessageContentText(text="hi") and c != MessageContentText(text="ho")
    assert c.to_dict() == {"type": "text", "text": "hi"}
    assert repr(c) == "MessageContentText(text='hi', type='text')"
    assert not MessageContentThought(thought="x").is_deliverable
    with pytest.raises(InvalidRequestError) as info:
        MessageContentText(type="image", text="x")  # type: ignore[arg-type]
    assert info.value.field == "type"
    unknown = MessageContent.from_dict({"type": "sticker", "id": 7})
    assert isinstance(unknown, MessageContentUnknown) and unknown.raw == {"type": "sticker", "id": 7}
    assert {c: 1}[MessageContentText(text="hi")] == 1


def test_webhook_event_shape() -> None:
    event = webhooks.parse(BODY, verify=False)
    assert isinstance(event, webhooks.MessageCreated) and isinstance(event, webhooks.Event)
    assert event.type == "message.created" and event.id == "evt_01JH8Z6Q5T"
    assert event.created_at is not None and event.created_at.tzinfo is timezone.utc
    msg = event.data.object
    assert isinstance(msg, Message) and isinstance(msg.content, MessageContentText)
    assert msg.content.text.startswith("Order") and msg.is_outbound
    assert channel.outbound_message(event) == msg
    assert "MessageCreated(id=" in repr(event)
    assert event == webhooks.parse(BODY, verify=False)


def test_unknown_event_and_errors() -> None:
    e = webhooks.parse(b'{"type":"survey.answered","data":{"object":{"x":1}}}', verify=False)
    assert isinstance(e, webhooks.UnknownEvent) and e.type == "survey.answered"
    assert e.data.object == {"x": 1}
    with pytest.raises(DecodeError) as info:
        webhooks.parse(b'{"type":"message.created","data":{"object":{"id":"m","content":{"type":7}}}}', verify=False)
    assert info.value.path == "data.object.content"
    with pytest.raises(PayloadTooLargeError):
        webhooks.parse(b" " * (1024 * 1024 + 1), verify=False)
    for junk in [b"", b"\xff\xfe", b"[]", b"null", b"{" * 10000, b'{"type":1}']:
        with pytest.raises(AntonniaError):
            webhooks.parse(junk, verify=False)


def test_token_never_shown() -> None:
    client = antonnia_sdk.Client("sk_live_secret123")
    assert "sk_live_secret123" not in repr(client)
    assert "sk_live_secret123" not in repr(client._config)
    with pytest.raises(InvalidRequestError) as info:
        antonnia_sdk.Client("sk_live_secret123\n")
    assert "sk_live_secret123" not in str(info.value)


def test_bad_arguments_never_panic() -> None:
    client = antonnia_sdk.Client("sk_t", http_client=httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))))
    nested: dict = {}
    nested["self"] = nested
    for kwargs in [
        {"metadata": nested},
        {"metadata": {"x": float("nan")}},
        {"metadata": {"x": 10**40}},
        {"metadata": {1: "x"}},
        {"metadata": {"x": object()}},
        {"contact_id": 5},
    ]:
        args = {"contact_id": "c", "contact_name": "n", **kwargs}
        with pytest.raises(InvalidRequestError):
            client.sessions.create(**args)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError):
        _core.Call("sessions.nope", {})


def test_models_parse_and_compare() -> None:
    call = _core.Call("sessions.get", {"session_id": "s"})
    body = b'{"id":"s","status":"open","agent":{"id":"agent_abc","type":"ai","name":"Support Bot"},"created_at":"2025-01-15T07:30:00.5-03:00"}'
    s = call.parse(200, body)
    assert isinstance(s, Session) and isinstance(s.agent, AIAgent) and s.agent.name == "Support Bot"
    assert s.created_at is not None and s.created_at.isoformat() == "2025-01-15T10:30:00.500000+00:00"
    assert s.to_dict()["created_at"] == "2025-01-15T10:30:00.5Z" and s.metadata == {}
    assert s == call.parse(200, body) and repr(s).startswith("Session(id='s'")


def test_pickle_and_copy() -> None:
    import copy

    event = webhooks.parse(BODY, verify=False)
    values = [
        event,
        event.data.object,
        event.data.object.content,
        Session.from_dict({"id": "s", "agent": {"id": "a", "type": "ai", "assistant_id": "x"}}),
        AIAgent.from_dict({"id": "a", "type": "ai"}),
        MessageContent.from_dict({"type": "sticker", "id": 1}),
    ]
    for v in values:
        again = pickle.loads(pickle.dumps(v))
        assert again == v and type(again) is type(v)
        assert copy.deepcopy(v) == v


def test_from_dict_round_trips() -> None:
    data = {"id": "sess_1", "status": "open", "metadata": {"a": [1, 2]}, "agent": {"id": "h", "type": "human", "profile_id": "p"}}
    s = Session.from_dict(data)
    assert s.to_dict() == data and Session.from_dict(s.to_dict()) == s
    m = Message.from_dict({"id": "m", "content": {"type": "thought", "thought": "x"}})
    assert isinstance(m.content, MessageContentThought) and not m.is_outbound
    assert isinstance(AIAgent.from_dict({"id": "a", "type": "ai"}), AIAgent)
    with pytest.raises(DecodeError):
        Session.from_dict({"status": "open"})
