"""The asynchronous channel relay and its stores.

``_sync_relay.py`` is generated from this file by ``scripts/unasync.py``
(``tests/test_unasync.py`` checks that it is current): edit this one.
"""

from __future__ import annotations

import json
import secrets
from time import monotonic
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union, cast

from . import _core, channel
from ._async_client import AsyncClient
from ._core import Message
from ._relay_common import (
    DEFAULT_PREFIX,
    AsyncDeliver,
    AsyncHeartbeat,
    ClaimArgs,
    Contact,
    DeliveryAttempt,
    DeliveryError,
    Received,
    Recovered,
    RelayError,
    RelayKeys,
    RelayStatsSnapshot,
    StoreUnavailableError,
    log,
    with_attempt,
    WebhookReply,
    _Context,
    _ENDS,
    _error_kind,
    _failure,
    _now_ms,
    _recovered,
    _reply,
    check_sent,
)
from .exceptions import (
    AntonniaError,
    DecodeError,
    PayloadTooLargeError,
    WebhookVerificationError,
)
from .types import ContentLike, MessageContentText
from .webhooks import BodyLike, HeadersLike, WebhookReceiver

__all__ = ["ChannelRelay", "MemoryStore", "RedisStore"]


async def _sleep(seconds: float) -> None:
    import asyncio  # deferred: importing asyncio costs ~60 ms

    await asyncio.sleep(seconds)


class MemoryStore:
    """The relay's store in this process's memory: for one process (any number
    of concurrent tasks). Several processes need ``RedisStore``. The atomic
    operations are the core's (``antonnia_relay::memory``: the Lua scripts'
    semantics, each call atomic)."""

    def __init__(self) -> None:
        self._data = _core.RelayMemory()

    async def acquire(self, key: str, token: str, lease_ms: int) -> bool:
        return self._data.acquire(key, token, lease_ms, _now_ms())

    async def release(self, key: str, token: str) -> None:
        self._data.release(key, token, _now_ms())

    async def get_many(self, keys: Sequence[str]) -> List[Optional[str]]:
        return self._data.get_many(list(keys), _now_ms())

    async def put(self, key: str, value: str, ttl_ms: int) -> None:
        self._data.put(key, value, ttl_ms, _now_ms())

    async def forget(self, key: str, session_id: str) -> bool:
        return self._data.forget(key, session_id, _now_ms())

    async def claim(self, args: ClaimArgs) -> Dict[str, Any]:
        return self._data.claim(args._asdict(), _now_ms())

    async def index_due(self, key: str, now_ms: int, limit: int) -> List[Tuple[str, int]]:
        return self._data.index_due(key, now_ms, limit)

    async def index_put(self, key: str, member: str, due_ms: int) -> None:
        self._data.index_put(key, member, due_ms)

    async def index_drop(self, key: str, members: Sequence[str]) -> None:
        self._data.index_drop(key, list(members))

    async def extend(self, outbound_key: str, token: str, lease_ms: int) -> bool:
        return self._data.extend(outbound_key, token, lease_ms, _now_ms())

    async def finish(
        self,
        outbound_key: str,
        queue_key: str,
        message_id: str,
        token: str,
        state: str,
        outcome: Optional[Mapping[str, Any]],
        retention_ms: int,
    ) -> bool:
        return self._data.finish(
            outbound_key, queue_key, message_id, token, state, outcome, retention_ms, _now_ms()
        )

    async def close(self) -> None:
        pass


