"""End to end over real HTTP against antonnia-sandbox, with both clients.

Each scenario is written once as a coroutine and run with ``Client`` (sync
calls) and ``AsyncClient`` (awaited calls); ``aw`` awaits only what needs it.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Iterator, List, Union

import httpx
import pytest

import antonnia_sdk
from antonnia_sdk import channel, webhooks
from antonnia_sdk.exceptions import (
    APIError,
    APITimeoutError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    TransportError,
    ValidationError,
)
from antonnia_sdk.types import AIAgent, HumanAgent, Message, MessageContentText, Session

from .conftest import WEBHOOK_SECRET, Sandbox, WebhookSink

AnyClient = Union[antonnia_sdk.Client, antonnia_sdk.AsyncClient]

pytestmark = pytest.mark.e2e


async def aw(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def collect(it: Union[Iterator[Any], AsyncIterator[Any]]) -> List[Any]:
    if hasattr(it, "__aiter__"):
        return [x async for x in it]  # type: ignore[union-attr]
    return list(it)  # type: ignore[arg-type]


def make(kind: str, sandbox: Sandbox, **kw: Any) -> AnyClient:
    cls = antonnia_sdk.Client if kind == "sync" else antonnia_sdk.AsyncClient
    kw.setdefault("token", sandbox.token)
    return cls(base_url=sandbox.base_url, **kw)


async def close(client: AnyClient) -> None:
    await aw(client.close())


def uid() -> str:
    return uuid.uuid4().hex[:10]


KINDS = ["sync", "async"]


@pytest.mark.parametrize("kind", KINDS)
async def test_quick_start_end_to_end(kind: str, start_sandbox: Any, webhook_sink: WebhookSink) -> None:
    sb = start_sandbox("--time-scale", "0.01", "--webhook-url", webhook_sink.url, "--webhook-secret", WEBHOOK_SECRET)
    client = make(kind, sb)
    try:
        session = await aw(
            client.sessions.create(
                contact_id="user_123",
                contact_name="Jane Doe",
                agent_id="agent_abc",
                metadata={"channel_type": "my_channel", "channel_user_id": "ext_user_456"},
            )
        )
        assert isinstance(session, Session)
        assert session.metadata == {"channel_type": "my_channel", "channel_user_id": "ext_user_456"}
        assert session.channel_user_id == "ext_user_456"
        assert isinstance(session.agent, AIAgent) and session.agent.id == "agent_abc"
        message = await aw(
            client.sessions.messages.create(
                session_id=session.id,
                content=MessageContentText(type="text", text="Hello, I need help with my order"),
                role="user",
                provider_message_id="ext_msg_001",
            )
        )
        assert isinstance(message.content, MessageContentText)
        assert message.content.text == "Hello, I need help with my order"
        await aw(client.sessions.reply(session.id, debounce_time=3))

        def is_answer(body: bytes) -> bool:
            doc = json.loads(body)
            obj = doc.get("data", {}).get("object", {})
            return doc.get("type") == "message.created" and obj.get("role") == "assistant"

        headers, body = webhook_sink.next(where=is_answer)
        event = webhooks.parse(body, headers, secret=WEBHOOK_SECRET)
        assert isinstance(event, webhooks.MessageCreated)
        assert event.data.object.session_id == session.id
        outbound = channel.outbound_message(event)
        assert outbound is not None and outbound.delivery_status == "pending"
        updated = await aw(
            client.sessions.messages.update(session.id, outbound.id, **channel.sent("ext_msg_002"))
        )
        assert updated.delivery_status == "sent" and updated.provider_message_id == "ext_msg_002"
        again = await aw(client.sessions.messages.get(session.id, outbound.id))
        assert again.delivery_status == "sent"
        # A tampered body does not verify.
        with pytest.raises(antonnia_sdk.WebhookVerificationError) as info:
            webhooks.parse(body + b" ", headers, secret=WEBHOOK_SECRET)
        assert info.value.reason == "no_matching_signature"
    finally:
        await close(client)


@pytest.mark.parametrize("kind", KINDS)
async def test_every_call(kind: str, sandbox: Sandbox) -> None:
    client = make(kind, sandbox)
    try:
        contact = f"c_{uid()}"
        s = await aw(client.sessions.create(contact_id=contact, contact_name="Ana", metadata={"k": "v"}))
        assert (await aw(client.sessions.get(s.id))) == s
        s2 = await aw(client.sessions.update(s.id, fields={"metadata": {"k": "w"}, "thread_id": "t1"}))
        assert s2.metadata == {"k": "w"} and s2.thread_id == "t1"
        s3 = await aw(client.sessions.transfer(s.id, agent_id="agent_abc", auto_reply=False))
        assert s3.agent is not None and s3.agent.id == "agent_abc"
        await aw(client.sessions.reply(s.id, debounce_time=0, starting_node_id=None))
        s4 = await aw(client.sessions.transfer(s.id, agent_id=None))
        assert s4.agent is None
        found = await aw(client.sessions.search(contact_id=contact))
        assert [x.id for x in found] == [s.id]
        by_meta = await aw(client.sessions.search(metadata={"k": "w"}, contact_id=contact))
        assert [x.id for x in by_meta] == [s.id]
        when = datetime.now(timezone.utc) + timedelta(hours=1)
        sched = await aw(
            client.sessions.schedule(
                s.id, scheduled_for=when, config={"type": "message", "message": {"type": "text", "text": "ping"}}
            )
        )
        assert sched.session_id == s.id and sched.scheduled_for is not None
        assert abs((sched.scheduled_for - when).total_seconds()) < 1
        m = await aw(client.sessions.messages.create(s.id, {"type": "text", "text": "hi"}, provider_message_id=f"p_{uid()}"))
        assert m.role == "user"
        assert (await aw(client.sessions.messages.get(s.id, m.id))) == m
        in_session = await aw(client.sessions.messages.search(session_id=s.id))
        assert m.id in [x.id for x in in_session]
        across = await aw(client.sessions.messages.search(provider_message_id=m.provider_message_id))
        assert [x.id for x in across] == [m.id]
        # Agents
        a = await aw(client.agents.create(name="Bot", type="ai", assistant_id="asst_1"))
        assert isinstance(a, AIAgent) and a.assistant_id == "asst_1"
        h = await aw(client.agents.create(name="Ana", type="human", profile_id="prof_1"))
        assert isinstance(h, HumanAgent) and h.profile_id == "prof_1"
        assert (await aw(client.agents.get(a.id))).name == "Bot"
        a2 = await aw(client.agents.update(a.id, name="Bot 2"))
        assert a2.name == "Bot 2"
        humans = await aw(client.agents.search(type="human"))
        assert h.id in [x.id for x in humans]
        assert (await aw(client.agents.delete(h.id))) is None
        with pytest.raises(NotFoundError):
            await aw(client.agents.get(h.id))
        # Finish with a survey, then its submission.
        f = await aw(client.sessions.finish(s.id, ending_survey_id="survey_1"))
        assert f.status == "closed"
        if f.ending_survey_submission_id:
            sub = await aw(client.sessions.survey_submissions.get(s.id, f.ending_survey_submission_id))
            assert sub.session_id == s.id
            await aw(client.sessions.survey_submissions.reply(session_id=s.id, survey_submission_id=sub.id))
            cancelled = await aw(client.sessions.survey_submissions.cancel(session_id=s.id, survey_submission_id=sub.id))
            assert cancelled.status == "cancelled"
        else:
            with pytest.raises(NotFoundError):
                await aw(client.sessions.survey_submissions.get(s.id, "subm_missing"))
    finally:
        await close(client)


@pytest.mark.parametrize("kind", KINDS)
async def test_errors(kind: str, sandbox: Sandbox) -> None:
    bad = make(kind, sandbox, token="sk_wrong")
    client = make(kind, sandbox)
    try:
        with pytest.raises(AuthenticationError) as auth:
            await aw(bad.sessions.get("sess_x"))
        assert auth.value.status_code == 401
        assert "sk_wrong" not in str(auth.value) and "sk_wrong" not in repr(auth.value)
        with pytest.raises(NotFoundError) as nf:
            await aw(client.sessions.get("sess_does_not_exist"))
        assert nf.value.status_code == 404 and isinstance(nf.value.response_data, dict)
        with pytest.raises(InvalidRequestError) as inv:
            await aw(client.sessions.reply("sess_x", debounce_time=61))
        assert inv.value.field == "debounce_time"
        s = await aw(client.sessions.create(contact_id=f"c_{uid()}", contact_name="Ana"))
        await aw(client.sessions.finish(s.id))
        with pytest.raises(ValidationError) as val:
            await aw(client.sessions.reply(s.id, debounce_time=1))
        assert val.value.status_code == 422
    finally:
        await close(bad)
        await close(client)


@pytest.mark.parametrize("kind", KINDS)
async def test_retries_under_injected_failures(kind: str, sandbox: Sandbox) -> None:
    s_client = make(kind, sandbox)
    try:
        s = await aw(s_client.sessions.create(contact_id=f"c_{uid()}", contact_name="Ana"))
    finally:
        await close(s_client)

    def failing(spec: str, **kw: Any) -> AnyClient:
        return make(kind, sandbox, headers={"x-sandbox-fail": f"{spec};id={uid()}"}, **kw)

    # Idempotent call: two 503s, then served.
    c = failing("503;times=2")
    try:
        assert (await aw(c.sessions.get(s.id))).id == s.id
    finally:
        await close(c)
    # Without retries the 503 surfaces.
    c = failing("503;times=1", max_retries=0)
    try:
        with pytest.raises(APIError) as info:
            await aw(c.sessions.get(s.id))
        assert info.value.status_code == 503
    finally:
        await close(c)
    # A create is never repeated after a 503 (the server may have acted)...
    c = failing("503;times=1")
    try:
        with pytest.raises(APIError):
            await aw(c.sessions.messages.create(s.id, {"type": "text", "text": "x"}))
    finally:
        await close(c)
    # ...but is after a 429, honouring Retry-After.
    c = failing("429;times=1;retry-after=1")
    try:
        started = time.monotonic()
        m = await aw(c.sessions.messages.create(s.id, {"type": "text", "text": "x"}))
        assert m.id and time.monotonic() - started >= 0.9
    finally:
        await close(c)
    # Retries run out: the RateLimitError carries retry_after.
    c = failing("429;times=5;retry-after=0", max_retries=1)
    try:
        with pytest.raises(RateLimitError) as rl:
            await aw(c.sessions.get(s.id))
        assert rl.value.retry_after == 0
    finally:
        await close(c)


@pytest.mark.parametrize("kind", KINDS)
async def test_pagination(kind: str, sandbox: Sandbox) -> None:
    client = make(kind, sandbox)
    try:
        contact = f"c_{uid()}"
        ids = [(await aw(client.sessions.create(contact_id=contact, contact_name=f"n{i}"))).id for i in range(5)]
        page = await aw(client.sessions.search(contact_id=contact, limit=2))
        assert len(page) == 2
        everything = await collect(client.sessions.iter_search(contact_id=contact, limit=2))
        assert sorted(x.id for x in everything) == sorted(ids)
        msgs = await collect(client.sessions.messages.iter_search(session_id=ids[0], limit=2))
        assert msgs == []
    finally:
        await close(client)


def test_concurrent_threads_share_one_client(sandbox: Sandbox) -> None:
    with antonnia_sdk.Client(sandbox.token, base_url=sandbox.base_url) as client:
        s = client.sessions.create(contact_id=f"c_{uid()}", contact_name="Ana")

        def work(i: int) -> str:
            m = client.sessions.messages.create(s.id, {"type": "text", "text": f"m{i}"})
            return client.sessions.messages.get(s.id, m.id).id

        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(pool.map(work, range(32)))
        assert len(set(ids)) == 32
        assert len(list(client.sessions.messages.iter_search(session_id=s.id, limit=10))) == 32


async def test_concurrent_tasks_share_one_client(sandbox: Sandbox) -> None:
    async with antonnia_sdk.AsyncClient(sandbox.token, base_url=sandbox.base_url) as client:
        s = await client.sessions.create(contact_id=f"c_{uid()}", contact_name="Ana")
        created = await asyncio.gather(
            *(client.sessions.messages.create(s.id, {"type": "text", "text": f"m{i}"}) for i in range(32))
        )
        got = await asyncio.gather(*(client.sessions.messages.get(s.id, m.id) for m in created))
        assert [m.id for m in got] == [m.id for m in created]
        assert isinstance(got[0], Message)


def test_transport_errors_and_timeouts() -> None:
    # A port nobody listens on: connection refused, retried, then TransportError.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with antonnia_sdk.Client("sk_t", base_url=f"http://127.0.0.1:{port}/v1", max_retries=1) as client:
        with pytest.raises(TransportError):
            client.sessions.get("s1")
    # A server that accepts and never answers: the read times out.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    stop = threading.Event()
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"
        with antonnia_sdk.Client("sk_t", base_url=url, timeout=0.2, max_retries=0) as client:
            with pytest.raises(APITimeoutError) as info:
                client.sessions.get("s1")
            assert isinstance(info.value, TimeoutError)
    finally:
        stop.set()
        silent.close()


@pytest.mark.parametrize("kind", KINDS)
async def test_session_events_arrive_signed_and_typed(kind: str, start_sandbox: Any, webhook_sink: WebhookSink) -> None:
    sb = start_sandbox("--time-scale", "0.01", "--webhook-url", webhook_sink.url, "--webhook-secret", WEBHOOK_SECRET)
    client = make(kind, sb)
    receiver = webhooks.WebhookReceiver(secret=WEBHOOK_SECRET)
    try:
        s = await aw(client.sessions.create(contact_id=f"c_{uid()}", contact_name="Ana"))
        await aw(client.sessions.transfer(s.id, agent_id="agent_abc"))
        await aw(client.sessions.finish(s.id))
        want = {"session.created": webhooks.SessionCreated, "session.transferred": webhooks.SessionTransferred,
                "session.finished": webhooks.SessionFinished}
        seen = {}
        while len(seen) < len(want):
            headers, body = webhook_sink.next(where=lambda b: json.loads(b).get("type") in want)
            event = receiver.receive(body, headers)
            assert isinstance(event, want[event.type]) and event.id and event.created_at is not None
            assert event.data.object.id == s.id
            seen[event.type] = event
        assert seen["session.transferred"].data.object.agent is not None
        assert seen["session.finished"].data.object.status == "closed"
        assert seen["session.finished"].data.action is None
        assert channel.outbound_message(seen["session.created"]) is None
    finally:
        await close(client)


def test_injected_http_client_with_mounts_and_hooks(sandbox: Sandbox) -> None:
    seen: List[str] = []
    http = httpx.Client(
        mounts={"http://127.0.0.1": httpx.HTTPTransport(retries=1)},
        event_hooks={"response": [lambda r: seen.append(f"{r.request.method} {r.status_code}")]},
    )
    try:
        client = antonnia_sdk.Client(sandbox.token, base_url=sandbox.base_url, http_client=http)
        s = client.sessions.create(contact_id=f"c_{uid()}", contact_name="Ana")
        assert client.sessions.get(s.id) == s
        client.close()
        assert not http.is_closed
        assert seen == ["POST 200", "GET 200"] or seen == ["POST 201", "GET 200"]
    finally:
        http.close()


@pytest.mark.parametrize("kind", KINDS)
async def test_message_stream_shows_the_agents_reply(kind: str, sandbox: Sandbox) -> None:
    """A chat window without a webhook: once the stream runs, it yields the
    user's new message and then the agent's answer, each once and in order,
    and skips what the session held when it started."""
    client = make(kind, sandbox)
    try:
        session = await aw(client.sessions.create(contact_id=f"c_{uid()}", contact_name="Ana", agent_id="agent_abc"))
        await aw(client.sessions.messages.create(session.id, {"type": "text", "text": "before"}))
        seen: List[Message] = []
        done = threading.Event()

        def keep(message: Message) -> bool:
            seen.append(message)
            return message.role == "assistant"

        if isinstance(client, antonnia_sdk.Client):
            sync_client = client

            def consume() -> None:
                for message in sync_client.sessions.messages.stream(session.id, poll_interval=0.05, max_poll_interval=0.2):
                    if keep(message):
                        break
                done.set()

            threading.Thread(target=consume, daemon=True).start()
        else:
            async_client = client

            async def consume_async() -> None:
                async for message in async_client.sessions.messages.stream(
                    session.id, poll_interval=0.05, max_poll_interval=0.2
                ):
                    if keep(message):
                        break
                done.set()

            task = asyncio.ensure_future(consume_async())
        await asyncio.sleep(1.0)  # the stream's first poll has passed "before" by now
        await aw(client.sessions.messages.create(session.id, {"type": "text", "text": "where is my order?"}))
        await aw(client.sessions.reply(session.id, debounce_time=1))
        for _ in range(200):
            if done.is_set():
                break
            await asyncio.sleep(0.1)
        assert done.is_set(), [m.to_dict() for m in seen]
        texts = [m.content.text for m in seen if isinstance(m.content, MessageContentText)]
        assert texts[0] == "where is my order?" and "before" not in texts
        assert seen[-1].role == "assistant" and len({m.id for m in seen}) == len(seen)
        if not isinstance(client, antonnia_sdk.Client):
            await task
    finally:
        await close(client)
