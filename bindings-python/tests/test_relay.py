"""The channel relay's guarantees (docs/relay.md), each proven against the
sandbox over real HTTP, with the in-memory store and with a real redis-server."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import uuid
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Dict, List, Optional, Tuple

import pytest

from antonnia_sdk import AsyncClient, Client, webhooks
from antonnia_sdk.exceptions import AntonniaError
from antonnia_sdk.relay import (
    ChannelRelay,
    Contact,
    DeliveryAttempt,
    DeliveryError,
    MemoryStore,
    Recovered,
    RedisStore,
    RelayError,
    RelayKeys,
    StoreUnavailableError,
    SyncChannelRelay,
    SyncMemoryStore,
    SyncRedisStore,
    encode_record,
)
from antonnia_sdk._relay_common import ClaimArgs
from antonnia_sdk.types import Message

from .conftest import WEBHOOK_SECRET, RedisCluster, RedisSentinel, RedisServer, Sandbox, WebhookSink

pytestmark = pytest.mark.e2e

Webhook = Tuple[Dict[str, str], bytes]


class Channel:
    """A fake channel: records every send; can refuse or stall."""

    def __init__(self) -> None:
        self.sent: List[Tuple[str, str, bool, str]] = []  # (message id, user, redelivery, idempotency key)
        self.refuse: Optional[int] = None
        self.delay = 0.0

    async def deliver(self, message: Message, contact: Contact, attempt: DeliveryAttempt) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse is not None:
            raise DeliveryError(self.refuse)
        self.sent.append((message.id, contact.channel_user_id, attempt.redelivery, attempt.idempotency_key))
        return f"wamid.{message.id}"

    def ids(self) -> List[str]:
        return [s[0] for s in self.sent]


@pytest.fixture
def env(start_sandbox: Callable[..., Sandbox], webhook_sink: WebhookSink) -> Tuple[Sandbox, WebhookSink]:
    sb = start_sandbox("--time-scale", "0.01", "--webhook-url", webhook_sink.url, "--webhook-secret", WEBHOOK_SECRET)
    return sb, webhook_sink


@pytest.fixture(params=["memory", "redis"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def client(env: Tuple[Sandbox, WebhookSink]) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(token=env[0].token, base_url=env[0].base_url) as c:
        yield c


@pytest.fixture
async def make_relay(
    store_kind: str, request: pytest.FixtureRequest, client: AsyncClient
) -> AsyncIterator[Callable[..., ChannelRelay]]:
    """Relays sharing one store, as worker processes share one Redis (each
    Redis relay has its own client and connection)."""
    prefix = f"t{uuid.uuid4().hex[:8]}"
    memory = MemoryStore()
    made: List[ChannelRelay] = []

    def make(channel: Channel, **kw: Any) -> ChannelRelay:
        if "store" not in kw:
            if store_kind == "memory":
                kw["store"] = memory
            else:
                server: RedisServer = request.getfixturevalue("redis_server")
                kw["store"] = RedisStore.from_url(server.url)
        kw.setdefault("deliver", channel.deliver)
        relay = ChannelRelay(
            client, channel_type="whatsapp", agent_id="agent_abc",
            webhook_secret=WEBHOOK_SECRET, prefix=prefix, **kw,
        )
        made.append(relay)
        return relay

    yield make
    for relay in made:
        await relay.close()


def is_answer(session_id: str) -> Callable[[bytes], bool]:
    def match(body: bytes) -> bool:
        o = json.loads(body).get("data", {}).get("object", {})
        return bool(json.loads(body).get("type") == "message.created" and o.get("role") == "assistant" and o.get("session_id") == session_id)

    return match


async def answer(sink: WebhookSink, session_id: str) -> Webhook:
    return await asyncio.to_thread(sink.next, 20.0, is_answer(session_id))


def user() -> str:
    return f"55{uuid.uuid4().int % 10**9:09d}"


async def test_one_session_per_contact_across_concurrent_receives(make_relay: Any, client: AsyncClient) -> None:
    ch = Channel()
    workers = [make_relay(ch), make_relay(ch)]
    uid = user()
    got = await asyncio.gather(*(
        workers[i % 2].receive(channel_user_id=uid, contact_name="Jane", text=f"m{i}", provider_message_id=f"{uid}.{i}")
        for i in range(12)
    ))
    assert len({r.session_id for r in got}) == 1
    sessions = await client.sessions.search(metadata={"channel_type": "whatsapp", "channel_user_id": uid})
    assert [s.id for s in sessions] == [got[0].session_id]
    texts = [m.content.text for m in await client.sessions.messages.search(session_id=got[0].session_id, role="user")]
    assert sorted(texts) == sorted(f"m{i}" for i in range(12))


async def test_a_search_by_metadata_finds_a_session_the_store_forgot(make_relay: Any, client: AsyncClient) -> None:
    uid = user()
    existing = await client.sessions.create(
        contact_id=uid, contact_name="Jane", agent_id="agent_abc",
        metadata={"channel_type": "whatsapp", "channel_user_id": uid},
    )
    r = await make_relay(Channel()).receive(channel_user_id=uid, text="hi", provider_message_id=f"{uid}.1")
    assert r.session_id == existing.id


async def test_each_user_message_is_posted_once(make_relay: Any, client: AsyncClient) -> None:
    a, b = make_relay(Channel()), make_relay(Channel())
    uid = user()
    first = await a.receive(channel_user_id=uid, text="Hello", provider_message_id="wamid.same")
    again = await asyncio.gather(*(w.receive(channel_user_id=uid, text="Hello", provider_message_id="wamid.same") for w in (a, b, a)))
    assert not first.duplicate and all(r.duplicate for r in again)
    assert {r.message_id for r in again} == {first.message_id}
    posted = await client.sessions.messages.search(session_id=first.session_id, provider_message_id="wamid.same")
    assert len(posted) == 1


async def test_a_reply_is_requested_and_delivered_once_across_duplicates(make_relay: Any, env: Tuple[Sandbox, WebhookSink], client: AsyncClient) -> None:
    ch = Channel()
    workers = [make_relay(ch) for _ in range(3)]
    uid = user()
    r = await workers[0].receive(channel_user_id=uid, contact_name="Jane", text="Where is my order?", provider_message_id=f"{uid}.1")
    headers, body = await answer(env[1], r.session_id)  # the reply was requested: the agent answered
    replies = await asyncio.gather(*(workers[i % 3].handle_webhook(body, headers) for i in range(20)))
    assert all(rep.status == 200 for rep in replies), replies
    assert sorted(rep.outcome for rep in replies) == ["duplicate"] * 19 + ["sent"]
    message_id = json.loads(body)["data"]["object"]["id"]
    assert ch.sent == [(message_id, uid, False, message_id)]
    stored = await client.sessions.messages.get(r.session_id, message_id)
    assert (stored.delivery_status, stored.provider_message_id) == ("sent", f"wamid.{message_id}")


async def test_the_quick_starts_two_argument_deliver_is_accepted(make_relay: Any, env: Tuple[Sandbox, WebhookSink], client: AsyncClient) -> None:
    sent: List[Tuple[str, str]] = []

    async def send_on_my_channel(message: Any, contact: Any) -> str:
        sent.append((message.id, contact.channel_user_id))
        return f"wamid.{message.id}"

    relay = make_relay(Channel(), deliver=send_on_my_channel)
    uid = user()
    r = await relay.receive(channel_user_id=uid, contact_name="Jane", text="Hi", provider_message_id=f"{uid}.1")
    headers, body = await answer(env[1], r.session_id)
    assert (await relay.handle_webhook(body, headers)).outcome == "sent"
    message_id = json.loads(body)["data"]["object"]["id"]
    assert sent == [(message_id, uid)]
    with pytest.raises(TypeError, match="deliver must take"):
        make_relay(Channel(), deliver=lambda message: None)


async def test_a_refused_delivery_is_reported_failed_with_the_channel_code(make_relay: Any, env: Tuple[Sandbox, WebhookSink], client: AsyncClient) -> None:
    ch = Channel()
    ch.refuse = 131047
    relay = make_relay(ch)
    r = await relay.receive(channel_user_id=user(), text="hi", provider_message_id="x.1")
    headers, body = await answer(env[1], r.session_id)
    rep = await relay.handle_webhook(body, headers)
    assert (rep.status, rep.outcome) == (200, "failed")
    stored = await client.sessions.messages.get(r.session_id, json.loads(body)["data"]["object"]["id"])
    assert stored.delivery_status == "failed" and stored.delivery_error_code == 131047
    assert "24 hours" in (stored.delivery_error_message or "")
    assert (await relay.handle_webhook(body, headers)).outcome == "duplicate"


async def _claim_as_dead_worker(relay: ChannelRelay, body: bytes, lease_ms: int) -> str:
    """Claims the webhook's message the way a worker does, then never settles it (it 'died')."""
    event = webhooks.parse(body, verify=False)
    message = event.data.object
    assert isinstance(message, Message) and message.session_id is not None
    keys = relay._keys
    sid = message.session_id
    action = __import__("antonnia_sdk")._core.relay_classify(event)
    args = ClaimArgs(keys.outbound(sid, message.id), keys.queue(sid), keys.contact(sid), message.id,
                     action["created_at_ms"], json.dumps(message.to_dict()), "dead-worker", lease_ms,
                     60_000, "whatsapp", keys.session_base(sid))
    result = await relay.store.claim(args)
    assert result["result"] == "claimed", result
    return message.id