class RedisStore:
    """The relay's store on Redis (redis-py), shared by every worker process,
    in any language, that uses the same prefix. Claims and compare-and-delete
    are Lua scripts (one round trip each); locks are ``SET NX PX``. Any Redis
    failure raises ``StoreUnavailableError``.

    ``RedisStore.from_url("redis://127.0.0.1:6379/0")``; on Redis Cluster
    ``RedisStore.from_cluster_url("redis://one-node:6379")``; behind Redis
    Sentinel ``RedisStore.from_sentinel([("10.0.0.5", 26379)], "mymaster")``;
    or wrap a client of your own created with ``decode_responses=True``
    (``redis.asyncio.Redis``, ``redis.asyncio.cluster.RedisCluster``, or
    ``redis.asyncio.sentinel.Sentinel(...).master_for(...)``). On a cluster
    every script touches the keys of one hash slot (docs/relay.md, Keys), and
    the client follows ``MOVED`` and refreshes its view of the cluster after a
    failover. On a Sentinel-managed client the store asks the sentinels for
    the master at most every ``master_check_interval`` seconds: while they
    fail it over it answers ``StoreUnavailableError``, and once they name a
    new master it stops using its connections to the old one (a demoted
    master keeps accepting writes for seconds, which it then discards)."""

    def __init__(self, redis: Any, *, master_check_interval: float = 0.5) -> None:
        self._redis = redis
        self._cluster = _is_cluster(redis)
        self._sentinel_pool = _sentinel_pool(redis)
        self._check_every = master_check_interval
        self._next_check = 0.0
        self._failing_over: Optional[str] = None
        self._owned: List[Any] = []  # the sentinels' clients of a store made by from_sentinel
        self._claim = redis.register_script(_core.RELAY_CLAIM_LUA)
        self._finish = redis.register_script(_core.RELAY_FINISH_LUA)
        self._extend = redis.register_script(_core.RELAY_EXTEND_LUA)
        self._unlock = redis.register_script(_core.RELAY_UNLOCK_LUA)
        self._forget = redis.register_script(_core.RELAY_FORGET_LUA)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> RedisStore:
        """A store on a new client for ``url`` (``redis://`` / ``rediss://`` /
        ``unix://``); ``kwargs`` go to ``redis.asyncio.Redis.from_url``. Needs
        ``pip install 'antonnia-sdk[redis]'``."""
        try:
            import redis.asyncio as redis_lib
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("RedisStore needs redis-py: pip install 'antonnia-sdk[redis]'") from exc
        kwargs.setdefault("socket_timeout", 5.0)
        kwargs.setdefault("socket_connect_timeout", 5.0)
        return cls(redis_lib.Redis.from_url(url, decode_responses=True, **kwargs))

    @classmethod
    def from_cluster_url(cls, url: str, **kwargs: Any) -> RedisStore:
        """A store on a new Redis Cluster client that discovers the cluster
        from the node at ``url`` (``redis://host:port``; ``rediss://`` for
        TLS); ``kwargs`` go to ``redis.asyncio.cluster.RedisCluster.from_url``.
        Needs ``pip install 'antonnia-sdk[redis]'``."""
        try:
            from redis.asyncio.cluster import RedisCluster
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("RedisStore needs redis-py: pip install 'antonnia-sdk[redis]'") from exc
        kwargs.setdefault("socket_timeout", 5.0)
        kwargs.setdefault("socket_connect_timeout", 5.0)
        return cls(RedisCluster.from_url(url, decode_responses=True, **kwargs))

    @classmethod
    def from_sentinel(
        cls,
        sentinels: Sequence[Tuple[str, int]],
        service_name: str,
        *,
        sentinel_kwargs: Optional[Mapping[str, Any]] = None,
        master_check_interval: float = 0.5,
        **kwargs: Any,
    ) -> RedisStore:
        """A store on the master of ``service_name``, found through the Redis
        Sentinels at ``sentinels`` (``[(host, port), ...]``; any of them may
        be down) with ``redis.asyncio.sentinel.Sentinel(...).master_for``.
        ``kwargs`` go to the master's connections (``password``, ``ssl``,
        ...; their ``socket_*`` options also to the sentinels' unless
        ``sentinel_kwargs`` is given, for the sentinels alone). After a
        failover the client connects to the new master (the store loads its
        scripts there). ``close()`` closes the sentinels' connections too.
        Needs ``pip install 'antonnia-sdk[redis]'``."""
        try:
            from redis.asyncio import sentinel as redis_sentinel
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("RedisStore needs redis-py: pip install 'antonnia-sdk[redis]'") from exc
        kwargs.setdefault("socket_timeout", 5.0)
        kwargs.setdefault("socket_connect_timeout", 5.0)
        kwargs.pop("decode_responses", None)  # the store reads text
        sentinel_class: Any = redis_sentinel.Sentinel  # unannotated in redis-py
        manager = sentinel_class(
            [(str(host), int(port)) for host, port in sentinels],
            sentinel_kwargs=dict(sentinel_kwargs) if sentinel_kwargs is not None else None,
            **kwargs,
        )
        store = cls(manager.master_for(service_name, decode_responses=True), master_check_interval=master_check_interval)
        store._owned = list(manager.sentinels)
        return store

    async def _run(self, what: str, call: Callable[[], Any]) -> Any:
        from redis.exceptions import RedisError

        try:
            if self._sentinel_pool is not None:
                await self._follow_master()
            return await call()
        except (RedisError, OSError) as exc:
            raise StoreUnavailableError(f"redis {what} failed: {type(exc).__name__}: {exc}") from None

    async def _follow_master(self) -> None:
        # redis-py's Sentinel client asks the sentinels for the master only
        # when it opens a connection; after SENTINEL FAILOVER the old master
        # stays a writable master (for about 10 s, until the sentinels make
        # it a replica and it discards what it took meanwhile), so pooled
        # connections would go on writing there. At most every
        # master_check_interval, one SENTINEL MASTER to the first sentinel
        # that answers tells whether a failover is under way (then the store
        # fails fast: a 503, retried) and where the master is now.
        now = monotonic()
        if now >= self._next_check:
            self._next_check = now + self._check_every
            self._failing_over = await self._ask_sentinels()
        if self._failing_over is not None:
            raise StoreUnavailableError(f"redis sentinel: {self._failing_over}")

    async def _ask_sentinels(self) -> Optional[str]:
        from redis.exceptions import ConnectionError, ResponseError, TimeoutError

        pool = self._sentinel_pool
        name = pool.service_name
        manager = pool.sentinel_manager
        for sentinel in manager.sentinels:
            try:
                state = _flat(await sentinel.execute_command("SENTINEL", "MASTER", name))
            except (ConnectionError, TimeoutError, ResponseError, OSError):
                continue  # down, or it does not watch this service: the next one
            flags = set(state.get("flags", "").split(","))
            if "master" not in flags or flags & {"s_down", "o_down", "failover_in_progress"}:
                return f"the master of {name!r} is down or being failed over ({state.get('flags')})"
            address = (getattr(manager, "_force_master_ip", None) or state.get("ip"), int(state.get("port", 0)))
            await self._drop_connections_not_to(address)
            return None
        # No sentinel answered: the client's connections are all there is to go on.
        return None

    async def _drop_connections_not_to(self, address: Tuple[Any, int]) -> None:
        pool = self._sentinel_pool
        if pool.master_address is not None and tuple(pool.master_address) != address:
            # The sentinels moved the service: get_master_address() closes the
            # idle connections (they reconnect to the new master when next
            # used); those in use are closed when given back.
            await pool.get_master_address()
            for conn in list(getattr(pool, "_in_use_connections", ())):
                mark = getattr(conn, "mark_for_reconnect", None)
                if mark is not None:
                    mark()
        # A connection given back since, still to another address (an older
        # redis-py without mark_for_reconnect): closed before it is reused.
        for conn in list(getattr(pool, "_available_connections", ())):
            if conn is not None and getattr(conn, "host", None) is not None and (conn.host, conn.port) != address:
                await conn.disconnect()

    async def acquire(self, key: str, token: str, lease_ms: int) -> bool:
        return bool(await self._run("SET NX", lambda: self._redis.set(key, token, nx=True, px=lease_ms)))

    async def release(self, key: str, token: str) -> None:
        await self._run("unlock", lambda: self._unlock(keys=[key], args=[token]))

    async def get_many(self, keys: Sequence[str]) -> List[Optional[str]]:
        if self._cluster:
            # A sweep reads the records of many sessions, in many slots: one
            # MGET per slot, sent to their nodes at once.
            return list(await self._run("MGET", lambda: self._redis.mget_nonatomic(list(keys))))
        return list(await self._run("MGET", lambda: self._redis.mget(list(keys))))

    async def put(self, key: str, value: str, ttl_ms: int) -> None:
        await self._run("SET", lambda: self._redis.set(key, value, px=ttl_ms))

    async def forget(self, key: str, session_id: str) -> bool:
        return bool(await self._run("forget", lambda: self._forget(keys=[key], args=[session_id])))

    async def claim(self, args: ClaimArgs) -> Dict[str, Any]:
        if args.pending_key:
            raw = await self._run("claim", lambda: self._claim_indexed(args))
        else:
            raw = await self._run("claim", lambda: self._claim(keys=args.keys(), args=args.argv()))
        result: Dict[str, Any] = json.loads(raw)
        return result

    async def _claim_indexed(self, args: ClaimArgs) -> Any:
        # The recovery index has no hash tag of the message's (one key finds
        # every claim), so it cannot be a key of the script (Redis Cluster):
        # it goes in its own command, pipelined with the script, one round
        # trip for both.
        from redis.exceptions import NoScriptError

        for _ in range(2):
            pipe = self._redis.pipeline(transaction=False)
            pipe.zadd(args.pending_key, {args.pending_member: _now_ms() + args.lease_ms})
            # execute_command: redis-py's cluster pipeline has no evalsha
            # method; it sends each command to its slot's node, both at once.
            pipe.execute_command("EVALSHA", self._claim.sha, 3, *args.keys(), *args.argv())
            added, raw = await pipe.execute(raise_on_error=False)
            if isinstance(raw, NoScriptError):
                await self._redis.script_load(_core.RELAY_CLAIM_LUA)
                continue
            if isinstance(raw, Exception):
                raise raw
            if isinstance(added, Exception):  # only delays recovery to the webhook's retry
                log.warning("relay: the recovery index entry for message %s was not written (%s)",
                            args.message_id, type(added).__name__)
            return raw
        raise StoreUnavailableError("redis claim failed: the script could not be loaded")

    async def index_due(self, key: str, now_ms: int, limit: int) -> List[Tuple[str, int]]:
        found = await self._run(
            "ZRANGEBYSCORE", lambda: self._redis.zrangebyscore(key, "-inf", now_ms, start=0, num=limit, withscores=True)
        )
        return [(str(m), int(score)) for m, score in found]

    async def index_put(self, key: str, member: str, due_ms: int) -> None:
        await self._run("ZADD", lambda: self._redis.zadd(key, {member: due_ms}))

    async def index_drop(self, key: str, members: Sequence[str]) -> None:
        if members:
            await self._run("ZREM", lambda: self._redis.zrem(key, *members))

    async def extend(self, outbound_key: str, token: str, lease_ms: int) -> bool:
        return bool(await self._run("extend", lambda: self._extend(keys=[outbound_key], args=[token, lease_ms])))

    async def finish(
        self,
        outbound_key: str,
        queue_key: str,
        message_id: str,
        token: str,
        state: str,
        outcome: Optional[Mapping[str, Any]],
        retention_ms: int,
    ) -> bool:
        encoded = json.dumps(dict(outcome)) if outcome is not None else ""
        args = [message_id, token, state, encoded, retention_ms]
        return bool(await self._run("finish", lambda: self._finish(keys=[outbound_key, queue_key], args=args)))

    async def close(self) -> None:
        """Closes the Redis client (and the sentinels' clients of a store made by ``from_sentinel``)."""
        await self._redis.aclose()
        for sentinel in self._owned:
            await sentinel.aclose()


