"""Bad input as a new user would write it: only the SDK's errors (or a
``TypeError`` for a wrong Python type) come out, naming the argument; no
secret leaks through a URL or a repr."""

from __future__ import annotations

import json
import sys
from typing import Any, Callable, List

import httpx
import pytest

import antonnia_sdk
from antonnia_sdk import channel
from antonnia_sdk.exceptions import InvalidRequestError
from antonnia_sdk.types import (
    Message,
    MessageContentAudio,
    MessageContentFile,
    MessageContentFunctionCall,
    MessageContentImage,
    MessageContentText,
    MessageContentThought,
    MessageContentVideo,
)

SURROGATE = "\udc80"


def mock_client(seen: List[httpx.Request], answer: Callable[[httpx.Request], Any] = lambda r: {}) -> antonnia_sdk.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=answer(request))

    return antonnia_sdk.Client("sk_t", base_url="http://h/v1", http_client=httpx.Client(transport=httpx.MockTransport(handler)))


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda c: c.sessions.get(SURROGATE), "session_id"),
        (lambda c: c.sessions.create(contact_id="u", contact_name="n" + SURROGATE), "contact_name"),
        (lambda c: c.sessions.create(contact_id="u", contact_name="n", metadata={"k": SURROGATE}), "metadata.k"),
        (lambda c: c.sessions.create(contact_id="u", contact_name="n", metadata={SURROGATE: 1}), "metadata (a key)"),
        (lambda c: c.sessions.messages.create("s", {"type": "text", "text": SURROGATE}), "content.text"),
        (lambda c: c.agents.update("a", name=SURROGATE), "name"),
    ],
)
def test_lone_surrogate_is_an_invalid_request_naming_the_argument(call: Any, field: str) -> None:
    seen: List[httpx.Request] = []
    with pytest.raises(InvalidRequestError) as info:
        call(mock_client(seen))
    assert info.value.field == field
    assert "surrogate" in str(info.value)
    assert seen == []


@pytest.mark.parametrize("arg", ["token", "base_url"])
def test_lone_surrogate_in_the_client_settings(arg: str) -> None:
    kwargs = {"token": "sk_t", "base_url": "http://h/v1"}
    kwargs[arg] += SURROGATE
    with pytest.raises(InvalidRequestError) as info:
        antonnia_sdk.Client(**kwargs)
    assert info.value.field == arg


def test_max_retries_accepts_any_int_and_clamps_the_huge() -> None:
    # A huge count means "keep trying", not a mistake: clamped to the core's limit.
    client = antonnia_sdk.Client("sk_t", max_retries=10**12)
    assert client._policy.max_attempts == 2**32 - 1  # MAX_RETRIES_CAP; the core saturates retries + 1
    assert antonnia_sdk.Client("sk_t", max_retries=3)._policy.max_attempts == 4
    with pytest.raises(InvalidRequestError) as info:
        antonnia_sdk.Client("sk_t", max_retries=-1)
    assert info.value.field == "max_retries"
    with pytest.raises(TypeError, match="max_retries"):
        antonnia_sdk.Client("sk_t", max_retries="3")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "headers, exc, needle",
    [
        ({"X": 1}, TypeError, "headers"),
        ({1: "x"}, TypeError, "headers"),
        ([("X", "1")], TypeError, "headers"),
        ({"X": "a" + SURROGATE}, InvalidRequestError, "headers"),
        ({"X": "line\nbreak"}, InvalidRequestError, "headers"),
    ],
)
def test_bad_headers_name_headers(headers: Any, exc: type, needle: str) -> None:
    with pytest.raises(exc) as info:
        antonnia_sdk.Client("sk_t", headers=headers)
    assert needle in str(info.value)


def test_update_fields_must_be_a_mapping() -> None:
    seen: List[httpx.Request] = []
    with pytest.raises(TypeError, match="fields"):
        mock_client(seen).sessions.update("s", fields="x")  # type: ignore[arg-type]
    assert seen == []


async def test_each_client_refuses_the_other_flavour_of_http_client() -> None:
    async_http = httpx.AsyncClient()
    with pytest.raises(TypeError, match="httpx.Client"):
        antonnia_sdk.Client("sk_t", http_client=async_http)  # type: ignore[arg-type]
    await async_http.aclose()
    with httpx.Client() as sync_http:
        with pytest.raises(TypeError, match="httpx.AsyncClient"):
            antonnia_sdk.AsyncClient("sk_t", http_client=sync_http)  # type: ignore[arg-type]