async def test_a_dead_workers_message_is_redelivered_once_its_lease_expires(make_relay: Any, env: Tuple[Sandbox, WebhookSink], client: AsyncClient) -> None:
    ch = Channel()
    relay = make_relay(ch)
    r = await relay.receive(channel_user_id=user(), text="hi", provider_message_id="d.1")
    headers, body = await answer(env[1], r.session_id)
    message_id = await _claim_as_dead_worker(relay, body, lease_ms=400)
    started = asyncio.get_running_loop().time()
    rep = await relay.handle_webhook(body, headers)  # waits out the lease, then takes it
    assert asyncio.get_running_loop().time() - started >= 0.3
    assert (rep.status, rep.outcome) == (200, "sent")
    assert ch.sent == [(message_id, ch.sent[0][1], True, message_id)]
    assert (await client.sessions.messages.get(r.session_id, message_id)).delivery_status == "sent"


async def test_a_message_held_past_the_wait_budget_gets_a_retryable_503(make_relay: Any, env: Tuple[Sandbox, WebhookSink]) -> None:
    ch = Channel()
    relay = make_relay(ch, max_wait=0.2)
    r = await relay.receive(channel_user_id=user(), text="hi", provider_message_id="b.1")
    headers, body = await answer(env[1], r.session_id)
    await _claim_as_dead_worker(relay, body, lease_ms=5_000)
    rep = await relay.handle_webhook(body, headers)
    assert (rep.status, rep.outcome) == (503, "busy")
    assert int(rep.headers["retry-after"]) >= 1
    assert ch.sent == []


async def test_messages_of_a_session_go_out_in_created_at_order(make_relay: Any, env: Tuple[Sandbox, WebhookSink]) -> None:
    ch = Channel()
    relay = make_relay(ch)
    uid = user()
    r = await relay.receive(channel_user_id=uid, text="one", provider_message_id=f"{uid}.1")
    first = await answer(env[1], r.session_id)
    await relay.receive(channel_user_id=uid, text="two", provider_message_id=f"{uid}.2")
    second = await answer(env[1], r.session_id)
    first_id = await _claim_as_dead_worker(relay, first[1], lease_ms=300)
    # The later message waits for the earlier one; once its claim lapses the
    # waiting worker delivers the earlier one first.
    rep = await relay.handle_webhook(second[1], second[0])
    assert rep.outcome == "sent"
    second_id = json.loads(second[1])["data"]["object"]["id"]
    assert ch.ids() == [first_id, second_id]
    assert ch.sent[0][2] is True and ch.sent[1][2] is False
    # A slow delivery of the earlier message holds the later one back too.
    await relay.receive(channel_user_id=uid, text="three", provider_message_id=f"{uid}.3")
    third = await answer(env[1], r.session_id)
    await relay.receive(channel_user_id=uid, text="four", provider_message_id=f"{uid}.4")
    fourth = await answer(env[1], r.session_id)
    ch.delay = 0.2
    slow = asyncio.ensure_future(relay.handle_webhook(third[1], third[0]))
    await asyncio.sleep(0.05)
    ch.delay = 0.0
    await relay.handle_webhook(fourth[1], fourth[0])
    await slow
    assert ch.ids()[2:] == [json.loads(b)["data"]["object"]["id"] for _, b in (third, fourth)]