def _is_cluster(redis: Any) -> bool:
    try:
        from redis.asyncio.cluster import RedisCluster
    except ImportError:  # pragma: no cover - a client without redis-py installed
        return False
    return isinstance(redis, RedisCluster)


def _sentinel_pool(redis: Any) -> Any:
    """The connection pool of a Sentinel-managed master client (``master_for``), else None."""
    try:
        from redis.asyncio.sentinel import SentinelConnectionPool
    except ImportError:  # pragma: no cover - a client without redis-py installed
        return None
    pool = getattr(redis, "connection_pool", None)
    return pool if isinstance(pool, SentinelConnectionPool) and pool.is_master else None


def _flat(reply: Any) -> Dict[str, str]:
    """A SENTINEL MASTER reply (RESP2's flat key, value list or RESP3's map), as text."""
    items = list(reply.items()) if isinstance(reply, dict) else list(zip(reply[0::2], reply[1::2]))
    return {_text(k): _text(v) for k, v in items}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


Store = Union[MemoryStore, RedisStore]


class ChannelRelay:
    """The Quick Start loop as one object, safe across concurrent calls and
    worker processes sharing a store.

    ``receive`` records a user message: one open session per
    ``(channel_type, channel_user_id)`` (a per-contact lock in the store; a
    cached mapping; on a miss a search by metadata before creating; a
    finished session is replaced), the message posted once per
    ``provider_message_id``, then a reply requested with ``debounce``.

    ``handle_webhook`` takes Antonnia's webhook (raw body and headers) and
    answers ``(status, body)``: each pending assistant message is handed to
    ``deliver(message, contact, attempt)`` once across duplicated webhooks and
    workers (a claim on its id with a lease of ``claim_lease`` seconds), in
    ``created_at`` order within its session, then reported ``sent`` with the
    id ``deliver`` returns, or ``failed`` when it raises ``DeliveryError``. A
    claim whose lease expired (its worker died) is handed over again with
    ``attempt.redelivery`` set. 401 for a bad signature; 2xx once the message
    is handled or skipped; 503 with ``Retry-After`` when it is in hand
    elsewhere, when the store is unreachable, or when ``deliver`` crashed.

    With ``strict_order`` (the default), before a message is handed over the
    session's earlier pending assistant messages are read from the API (one
    ``messages.search`` per delivered message) and delivered first, so that
    order holds even when a later message's webhook arrives before an earlier
    one's (only those created within ``order_window`` seconds before it);
    ``strict_order=False`` orders only among the webhooks received.

    ``report`` passes the channel's later receipts (``delivered``, ``read``,
    ``failed``) on, by the channel's message id.
    """

    def __init__(
        self,
        client: AsyncClient,
        channel_type: str,
        agent_id: Optional[str] = None,
        deliver: Optional[AsyncDeliver] = None,
        webhook_secret: Optional[str] = None,
        store: Optional[Store] = None,
        *,
        debounce: int = 3,
        prefix: str = DEFAULT_PREFIX,
        lock_lease: float = 30.0,
        lock_wait: float = 10.0,
        claim_lease: float = 30.0,
        max_wait: float = 5.0,
        retention: float = 7 * 24 * 3600.0,
        verify: bool = True,
        strict_order: bool = True,
        order_window: float = 3600.0,
    ) -> None:
        if deliver is None:
            raise TypeError("ChannelRelay needs deliver=: the function that sends a message on your channel")
        if not channel_type:
            raise ValueError("channel_type must not be empty")
        if isinstance(debounce, bool) or not isinstance(debounce, int) or debounce < 0:
            raise ValueError(f"debounce must be a whole number of seconds, got {debounce!r}")
        self._client = client
        self._channel_type = channel_type
        self._deliver = with_attempt(deliver, relay="ChannelRelay")
        self._receiver = WebhookReceiver(webhook_secret, verify=verify)
        self._store: Store = store if store is not None else MemoryStore()
        self._keys = RelayKeys(prefix)
        self._claim_lease_ms = int(claim_lease * 1000)
        # What every run of the core needs (antonnia_relay::run::RunConfig).
        self._run_config: Dict[str, Any] = {
            "prefix": prefix,
            "channel_type": channel_type,
            "claim_lease_ms": self._claim_lease_ms,
            "retention_ms": int(retention * 1000),
            "strict_order": strict_order,
            "order_window_ms": int(order_window * 1000),
            "policy": {"max_wait_ms": int(max_wait * 1000), "poll_ms": 100},
            "lock_lease_ms": int(lock_lease * 1000),
            "lock_wait_ms": int(lock_wait * 1000),
            "debounce": debounce,
            "agent_id": agent_id,
        }
        self._stats = _core.RelayStats(channel_type)
        self._closed = False

    @property
    def store(self) -> Store:
        """The store the relay uses."""
        return self._store

    def __repr__(self) -> str:
        return f"ChannelRelay(channel_type={self._channel_type!r}, store={type(self._store).__name__})"

    def stats(self) -> RelayStatsSnapshot:
        """The relay's counters in this process since it started: webhooks by
        outcome (``unavailable``: answered 503), messages delivered,
        redelivered, refused (``failed``) and crashed, user messages
        received, time spent waiting for claims and locks, sweeps and what
        they recovered. ``prometheus_collector`` and
        ``observe_with_opentelemetry`` (``antonnia_sdk.relay``) export them."""
        return cast(RelayStatsSnapshot, self._stats.snapshot())

    def prometheus_text(self) -> str:
        """The counters in the Prometheus text format, to serve as they are
        (``prometheus_collector`` registers them with ``prometheus_client``)."""
        return self._stats.prometheus_text()

    # -- inbound ---------------------------------------------------------

    async def receive(
        self,
        channel_user_id: str,
        text: Optional[str] = None,
        *,
        provider_message_id: str,
        contact_name: Optional[str] = None,
        content: Optional[ContentLike] = None,
    ) -> Received:
        """Records a user message from the channel and asks for a reply; see the
        class. ``text`` or ``content`` (a ``MessageContent*`` or its dict).
        Raises ``StoreUnavailableError``, ``LockTimeoutError`` or the API's
        error; calling again with the same ``provider_message_id`` is safe."""
        if (text is None) == (content is None):
            raise TypeError("receive() takes text= or content=, exactly one")
        body: ContentLike = content if content is not None else MessageContentText(type="text", text=str(text))
        # The procedure (lock, read, find or create the session, post once,
        # reply, replace a closed session) is the core's InboundRun
        # (antonnia_relay::run::inbound); the message's content stays here.
        done = await self._drive(
            "inbound",
            {"channel_user_id": channel_user_id, "provider_message_id": provider_message_id, "contact_name": contact_name},
            _Context(content=body),
        )
        return Received(done["session_id"], done.get("message_id"), bool(done["duplicate"]))

    # -- outbound --------------------------------------------------------

    async def handle_webhook(self, body: BodyLike, headers: Optional[HeadersLike] = None) -> WebhookReply:
        """Handles one webhook delivery; answer with the reply's ``.status``,
        ``.body`` and ``.headers`` (``Retry-After`` on a 503); ``.outcome``
        says what happened. Never raises for what the sender did or for an
        outage: those are statuses."""
        try:
            event = self._receiver.receive(body, headers)
        except WebhookVerificationError:
            return self._reply("bad_signature")
        except (DecodeError, PayloadTooLargeError):
            return self._reply("bad_request")
        action: Dict[str, Any] = _core.relay_classify(event)
        if action["action"] == "skip":
            return self._reply(action["reason"])
        try:
            if action["action"] == "forget":
                done = await self._drive("forget", {"session_id": action["session_id"]}, _Context())
            else:
                message = event.data.object
                assert isinstance(message, Message)
                text = json.dumps(message.to_dict(), separators=(",", ":"))
                done = await self._drive(
                    "webhook",
                    {"session_id": action["session_id"], "message": text, "created_at_ms": action["created_at_ms"]},
                    _Context(known={text: message}),
                )
        except AntonniaError:
            # A run the core would not start (a message it cannot read): the
            # sender retries rather than the message being dropped.
            return self._reply("api_unavailable")
        return self._reply(str(done["outcome"]), done.get("retry_after"))

    def _reply(self, outcome: str, retry_after: Optional[int] = None) -> WebhookReply:
        return _reply(self._stats.respond(outcome, retry_after), outcome)

    async def _drive(self, kind: str, input: Dict[str, Any], context: "_Context") -> Dict[str, Any]:
        # Every procedure (a webhook's delivery, a sweep, receive, forget) is
        # one of the core's runs (antonnia_relay::run, docs/relay.md): this
        # loop only performs the effects it names and hands back what each
        # gave, or how it failed; it returns the run's end.
        run = _core.RelayRun(kind, {**input, "config": self._run_config, "token": secrets.token_hex(16)})
        failures: Dict[str, BaseException] = {}
        effect: Dict[str, Any] = run.next()
        try:
            while effect["effect"] not in _ENDS:
                answer: Any
                try:
                    answer = await self._perform(effect, context)
                except BaseException as exc:  # also a cancellation: the run releases what it holds first
                    error = _error_kind(exc)
                    failures.setdefault(error, exc)
                    answer = {"error": error, "name": type(exc).__name__}
                effect = run.resume(answer)
        finally:
            self._stats.add(run)
        if effect["effect"] == "failed":
            raise _failure(effect, failures)
        return effect

    async def _perform(self, effect: Mapping[str, Any], ctx: "_Context") -> Any:
        kind = effect["effect"]
        api = self._client.sessions
        if kind == "claim":
            args = ClaimArgs(**effect["args"])
            ctx.claims[args.token] = args
            result = await self._store.claim(args)
            return {"result": result, "waited_ms": ctx.waited_ms()}
        if kind == "sleep":
            await _sleep(effect["ms"] / 1000)
            return None
        if kind == "acquire":
            acquired = await self._store.acquire(effect["key"], effect["token"], effect["lease_ms"])
            return {"acquired": acquired, "waited_ms": ctx.waited_ms()}
        if kind == "release":
            await self._store.release(effect["key"], effect["token"])
            return None
        if kind == "get_many":
            return {"values": await self._store.get_many(effect["keys"])}
        if kind == "put":
            await self._store.put(effect["key"], effect["value"], effect["ttl_ms"])
            return None
        if kind == "forget":
            await self._store.forget(effect["key"], effect["session_id"])
            return None
        if kind == "extend":
            return {"held": await self._store.extend(effect["outbound_key"], effect["token"], effect["lease_ms"])}
        if kind == "finish":
            await self._store.finish(
                effect["outbound_key"], effect["queue_key"], effect["message_id"], effect["token"], effect["state"],
                effect["outcome"], effect["retention_ms"],
            )
            return None
        if kind == "index_due":
            due = await self._store.index_due(effect["key"], _now_ms(), effect["limit"])
            return {"members": [member for member, _ in due]}
        if kind == "index_put":
            await self._store.index_put(effect["key"], effect["member"], _now_ms() + effect["due_in_ms"])
            return None
        if kind == "index_drop":
            await self._store.index_drop(effect["key"], effect["members"])
            return None
        if kind == "fetch_session":
            session = await api.get(effect["session_id"])
            return {"metadata": session.metadata, "status": session.status}
        if kind == "search_sessions":
            sessions = await api.search(status=effect["status"], metadata=effect["metadata"])
            return {"sessions": [
                {"id": s.id, **({"created_at": s.created_at.isoformat()} if s.created_at else {})} for s in sessions
            ]}
        if kind == "create_session":
            session = await api.create(
                contact_id=effect["contact_id"], contact_name=effect["contact_name"],
                agent_id=effect["agent_id"], metadata=effect["metadata"],
            )
            return {"id": session.id}
        if kind == "find_posted":
            found = await api.messages.search(
                session_id=effect["session_id"], provider_message_id=effect["provider_message_id"], limit=1
            )
            return {"message_id": found[0].id if found else None}
        if kind == "post_message":
            assert ctx.content is not None
            posted = await api.messages.create(
                session_id=effect["session_id"], content=ctx.content, role=effect["role"],
                provider_message_id=effect["provider_message_id"],
            )
            return {"id": posted.id}
        if kind == "reply":
            await api.reply(effect["session_id"], debounce_time=effect["debounce_time"])
            return None
        if kind == "list_messages":
            texts: List[str] = []
            async for m in api.messages.iter_search(session_id=effect["session_id"], role="assistant"):
                listed = json.dumps(m.to_dict(), separators=(",", ":"))
                ctx.known[listed] = m
                texts.append(listed)
            return {"messages": texts}
        if kind == "get_message":
            current = await api.messages.get(effect["session_id"], effect["message_id"])
            return {"delivery_status": current.delivery_status}
        if kind == "deliver":
            return await self._deliver_once(effect, ctx.known, ctx.claims[effect["token"]])
        if kind == "report":
            outcome = effect["outcome"]
            if outcome["status"] == "sent":
                fields = channel.sent(outcome.get("provider_message_id"))
            else:
                fields = channel.failed(outcome.get("code"), outcome.get("message"))
            await api.messages.update(effect["session_id"], effect["message_id"], **fields)
            return None
        raise RelayError(f"the relay's run asked for an effect this SDK does not know: {kind!r}")

    async def _deliver_once(self, effect: Mapping[str, Any], known: Dict[str, Message], args: ClaimArgs) -> Dict[str, Any]:
        text = effect["message"]
        message = known[text] if text in known else Message.from_dict(json.loads(text))
        c = effect["contact"]
        contact = Contact(c["channel_type"], c["channel_user_id"], c.get("contact_name"), c["session_id"])
        redelivery = bool(effect["redelivery"])
        try:
            async with AsyncHeartbeat(self._store, args, self._claim_lease_ms / 3000):
                provider_id = check_sent(
                    await self._deliver(message, contact, DeliveryAttempt(redelivery, effect["idempotency_key"]))
                )
            return {"delivery": "sent", "provider_message_id": provider_id}
        except DeliveryError as exc:
            log.warning(
                "deliver refused message %s of session %s (DeliveryError, code %s): reported failed",
                message.id, contact.session_id, exc.code,
            )
            return {"delivery": "refused", "code": exc.code, "message": exc.message}
        except Exception as exc:
            # Ids and the exception's type only: its text may quote the message or a token.
            log.error(
                "deliver failed for message %s of session %s (%s%s): claim released, webhook answered 503",
                message.id, contact.session_id, type(exc).__name__, ", redelivery" if redelivery else "",
            )
            return {"delivery": "crashed"}

    # -- recovery --------------------------------------------------------

    async def recover(self, *, limit: int = 100) -> List[Recovered]:
        """Delivers the messages whose worker died mid-send, without waiting
        for a webhook retry or the contact's next message.

        Every claim is indexed in the store by when its lease lapses; this
        looks at the entries that are due (``limit`` at a time, until none
        is), drops the ones settled since, and runs each other one through
        the webhook's path: claimed again (never while another worker still
        holds it), read from the API, and handed to ``deliver`` with
        ``attempt.redelivery`` set unless it was reported already. Returns
        what it found, with each outcome (``busy`` and the other retryable
        ones are looked at again later). Safe on any number of workers at
        once. Raises ``StoreUnavailableError`` when the store fails (the
        entries stay). Call it periodically, or let ``run_sweeper`` do so:
        a stranded message then goes out at most ``claim_lease`` plus the
        sweep interval after its worker died (docs/relay.md)."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        done = await self._drive("recover", {"limit": limit}, _Context())
        return _recovered(done)

    async def run_sweeper(self, interval: float = 5.0, *, limit: int = 100) -> None:
        """Calls ``recover`` every ``interval`` seconds until the relay is
        closed (``close()``; or cancel the task running it). A failed sweep is
        logged (logger ``antonnia_sdk.relay``) and the next one tried.
        ``asyncio.create_task(relay.run_sweeper(5))`` on one or more workers;
        for ``SyncChannelRelay``, on a daemon thread."""
        if interval <= 0:
            raise ValueError("interval must be positive")
        while not self._closed:
            try:
                await self.recover(limit=limit)
            except AntonniaError as exc:
                log.warning("relay sweep failed (%s); the next one in %s s", type(exc).__name__, interval)
            await _sleep(interval)

    # -- receipts --------------------------------------------------------

    async def report(
        self,
        provider_message_id: str,
        status: channel.DeliveryReportStatus,
        *,
        at: Optional[str] = None,
        code: Optional[int] = None,
        message: Optional[str] = None,
    ) -> Optional[Message]:
        """Passes a channel receipt on (``delivered``, ``read``, ``failed``) for
        the assistant message the channel knows as ``provider_message_id``;
        returns the updated message, or None when no message has that id."""
        found = await self._client.sessions.messages.search(provider_message_id=provider_message_id, role="assistant", limit=1)
        if not found or found[0].session_id is None:
            return None
        target = found[0]
        fields = channel.delivery_fields(status, provider_message_id if status != "failed" else None, at, code, message)
        assert target.session_id is not None
        return await self._client.sessions.messages.update(target.session_id, target.id, **fields)

    async def close(self) -> None:
        """Closes the store (not the client, which is yours) and stops
        ``run_sweeper``."""
        self._closed = True
        await self._store.close()