@pytest.mark.parametrize("url", ["http://user:pw@host/v1", "https://:pw@host", "http://user@host"])
def test_credentials_in_base_url_are_refused_without_echoing_them(url: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        antonnia_sdk.Client("sk_t", base_url=url)
    assert info.value.field == "base_url"
    assert "pw" not in str(info.value) and "pw" not in repr(info.value)
    assert "user" not in str(info.value).replace("user:password", "")


def test_the_token_still_authenticates_against_a_plain_base_url() -> None:
    seen: List[httpx.Request] = []
    mock_client(seen, lambda r: {"id": "s1"}).sessions.get("s1")
    assert seen[0].headers["authorization"] == "Bearer sk_t"


@pytest.mark.parametrize("cls", [antonnia_sdk.Client, antonnia_sdk.AsyncClient])
def test_repr_of_a_half_built_client_is_safe(cls: type) -> None:
    # A traceback formatter (rich, IPython, pytest's showlocals) reprs `self`
    # of a frame whose __init__ raised.
    captured: List[str] = []
    with pytest.raises(InvalidRequestError):
        try:
            cls(token="x\n")
        except InvalidRequestError:
            frame = sys.exc_info()[2]
            while frame is not None and frame.tb_next is not None:
                frame = frame.tb_next
            assert frame is not None
            half_built = frame.tb_frame.f_locals.get("self")
            if half_built is not None:
                captured.append(repr(half_built))
            raise
    assert captured and captured[0] == f"{cls.__name__}(<not initialised>)"
    assert repr(cls("sk_secret", base_url="http://h/v1")) == f"{cls.__name__}(base_url='http://h/v1')"


def test_iter_search_limit_is_the_page_size_and_max_items_caps_results() -> None:
    seen: List[httpx.Request] = []

    def pages(request: httpx.Request) -> Any:
        body = json.loads(request.content)
        start = body.get("offset", 0)
        # Shaped so that one list parses as sessions, messages and agents alike.
        item = {"type": "ai", "content": {"type": "text", "text": "hi"}}
        return [{**item, "id": f"s{i}"} for i in range(start, min(start + body["limit"], 7))]

    client = mock_client(seen, pages)
    assert [s.id for s in client.sessions.iter_search(limit=3)] == [f"s{i}" for i in range(7)]
    assert len(seen) == 3  # 3 + 3 + 1: limit is how many per request, not in all
    seen.clear()
    assert [s.id for s in client.sessions.iter_search(limit=3, max_items=4)] == ["s0", "s1", "s2", "s3"]
    assert len(seen) == 2  # no page fetched beyond the cap
    seen.clear()
    assert list(client.sessions.iter_search(limit=3, max_items=0)) == [] and seen == []
    assert [m.id for m in client.sessions.messages.iter_search(session_id="s", limit=2, max_items=3)] == ["s0", "s1", "s2"]
    assert len(list(client.agents.iter_search(limit=5, max_items=6))) == 6
    with pytest.raises(InvalidRequestError) as info:
        list(client.agents.iter_search(max_items=-1))
    assert info.value.field == "max_items"
    with pytest.raises(TypeError, match="max_items"):
        list(client.agents.iter_search(max_items="2"))  # type: ignore[arg-type]


async def test_async_iter_search_max_items() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        offset = json.loads(request.content).get("offset", 0)
        return httpx.Response(200, json=[{"id": f"a{offset}", "type": "ai"}])

    async with antonnia_sdk.AsyncClient("sk_t", http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))) as c:
        assert [a.id async for a in c.agents.iter_search(limit=1, max_items=2)] == ["a0", "a1"]


@pytest.mark.parametrize(
    "content, want",
    [
        (MessageContentText(text="hi"), {"kind": "text", "text": "hi", "media_url": None}),
        (MessageContentImage(url="https://x/i.png"), {"kind": "image", "media_url": "https://x/i.png", "text": None}),
        (MessageContentVideo(url="https://x/v.mp4"), {"kind": "video", "media_url": "https://x/v.mp4"}),
        (
            MessageContentAudio(url="https://x/a.ogg", transcript="hola"),
            {"kind": "audio", "media_url": "https://x/a.ogg", "transcript": "hola"},
        ),
        (
            MessageContentFile(url="https://x/f.pdf", mime_type="application/pdf", name="f.pdf"),
            {"kind": "file", "media_url": "https://x/f.pdf", "mime_type": "application/pdf", "filename": "f.pdf"},
        ),
    ],
)
def test_deliverable_gives_every_kind_uniformly(content: Any, want: Any) -> None:
    message = Message.from_dict(
        {"id": "m1", "session_id": "s1", "role": "assistant", "content": content.to_dict(), "delivery_status": "pending"}
    )
    for source in (message, content):
        out = channel.deliverable(source)
        for key, value in want.items():
            assert getattr(out, key) == value, (key, out)
        assert out.content == content


def test_deliverable_refuses_the_ais_internal_content() -> None:
    for content in (MessageContentThought(thought="hmm"), MessageContentFunctionCall(id="c", name="f", input="{}")):
        with pytest.raises(InvalidRequestError) as info:
            channel.deliverable(content)
        assert info.value.field == "message"
    with pytest.raises(TypeError):
        channel.deliverable("hi")  # type: ignore[arg-type]


def test_unknown_content_is_surfaced_as_unknown() -> None:
    out = channel.deliverable(Message.from_dict({"id": "m", "content": {"type": "sticker", "url": "u"}}))
    assert out.kind == "unknown" and out.content.to_dict()["type"] == "sticker"


def test_delivery_fields_unpack_into_messages_update() -> None:
    seen: List[httpx.Request] = []
    client = mock_client(seen, lambda r: {"id": "m1", "content": {"type": "text", "text": "hi"}})
    client.sessions.messages.update("s", "m1", **channel.sent("wamid.1", at="2024-01-02T03:04:05Z"))
    client.sessions.messages.update("s", "m1", **channel.failed(131047))
    assert json.loads(seen[0].content) == {
        "provider_message_id": "wamid.1",
        "delivery_status": "sent",
        "delivered_at": "2024-01-02T03:04:05Z",
    }
    failed = json.loads(seen[1].content)
    assert failed["delivery_status"] == "failed" and failed["delivery_error_code"] == 131047


def test_delivery_reports_refuse_a_lone_surrogate_by_name() -> None:
    for report, field in ((lambda: channel.sent(SURROGATE), "provider_message_id"), (lambda: channel.failed(1, SURROGATE), "message")):
        with pytest.raises(InvalidRequestError) as info:
            report()
        assert info.value.field == field