async def test_signature_and_event_kinds(make_relay: Any, env: Tuple[Sandbox, WebhookSink]) -> None:
    ch = Channel()
    relay = make_relay(ch)
    uid = user()
    r = await relay.receive(channel_user_id=uid, text="hi", provider_message_id=f"{uid}.1")
    headers, body = await answer(env[1], r.session_id)
    forged = body.replace(b"assistant", b"assistant ", 0) + b" "
    assert (await relay.handle_webhook(forged, headers)).status == 401
    assert (await relay.handle_webhook(body, {**headers, "webhook-signature": "v1,AAAA"})).status == 401
    assert (await relay.handle_webhook(body, {})).status == 401
    user_event = body.replace(b'"role":"assistant"', b'"role":"user"')
    ts = headers["webhook-timestamp"]
    signed = {**headers, "webhook-signature": webhooks.sign(WEBHOOK_SECRET, headers["webhook-id"], int(ts), user_event)}
    rep = await relay.handle_webhook(user_event, signed)
    assert (rep.status, rep.outcome) == (200, "not_assistant")
    assert ch.sent == []


async def test_a_session_of_another_channel_is_not_ours(make_relay: Any, env: Tuple[Sandbox, WebhookSink], client: AsyncClient) -> None:
    ch = Channel()
    relay = make_relay(ch)
    s = await client.sessions.create(contact_id="c", contact_name="n", agent_id="agent_abc",
                                     metadata={"channel_type": "telegram", "channel_user_id": "1"})
    await client.sessions.messages.create(s.id, {"type": "text", "text": "hi"})
    await client.sessions.reply(s.id, debounce_time=0)
    headers, body = await answer(env[1], s.id)
    rep = await relay.handle_webhook(body, headers)
    assert (rep.status, rep.outcome) == (200, "not_ours")
    assert ch.sent == []


@pytest.mark.parametrize("with_webhook", [True, False])
async def test_a_finished_session_is_replaced(make_relay: Any, env: Tuple[Sandbox, WebhookSink], client: AsyncClient, with_webhook: bool) -> None:
    relay = make_relay(Channel())
    uid = user()
    first = await relay.receive(channel_user_id=uid, text="one", provider_message_id=f"{uid}.1")
    await client.sessions.finish(first.session_id)
    if with_webhook:
        finished = lambda b: json.loads(b).get("type") == "session.finished"  # noqa: E731
        headers, body = await asyncio.to_thread(env[1].next, 20.0, finished)
        assert (await relay.handle_webhook(body, headers)).outcome == "forgotten"
    second = await relay.receive(channel_user_id=uid, text="two", provider_message_id=f"{uid}.2")
    assert second.session_id != first.session_id
    open_ = await client.sessions.search(status="open", metadata={"channel_type": "whatsapp", "channel_user_id": uid})
    assert [s.id for s in open_] == [second.session_id]
    texts = [m.content.text for m in await client.sessions.messages.search(session_id=second.session_id, role="user")]
    assert texts == ["two"]


async def test_channel_receipts_are_reported(make_relay: Any, env: Tuple[Sandbox, WebhookSink], client: AsyncClient) -> None:
    ch = Channel()
    relay = make_relay(ch)
    r = await relay.receive(channel_user_id=user(), text="hi", provider_message_id="r.1")
    headers, body = await answer(env[1], r.session_id)
    await relay.handle_webhook(body, headers)
    message_id = json.loads(body)["data"]["object"]["id"]
    updated = await relay.report(provider_message_id=f"wamid.{message_id}", status="read")
    assert updated is not None and updated.id == message_id and updated.delivery_status == "read"
    assert await relay.report(provider_message_id="wamid.unknown", status="delivered") is None


class Broken(MemoryStore):
    async def claim(self, args: ClaimArgs) -> Dict[str, Any]:
        raise StoreUnavailableError("down")


async def test_an_unreachable_store_answers_a_retryable_503(env: Tuple[Sandbox, WebhookSink], client: AsyncClient) -> None:
    ch = Channel()
    sink = env[1]
    # A Redis nobody listens on, and a store that fails: never a 2xx.
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = RedisStore.from_url(f"redis://127.0.0.1:{port}/0", socket_connect_timeout=0.5)
    relay = ChannelRelay(client, "whatsapp", "agent_abc", ch.deliver, WEBHOOK_SECRET, down)
    with pytest.raises(StoreUnavailableError):
        await relay.receive(channel_user_id="1", text="hi", provider_message_id="u.1")
    working = ChannelRelay(client, "whatsapp", "agent_abc", ch.deliver, WEBHOOK_SECRET)
    r = await working.receive(channel_user_id=user(), text="hi", provider_message_id="u.2")
    headers, body = await answer(sink, r.session_id)
    for store in (down, Broken()):
        failing = ChannelRelay(client, "whatsapp", "agent_abc", ch.deliver, WEBHOOK_SECRET, store)
        rep = await failing.handle_webhook(body, headers)
        assert (rep.status, rep.outcome, rep.headers.get("retry-after")) == (503, "store_unavailable", "1")
    assert ch.sent == []
    await down.close()


async def test_a_crashing_deliver_releases_the_claim_and_answers_503(make_relay: Any, env: Tuple[Sandbox, WebhookSink]) -> None:
    ch = Channel()
    calls: List[bool] = []

    async def flaky(message: Message, contact: Contact, attempt: DeliveryAttempt) -> str:
        calls.append(attempt.redelivery)
        if len(calls) == 1:
            raise ConnectionError("channel down")
        return await ch.deliver(message, contact, attempt)

    relay = make_relay(ch)
    relay._deliver = flaky
    r = await relay.receive(channel_user_id=user(), text="hi", provider_message_id="c.1")
    headers, body = await answer(env[1], r.session_id)
    rep = await relay.handle_webhook(body, headers)
    assert (rep.status, rep.outcome) == (503, "deliver_crashed")
    rep = await relay.handle_webhook(body, headers)  # the sender's retry: claimed again at once
    assert (rep.status, rep.outcome) == (200, "sent")
    # The crashed call may have sent it: the next one is flagged.
    assert calls == [False, True]
    assert len(ch.sent) == 1


def test_the_sync_relay(env: Tuple[Sandbox, WebhookSink], request: pytest.FixtureRequest, store_kind: str) -> None:
    sb, sink = env
    sent: List[str] = []

    def deliver(message: Message, contact: Contact, attempt: DeliveryAttempt) -> str:
        sent.append(message.id)
        return "wamid.sync"

    with Client(token=sb.token, base_url=sb.base_url) as client:
        if store_kind == "memory":
            store: Any = SyncMemoryStore()
        else:
            store = SyncRedisStore.from_url(request.getfixturevalue("redis_server").url)
        relay = SyncChannelRelay(client, "whatsapp", "agent_abc", deliver, WEBHOOK_SECRET, store, prefix=uuid.uuid4().hex)
        r = relay.receive(channel_user_id=user(), text="hi", provider_message_id="s.1")
        assert relay.receive(channel_user_id="x", text="hi", provider_message_id="s.1").session_id != r.session_id
        headers, body = sink.next(20.0, is_answer(r.session_id))
        assert [relay.handle_webhook(body, headers).outcome for _ in range(3)] == ["sent", "duplicate", "duplicate"]
        assert len(sent) == 1
        relay.close()


async def test_at_most_two_redis_round_trips_per_delivered_message(
    redis_server: RedisServer, env: Tuple[Sandbox, WebhookSink], client: AsyncClient
) -> None:
    ch = Channel()
    store = RedisStore.from_url(redis_server.url)
    relay = ChannelRelay(client, "whatsapp", "agent_abc", ch.deliver, WEBHOOK_SECRET, store, prefix=uuid.uuid4().hex)
    commands: List[str] = []
    original = store._redis.execute_command

    async def counting(*args: Any, **kwargs: Any) -> Any:
        commands.append(str(args[0]))
        return await original(*args, **kwargs)

    store._redis.execute_command = counting
    pipeline = store._redis.pipeline

    def counting_pipeline(*args: Any, **kwargs: Any) -> Any:
        pipe = pipeline(*args, **kwargs)
        execute = pipe.execute

        async def one_round_trip(*a: Any, **k: Any) -> Any:
            commands.append("+".join(str(c[0][0]) for c in pipe.command_stack))
            return await execute(*a, **k)

        pipe.execute = one_round_trip
        return pipe

    store._redis.pipeline = counting_pipeline
    uid = user()
    for n in range(2):
        r = await relay.receive(channel_user_id=uid, text=f"m{n}", provider_message_id=f"{uid}.{n}")
        headers, body = await answer(env[1], r.session_id)
        commands.clear()
        assert (await relay.handle_webhook(body, headers)).outcome == "sent"
        if n == 1:  # the first time also loads the scripts (NOSCRIPT → SCRIPT LOAD)
            # The claim, with its recovery index entry in the same round trip; the finish.
            assert commands == ["ZADD+EVALSHA", "EVALSHA"], commands
        commands.clear()
        assert (await relay.handle_webhook(body, headers)).outcome == "duplicate"
        assert commands == ["ZADD+EVALSHA"], commands
    await relay.close()


async def test_a_failover_that_lost_the_last_writes_loses_no_message(
    redis_cluster: RedisCluster, env: Tuple[Sandbox, WebhookSink], client: AsyncClient
) -> None:
    """Redis replicates asynchronously: a master that dies can take its last
    writes with it (the replica promoted in its place never saw them). Here,
    on the cluster, those writes are taken away by hand: first a claim whose
    worker then died, later the message's `done` record. No message is lost:
    the API still has it pending, and the webhook's next delivery sends it.
    What a lost `done` can cost is one more send, with the same idempotency
    key; `attempt.redelivery` is set only when the claim record survived."""
    ch = Channel()
    store = RedisStore.from_cluster_url(redis_cluster.url)
    relay = ChannelRelay(client, "whatsapp", "agent_abc", ch.deliver, WEBHOOK_SECRET, store, prefix=uuid.uuid4().hex)
    k, uid = relay._keys, user()
    r = await relay.receive(channel_user_id=uid, text="hi", provider_message_id=f"{uid}.1")
    headers, body = await answer(env[1], r.session_id)
    message = webhooks.parse(body, verify=False).data.object
    assert isinstance(message, Message)
    sid = r.session_id
    claimed = await store.claim(ClaimArgs(k.outbound(sid, message.id), k.queue(sid), k.contact(sid), message.id, 0,
                                          json.dumps(message.to_dict()), "dead-worker", 60_000, 60_000, "whatsapp",
                                          k.session_base(sid), k.pending("whatsapp"), k.pending_member(sid, message.id)))
    assert claimed["result"] == "claimed"
    lost = [k.outbound(sid, message.id), k.queue(sid)]  # one slot, one master
    await store._redis.delete(*lost)
    # The claim is gone with its master: the message is not stuck behind it for the lease.
    assert (await relay.handle_webhook(body, headers)).outcome == "sent"
    assert (await relay.handle_webhook(body, headers)).outcome == "duplicate"
    await store._redis.delete(*lost)
    # The `done` record is gone too: the duplicate is sent again, same key.
    assert (await relay.handle_webhook(body, headers)).outcome == "sent"
    assert [(m, key) for m, _, _, key in ch.sent] == [(message.id, message.id)] * 2
    assert (await client.sessions.messages.get(sid, message.id)).delivery_status == "sent"
    await relay.close()


async def test_a_session_the_store_does_not_know_is_read_from_the_api(make_relay: Any, env: Tuple[Sandbox, WebhookSink], client: AsyncClient) -> None:
    ch = Channel()
    relay = make_relay(ch)
    uid = user()
    # Opened elsewhere (another integration version, a store that was flushed).
    s = await client.sessions.create(contact_id=uid, contact_name="Jane", agent_id="agent_abc",
                                     metadata={"channel_type": "whatsapp", "channel_user_id": uid})
    await client.sessions.messages.create(s.id, {"type": "text", "text": "hi"})
    await client.sessions.reply(s.id, debounce_time=0)
    headers, body = await answer(env[1], s.id)
    rep = await relay.handle_webhook(body, headers)
    assert (rep.status, rep.outcome) == (200, "sent")
    assert [x[1] for x in ch.sent] == [uid]
    # A session the API does not have is not ours: skipped, not retried forever.
    gone = body.replace(s.id.encode(), b"sess_gone")
    ts = int(headers["webhook-timestamp"])
    signed = {**headers, "webhook-signature": webhooks.sign(WEBHOOK_SECRET, headers["webhook-id"], ts, gone)}
    assert (await relay.handle_webhook(gone, signed)).outcome == "not_ours"
    assert len(ch.sent) == 1


STORE_SCENARIOS = json.loads((Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "relay_store.json").read_text())


def _conformance_store(store_kind: str, request: pytest.FixtureRequest) -> Any:
    if store_kind == "memory":
        return MemoryStore()
    if store_kind == "cluster":
        return RedisStore.from_cluster_url(request.getfixturevalue("redis_cluster").url)
    if store_kind == "sentinel":
        sentinel: RedisSentinel = request.getfixturevalue("redis_sentinel")
        return RedisStore.from_sentinel(sentinel.sentinels, sentinel.SERVICE)
    return RedisStore.from_url(request.getfixturevalue("redis_server").url)


@pytest.mark.parametrize("scenario", STORE_SCENARIOS["scenarios"], ids=lambda s: s["name"])
@pytest.mark.parametrize("store_kind", ["memory", "redis", "cluster", "sentinel"])
async def test_store_conformance(scenario: Dict[str, Any], store_kind: str, request: pytest.FixtureRequest) -> None:
    """tests/fixtures/relay_store.json: MemoryStore and the Lua scripts answer
    alike, on one redis-server, on a Redis Cluster (3 masters, 3 replicas;
    every script's keys in one slot, the recovery index in another) and on
    the master of a Redis Sentinel deployment (found through its sentinels)."""
    d = STORE_SCENARIOS["defaults"]
    store: Any = _conformance_store(store_kind, request)
    keys = RelayKeys(uuid.uuid4().hex)
    sid, ct = d["session_id"], d["channel_type"]
    try:
        if scenario["contact"] is not None:
            await store.put(keys.contact(sid), encode_record("contact", scenario["contact"]), d["retention_ms"])
        for i, step in enumerate(scenario["steps"]):
            op, where = step["op"], f"step {i} {step}"
            if op == "sleep":
                await asyncio.sleep(step["ms"] / 1000)
            elif op == "claim":
                mid = step["message_id"]
                args = ClaimArgs(keys.outbound(sid, mid), keys.queue(sid), keys.contact(sid), mid, step["created_at_ms"],
                                 json.dumps({"id": mid}), step["token"], step["lease_ms"], d["retention_ms"], ct,
                                 keys.session_base(sid), keys.pending(ct), keys.pending_member(sid, mid))
                got = await store.claim(args)
                want = step["expect"]
                assert got["result"] == want["result"], (where, got)
                for k, v in want.items():
                    if k == "lease_ms":
                        assert (got[k] == 0) if v == 0 else (0 < got[k] <= v), (where, got)
                    elif k == "contact":
                        assert json.loads(got[k]) == scenario["contact"], (where, got)
                    elif k == "message":
                        assert json.loads(got[k])["id"] == (mid if v is True else v), (where, got)
                    else:
                        assert got[k] == v, (where, got)
            elif op == "finish":
                mid = step["message_id"]
                owned = await store.finish(keys.outbound(sid, mid), keys.queue(sid), mid, step["token"], step["state"],
                                           step.get("outcome"), d["retention_ms"])
                assert owned is step["expect"], where
            elif op == "extend":
                mid = step["message_id"]
                assert await store.extend(keys.outbound(sid, mid), step["token"], step["lease_ms"]) is step["expect"], where
            elif op == "acquire":
                assert await store.acquire(keys.lock(ct, "u1"), step["token"], step["lease_ms"]) is step["expect"], where
            elif op == "release":
                await store.release(keys.lock(ct, "u1"), step["token"])
            elif op == "put_session":
                await store.put(keys.session(ct, "u1"), encode_record("session", {"v": 1, "session_id": step["session_id"]}), d["retention_ms"])
            elif op == "forget":
                assert await store.forget(keys.session(ct, "u1"), step["session_id"]) is step["expect"], where
            elif op == "index_due":
                now = int(__import__("time").time() * 1000)
                due = await store.index_due(keys.pending(ct), now + step["after_ms"], step.get("limit", 100))
                want = [keys.pending_member(sid, m) for m in step["expect"]]
                assert [m for m, _ in due] == want, (where, due)
            elif op == "index_put":
                now = int(__import__("time").time() * 1000)
                await store.index_put(keys.pending(ct), keys.pending_member(sid, step["message_id"]), now + step["after_ms"])
            elif op == "index_drop":
                await store.index_drop(keys.pending(ct), [keys.pending_member(sid, m) for m in step["message_ids"]])
            else:
                pytest.fail(f"unknown op {op}")
    finally:
        await store.close()


async def test_a_contact_lock_held_too_long_is_a_typed_error(make_relay: Any) -> None:
    from antonnia_sdk.relay import LockTimeoutError

    relay = make_relay(Channel(), lock_wait=0.2)
    uid = user()
    assert await relay.store.acquire(relay._keys.lock("whatsapp", uid), "another-worker", 10_000)
    with pytest.raises(LockTimeoutError):
        await relay.receive(channel_user_id=uid, text="hi", provider_message_id=f"{uid}.1")
    await relay.store.release(relay._keys.lock("whatsapp", uid), "another-worker")
    assert not (await relay.receive(channel_user_id=uid, text="hi", provider_message_id=f"{uid}.1")).duplicate


async def test_a_slow_channel_keeps_its_claim(make_relay: Any, env: Tuple[Sandbox, WebhookSink]) -> None:
    """A deliver running three leases long is not handed to a second worker:
    its claim is extended while it runs."""
    ch = Channel()
    slow, other = make_relay(ch, claim_lease=0.3, max_wait=3), make_relay(ch, claim_lease=0.3, max_wait=3)
    r = await slow.receive(channel_user_id=user(), text="hi", provider_message_id="h.1")
    headers, body = await answer(env[1], r.session_id)
    ch.delay = 1.0
    first = asyncio.ensure_future(slow.handle_webhook(body, headers))
    await asyncio.sleep(0.1)
    ch.delay = 0.0
    second = await other.handle_webhook(body, headers)  # waits for the slow one to finish
    assert (await first).outcome == "sent" and second.outcome == "duplicate"
    assert len(ch.sent) == 1


# -- issue 17 -----------------------------------------------------------------


async def _async_send(message: Message, contact: Contact) -> str:
    return "wamid.x"


def _sync_send(message: Message, contact: Contact) -> str:
    return "wamid.x"


class _AsyncCallable:
    async def __call__(self, message: Message, contact: Contact, attempt: DeliveryAttempt) -> str:
        return "wamid.x"


def test_a_deliver_of_the_wrong_kind_is_refused_when_the_relay_is_made() -> None:
    """A sync deliver given to ChannelRelay used to be accepted: every webhook
    sent on the channel, then failed awaiting its result and answered 503 (the
    user got the answer once per retry); an async one given to
    SyncChannelRelay sent nothing and was recorded delivered."""
    client, sync_client = AsyncClient(token="t", base_url="http://127.0.0.1:9"), Client(token="t", base_url="http://127.0.0.1:9")
    with pytest.raises(TypeError, match=r"deliver=_sync_send is not an async function.*SyncChannelRelay"):
        ChannelRelay(client, "whatsapp", deliver=_sync_send, verify=False)
    with pytest.raises(TypeError, match=r"deliver=_async_send is an async function.*ChannelRelay \(async\)"):
        SyncChannelRelay(sync_client, "whatsapp", deliver=_async_send, verify=False)
    # Wrapped coroutine functions are told apart too.
    with pytest.raises(TypeError, match="is an async function"):
        SyncChannelRelay(sync_client, "whatsapp", deliver=functools.partial(_async_send), verify=False)
    with pytest.raises(TypeError, match="is an async function"):
        SyncChannelRelay(sync_client, "whatsapp", deliver=_AsyncCallable(), verify=False)
    with pytest.raises(TypeError, match="is not an async function"):
        ChannelRelay(client, "whatsapp", deliver=functools.partial(_sync_send), verify=False)
    with pytest.raises(TypeError, match="deliver must be a function"):
        ChannelRelay(client, "whatsapp", deliver="send", verify=False)  # type: ignore[arg-type]
    # The right kinds, wrapped or not, are accepted.
    ChannelRelay(client, "whatsapp", deliver=_async_send, verify=False)
    ChannelRelay(client, "whatsapp", deliver=functools.partial(_async_send), verify=False)
    ChannelRelay(client, "whatsapp", deliver=_AsyncCallable(), verify=False)
    SyncChannelRelay(sync_client, "whatsapp", deliver=_sync_send, verify=False)
    SyncChannelRelay(sync_client, "whatsapp", deliver=functools.partial(_sync_send), verify=False)


def test_a_sync_relay_whose_deliver_returns_a_coroutine_fails_that_delivery_loudly(
    env: Tuple[Sandbox, WebhookSink], caplog: pytest.LogCaptureFixture
) -> None:
    """An async deliver hidden behind a lambda reaches SyncChannelRelay: the
    coroutine is closed, never recorded as sent, the webhook answered 503,
    and the failure logged with ids, never the message's text."""
    sb, sink = env
    made: List[Any] = []

    async def send(message: Message, contact: Contact) -> str:
        return "wamid.never"

    def hidden(message: Message, contact: Contact) -> Any:
        made.append(send(message, contact))
        return made[-1]

    with Client(token=sb.token, base_url=sb.base_url) as client:
        relay = SyncChannelRelay(client, "whatsapp", "agent_abc", hidden, WEBHOOK_SECRET, SyncMemoryStore(), prefix=uuid.uuid4().hex)
        r = relay.receive(channel_user_id=user(), text="a secret question", provider_message_id="w.1")
        headers, body = sink.next(20.0, is_answer(r.session_id))
        message_id = json.loads(body)["data"]["object"]["id"]
        text = json.loads(body)["data"]["object"]["content"]["text"]
        with caplog.at_level(logging.WARNING, logger="antonnia_sdk.relay"):
            rep = relay.handle_webhook(body, headers)
        assert (rep.status, rep.outcome, rep.headers.get("retry-after")) == (503, "deliver_crashed", "1")
        assert len(made) == 1 and made[0].cr_frame is None  # closed: no "never awaited" warning, nothing sent
        assert client.sessions.messages.get(r.session_id, message_id).delivery_status == "pending"
        logged = [rec.getMessage() for rec in caplog.records if rec.name == "antonnia_sdk.relay"]
        assert any(message_id in m and r.session_id in m and "TypeError" in m for m in logged), logged
        assert not any(text in m or sb.token in m for m in logged), logged
        relay.close()


async def test_every_deliver_failure_is_logged_without_text_or_tokens(
    make_relay: Any, env: Tuple[Sandbox, WebhookSink], caplog: pytest.LogCaptureFixture
) -> None:
    ch = Channel()

    async def broken(message: Message, contact: Contact) -> str:
        raise ConnectionError(f"channel down while sending {message.content!r} with token sk_live_secret")

    relay = make_relay(ch, deliver=broken)
    r = await relay.receive(channel_user_id=user(), text="my card number is 4111", provider_message_id="l.1")
    headers, body = await answer(env[1], r.session_id)
    message_id = json.loads(body)["data"]["object"]["id"]
    with caplog.at_level(logging.WARNING, logger="antonnia_sdk.relay"):
        assert (await relay.handle_webhook(body, headers)).outcome == "deliver_crashed"
        relay._deliver = lambda m, c, a: ch.deliver(m, c, a)
        ch.refuse = 131047
        assert (await relay.handle_webhook(body, headers)).outcome == "failed"
    logged = [(rec.levelno, rec.getMessage()) for rec in caplog.records if rec.name == "antonnia_sdk.relay"]
    assert [lvl for lvl, _ in logged] == [logging.ERROR, logging.WARNING], logged
    assert message_id in logged[0][1] and r.session_id in logged[0][1] and "ConnectionError" in logged[0][1]
    assert "131047" in logged[1][1] and message_id in logged[1][1]
    answer_text = json.loads(body)["data"]["object"]["content"]["text"]
    assert not any("sk_live_secret" in m or answer_text in m or "4111" in m for _, m in logged), logged


async def test_a_message_whose_worker_died_mid_send_is_recovered_without_more_traffic(
    make_relay: Any, env: Tuple[Sandbox, WebhookSink], client: AsyncClient
) -> None:
    """Used to stay pending until a webhook retry or the contact's next
    message; recover() (any worker) now delivers it once the claim lapses."""
    ch = Channel()
    hang = asyncio.Event()

    async def stuck(message: Message, contact: Contact) -> str:
        await hang.wait()  # the channel call that never returns: the worker dies in it
        return "never"

    dying = make_relay(ch, deliver=stuck, claim_lease=0.5)
    other = make_relay(ch, claim_lease=0.5)
    uid = user()
    r = await dying.receive(channel_user_id=uid, text="hi", provider_message_id=f"{uid}.1")
    headers, body = await answer(env[1], r.session_id)
    message_id = json.loads(body)["data"]["object"]["id"]
    worker = asyncio.ensure_future(dying.handle_webhook(body, headers))
    await asyncio.sleep(0.6)  # deliver runs past a lease: its claim is extended, so held
    assert await other.recover() == [Recovered(r.session_id, message_id, "busy")]
    assert ch.sent == []
    worker.cancel()  # the worker dies mid-send
    await asyncio.gather(worker, return_exceptions=True)
    assert (await client.sessions.messages.get(r.session_id, message_id)).delivery_status == "pending"
    # Its claim lapses (0.5 s); the busy entry is due again after Retry-After (1 s).
    # No webhook, no message from the contact.
    await asyncio.sleep(1.2)
    # A relay of another channel type sharing the store and prefix leaves it alone.
    telegram = ChannelRelay(client, "telegram", deliver=ch.deliver, store=dying.store, prefix=dying._keys.prefix, verify=False)
    assert await telegram.recover() == [] and ch.sent == []
    assert await other.recover() == [Recovered(r.session_id, message_id, "sent")]
    assert ch.sent == [(message_id, uid, True, message_id)]  # flagged: it may be out already
    assert (await client.sessions.messages.get(r.session_id, message_id)).delivery_status == "sent"
    assert await other.recover() == []
    # The webhook's retry, if it comes after all, sends nothing more.
    assert (await other.handle_webhook(body, headers)).outcome == "duplicate"
    assert len(ch.sent) == 1


async def test_the_sweeper_recovers_a_dead_workers_message_on_its_own(
    make_relay: Any, env: Tuple[Sandbox, WebhookSink], client: AsyncClient
) -> None:
    ch = Channel()

    async def stuck(message: Message, contact: Contact) -> str:
        await asyncio.Event().wait()
        return "never"

    dying = make_relay(ch, deliver=stuck, claim_lease=0.3)
    other = make_relay(ch, claim_lease=0.3)
    sweeper = asyncio.ensure_future(other.run_sweeper(0.1))
    try:
        r = await dying.receive(channel_user_id=user(), text="hi", provider_message_id="sw.1")
        headers, body = await answer(env[1], r.session_id)
        message_id = json.loads(body)["data"]["object"]["id"]
        worker = asyncio.ensure_future(dying.handle_webhook(body, headers))
        await asyncio.sleep(0.1)
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        started = asyncio.get_running_loop().time()
        while not ch.sent and asyncio.get_running_loop().time() - started < 5:
            await asyncio.sleep(0.05)
        # At most the lease, plus a second (a held claim is looked at again
        # after its Retry-After, in whole seconds), plus the sweep interval.
        assert asyncio.get_running_loop().time() - started < 0.3 + 1.0 + 0.1 + 1.0
        assert ch.ids() == [message_id]
        # The sweeper reports the delivery after `deliver` returns: wait for it.
        while (await client.sessions.messages.get(r.session_id, message_id)).delivery_status != "sent":
            assert asyncio.get_running_loop().time() - started < 5, "the recovered delivery was never reported"
            await asyncio.sleep(0.05)
    finally:
        sweeper.cancel()
        await asyncio.gather(sweeper, return_exceptions=True)


def test_the_relay_errors_share_one_base_with_the_sdks() -> None:
    """One ``except AntonniaError`` (or ``RelayError``) answers 503 for everything ``receive`` raises."""
    from antonnia_sdk.exceptions import RelayError as FromExceptions
    from antonnia_sdk.relay import LockTimeoutError

    assert RelayError is FromExceptions
    for cls, kind in ((StoreUnavailableError, "store_unavailable"), (LockTimeoutError, "lock_timeout")):
        err = cls("x")
        assert isinstance(err, RelayError) and isinstance(err, AntonniaError) and err.kind == kind


def test_the_documented_webhook_handlers_keep_retry_after() -> None:
    """The README's ``status, answer = handle_webhook(...)`` dropped the
    503's Retry-After: every snippet now answers with the reply's headers."""
    repo = Path(__file__).resolve().parents[2]
    docs = [repo / "README.md", repo / "bindings-python" / "README.md", repo / "bindings-wasm" / "README.md",
            *sorted((repo / "docs").glob("*.md")), repo / "bindings-python" / "python" / "antonnia_sdk" / "relay.py"]
    calls = 0
    for doc in docs:
        lines = doc.read_text().splitlines()
        for i, line in enumerate(lines):
            if "handle_webhook(" not in line and "handleWebhook(" not in line:
                continue
            if "=" not in line.split("handle")[0]:
                continue  # prose, or a call whose result is used otherwise
            calls += 1
            target = line.split("=")[0]
            where = f"{doc.relative_to(repo)}:{i + 1}: {line.strip()}"
            # Either the whole reply, or a destructuring that takes its headers.
            assert "," not in target or "headers" in target, where
            if "," not in target:
                name = target.strip().split()[-1]
                assert any(f"{name}.headers" in later for later in lines[i:i + 4]), where
    assert calls >= 4, calls


@pytest.mark.parametrize("store_kind", ["memory", "redis", "cluster", "sentinel"])
def test_the_sync_relay_recovers_a_dead_workers_message(
    env: Tuple[Sandbox, WebhookSink], request: pytest.FixtureRequest, store_kind: str
) -> None:
    """SyncChannelRelay.recover (generated from the async relay) delivers a
    message whose worker claimed it and died, with no further traffic (also
    on a Redis Cluster: the claim and its index entry go to two nodes; and
    behind Redis Sentinel, with SyncRedisStore.from_sentinel)."""
    sb, sink = env
    sent: List[Tuple[str, bool]] = []

    def deliver(message: Message, contact: Contact, attempt: DeliveryAttempt) -> str:
        sent.append((message.id, attempt.redelivery))
        return "wamid.sync"

    with Client(token=sb.token, base_url=sb.base_url) as client:
        store: Any
        if store_kind == "memory":
            store = SyncMemoryStore()
        elif store_kind == "cluster":
            store = SyncRedisStore.from_cluster_url(request.getfixturevalue("redis_cluster").url)
        elif store_kind == "sentinel":
            sentinel: RedisSentinel = request.getfixturevalue("redis_sentinel")
            store = SyncRedisStore.from_sentinel(sentinel.sentinels, sentinel.SERVICE)
        else:
            store = SyncRedisStore.from_url(request.getfixturevalue("redis_server").url)
        relay = SyncChannelRelay(client, "whatsapp", "agent_abc", deliver, WEBHOOK_SECRET, store, prefix=uuid.uuid4().hex)
        r = relay.receive(channel_user_id=user(), text="hi", provider_message_id="sr.1")
        headers, body = sink.next(20.0, is_answer(r.session_id))
        event = webhooks.parse(body, verify=False)
        message = event.data.object
        assert isinstance(message, Message)
        k, sid = relay._keys, r.session_id
        # A worker claims it (indexed, as every claim is) and dies before sending.
        claimed = store.claim(ClaimArgs(k.outbound(sid, message.id), k.queue(sid), k.contact(sid), message.id, 0,
                                        json.dumps(message.to_dict()), "dead-worker", 300, 60_000, "whatsapp",
                                        k.session_base(sid), k.pending("whatsapp"), k.pending_member(sid, message.id)))
        assert claimed["result"] == "claimed"
        assert relay.recover() == [] and sent == []
        __import__("time").sleep(0.4)
        assert relay.recover() == [Recovered(sid, message.id, "sent")]
        assert sent == [(message.id, True)]
        assert client.sessions.messages.get(sid, message.id).delivery_status == "sent"
        relay.close()


async def test_the_counters_say_what_the_relay_did_and_export_to_prometheus_and_opentelemetry(
    make_relay: Any, env: Tuple[Sandbox, WebhookSink]
) -> None:
    """An operator's view (docs/relay.md "Operability"): the same counters as
    a dict, through prometheus_client and through an OpenTelemetry meter."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from prometheus_client import CollectorRegistry, generate_latest

    from antonnia_sdk.relay import observe_with_opentelemetry, prometheus_collector

    ch = Channel()
    relay = make_relay(ch)
    uid = user()
    r = await relay.receive(channel_user_id=uid, text="hi", provider_message_id=f"{uid}.1")
    again = await relay.receive(channel_user_id=uid, text="hi", provider_message_id=f"{uid}.1")
    assert again.duplicate
    headers, body = await answer(env[1], r.session_id)
    assert (await relay.handle_webhook(body, headers)).outcome == "sent"
    assert (await relay.handle_webhook(body, headers)).outcome == "duplicate"
    assert (await relay.handle_webhook(body, {**headers, "webhook-signature": "v1,AAAA"})).status == 401
    ch.refuse = 131026
    uid2 = user()
    r2 = await relay.receive(channel_user_id=uid2, text="hi", provider_message_id=f"{uid2}.1")
    headers2, body2 = await answer(env[1], r2.session_id)
    assert (await relay.handle_webhook(body2, headers2)).outcome == "failed"

    stats = relay.stats()
    assert stats["channel_type"] == "whatsapp"
    assert stats["webhooks"] == {"sent": 1, "duplicate": 1, "bad_signature": 1, "failed": 1}
    assert (stats["webhooks_received"], stats["unavailable"]) == (4, 0)
    assert (stats["delivered"], stats["redelivered"], stats["failed"], stats["crashed"]) == (1, 0, 1, 0)
    assert (stats["received"], stats["received_duplicates"]) == (3, 1)

    registry = CollectorRegistry()
    registry.register(prometheus_collector(relay))
    text = generate_latest(registry).decode()
    assert 'antonnia_relay_webhooks_total{channel_type="whatsapp",outcome="sent",status="200"} 1.0' in text
    assert 'antonnia_relay_webhooks_total{channel_type="whatsapp",outcome="bad_signature",status="401"} 1.0' in text
    assert 'antonnia_relay_deliveries_total{channel_type="whatsapp",result="refused"} 1.0' in text
    assert 'antonnia_relay_messages_received_total{channel_type="whatsapp",duplicate="true"} 1.0' in text
    # The core's own text says the same.
    assert 'antonnia_relay_deliveries_total{channel_type="whatsapp",result="sent"} 1' in relay.prometheus_text()

    reader = InMemoryMetricReader()
    meter = MeterProvider(metric_readers=[reader]).get_meter("test")
    observe_with_opentelemetry(relay, meter)
    data = reader.get_metrics_data()
    assert data is not None
    points = {
        (m.name, tuple(sorted((p.attributes or {}).items()))): p.value
        for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics for p in m.data.data_points
    }
    assert points[("antonnia.relay.webhooks", (("channel_type", "whatsapp"), ("outcome", "duplicate"), ("status", "200")))] == 1
    assert points[("antonnia.relay.deliveries", (("channel_type", "whatsapp"), ("result", "sent")))] == 1


def test_a_debounce_that_is_not_whole_seconds_is_refused_when_the_relay_is_made() -> None:
    client = AsyncClient(token="t", base_url="http://127.0.0.1:1")
    for bad in (1.5, -1, True, "3"):
        with pytest.raises(ValueError, match="debounce"):
            ChannelRelay(client, "whatsapp", deliver=_async_send, debounce=bad, verify=False)  # type: ignore[arg-type]
    ChannelRelay(client, "whatsapp", deliver=_async_send, debounce=0, verify=False)
