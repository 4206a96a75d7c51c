"""What the async and the sync channel relay share: errors, the values handed
to ``deliver``, record encoding, and the in-memory store's atomic operations
(the same semantics as the Redis Lua scripts in ``relay/src/``)."""

from __future__ import annotations

import functools
import inspect
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Mapping, NamedTuple, Optional, Protocol, Sequence, Tuple, Union

from . import _core
from ._core import Message, RelayKeys
from .exceptions import RelayError

__all__ = [
    "Contact",
    "DeliveryAttempt",
    "DeliveryError",
    "RelayError",
    "StoreUnavailableError",
    "LockTimeoutError",
    "Received",
    "Recovered",
    "WebhookReply",
    "RelayKeys",
    "AsyncDeliver",
    "Deliver",
    "decode_record",
    "encode_record",
    "DEFAULT_PREFIX",
]

#: Key prefix when none is given.
DEFAULT_PREFIX: str = _core.RELAY_DEFAULT_PREFIX


#: Where the relay logs (``deliver`` failures, sweeps): message ids, session
#: ids and exception types, never a message's text or a token.
log = logging.getLogger("antonnia_sdk.relay")


class StoreUnavailableError(RelayError):
    """The store (Redis) could not be reached or failed: nothing was decided,
    and ``handle_webhook`` answers a retryable 503 so the sender tries again."""

    kind = "store_unavailable"


class LockTimeoutError(RelayError):
    """The contact's lock stayed held by another worker longer than ``lock_wait``."""

    kind = "lock_timeout"


class DeliveryError(Exception):
    """Raise it from ``deliver`` when the channel refused the message: the relay
    reports it ``failed`` with ``code`` (e.g. WhatsApp's 131047) and
    ``message``, and does not try again. Any other exception from ``deliver``
    means "unknown": the claim is released and the webhook answered 503."""

    def __init__(self, code: Optional[int] = None, message: Optional[str] = None) -> None:
        super().__init__(message or (f"delivery failed with code {code}" if code is not None else "delivery failed"))
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Contact:
    """Who a session talks to on the channel."""

    channel_type: str
    channel_user_id: str
    contact_name: Optional[str]
    session_id: str


@dataclass(frozen=True)
class DeliveryAttempt:
    """How ``deliver`` is called for a message.

    ``redelivery`` is true when an earlier claim on this message expired (its
    worker died or overran its lease) and it may already be on the channel:
    pass ``idempotency_key`` (the message id) to a channel that supports one,
    or check the channel before sending again."""

    redelivery: bool
    idempotency_key: str


@dataclass(frozen=True)
class Received:
    """What ``receive`` did: the session the message is in, the API's id for
    the message, and whether it had been posted before (a repeated
    ``provider_message_id``, which is not an error)."""

    session_id: str
    message_id: Optional[str]
    duplicate: bool


@dataclass(frozen=True)
class Recovered:
    """A message ``recover()`` found stranded (its claim lapsed without being
    settled: its worker died mid-send) and ran through the webhook's path
    again: ``outcome`` as for a webhook (``sent``, ``failed``,
    ``duplicate``: settled; ``busy``, ``deliver_crashed``,
    ``api_unavailable``: not yet, it is looked at again later)."""

    session_id: str
    message_id: str
    outcome: str


class WebhookReply(NamedTuple):
    """The HTTP answer for a webhook: ``reply = await relay.handle_webhook(...)``,
    then answer with ``reply.status``, ``reply.body`` and ``reply.headers``
    (a 503 carries ``Retry-After``; unpacking ``status, body = ...`` drops it).

    The body is JSON, ``{"outcome": ..., "retry_after"?: seconds}``; the
    outcome says what happened (``sent``, ``failed``, ``duplicate``,
    ``not_ours``, ``not_assistant``, ``other_event``, ``forgotten``,
    ``bad_signature``, ``bad_request``, ``busy``, ``store_unavailable``,
    ``api_unavailable``, ``deliver_crashed``). ``headers`` gives the response
    headers, with ``Retry-After`` on a 503."""

    status: int
    body: bytes

    @property
    def outcome(self) -> str:
        """What happened (see the class)."""
        return str(json.loads(self.body)["outcome"])

    @property
    def retry_after(self) -> Optional[int]:
        """Seconds the sender should wait before trying again (503 only)."""
        value = json.loads(self.body).get("retry_after")
        return None if value is None else int(value)

    @property
    def headers(self) -> Dict[str, str]:
        """``content-type``, and ``retry-after`` on a 503."""
        h = {"content-type": "application/json"}
        retry_after = self.retry_after
        if retry_after is not None:
            h["retry-after"] = str(retry_after)
        return h


def _reply(outcome: str, retry_after: Optional[int] = None) -> WebhookReply:
    r = _core.relay_decide("response", {"outcome": outcome, "retry_after": retry_after})
    answer: Dict[str, Any] = {"outcome": outcome}
    if r.get("retry_after") is not None:
        answer["retry_after"] = r["retry_after"]
    return WebhookReply(int(r["status"]), json.dumps(answer).encode())


#: ``deliver`` for the async relay: ``async def send(message, contact, attempt) -> provider id``,
#: or ``async def send(message, contact)`` for a channel with no use for the attempt.
AsyncDeliver = Union[
    Callable[[Message, Contact, DeliveryAttempt], Awaitable[Optional[str]]],
    Callable[[Message, Contact], Awaitable[Optional[str]]],
]
#: ``deliver`` for the sync relay.
Deliver = Union[
    Callable[[Message, Contact, DeliveryAttempt], Optional[str]],
    Callable[[Message, Contact], Optional[str]],
]


def _is_async(fn: Any) -> bool:
    """Whether calling ``fn`` gives an awaitable, as far as can be told without
    calling it: an ``async def``, a ``functools.partial`` of one, or an object
    whose ``__call__`` is one."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    if inspect.iscoroutinefunction(fn):
        return True
    call = getattr(type(fn), "__call__", None)
    if call is not None and not inspect.isfunction(fn) and not inspect.ismethod(fn) and inspect.iscoroutinefunction(call):
        return True
    return False


def with_attempt(
    deliver: Callable[..., Any], relay: str = "ChannelRelay"
) -> Callable[[Message, Contact, DeliveryAttempt], Any]:
    """``deliver`` as a three-argument function: the Quick Start's two-argument
    ``send(message, contact)`` is called without the attempt (a relay must not
    fail at its first message because of a signature it accepted).

    ``relay`` names the relay class: ``ChannelRelay`` (async) refuses a
    ``deliver`` that is not ``async``, ``SyncChannelRelay`` one that is (the
    wrong kind would send on the channel and then fail, or not send at all)."""
    if not callable(deliver):
        raise TypeError(f"{relay}: deliver must be a function, not {type(deliver).__name__}")
    wrapped = _with_attempt(deliver)
    name = getattr(deliver, "__qualname__", None) or type(deliver).__name__
    if relay.startswith("Sync"):
        if _is_async(deliver):
            raise TypeError(
                f"{relay}: deliver={name} is an async function; SyncChannelRelay calls deliver "
                "without awaiting it. Use ChannelRelay (async) with an async deliver, or pass a plain def."
            )
    elif not _is_async(deliver):
        raise TypeError(
            f"{relay}: deliver={name} is not an async function; ChannelRelay awaits deliver. "
            "Use SyncChannelRelay for a synchronous deliver, or define it with async def."
        )
    return wrapped


def _with_attempt(deliver: Callable[..., Any]) -> Callable[[Message, Contact, DeliveryAttempt], Any]:
    try:
        inspect.signature(deliver).bind(None, None, None)
    except TypeError:
        try:
            inspect.signature(deliver).bind(None, None)
        except TypeError:
            raise TypeError(
                "deliver must take (message, contact) or (message, contact, attempt)"
            ) from None
        return lambda message, contact, attempt: deliver(message, contact)
    except ValueError:
        pass  # no signature to read (some builtins): pass all three
    return deliver


def check_sent(provider_id: Any) -> Any:
    """What ``deliver`` returned, once called (and awaited by the async relay):
    an awaitable here means a coroutine function reached the sync relay
    undetected (a lambda around one, say). Nothing was sent: it is closed and
    the delivery fails (never recorded as sent)."""
    if inspect.isawaitable(provider_id):
        close = getattr(provider_id, "close", None)
        if callable(close):
            close()
        raise TypeError(
            "deliver returned an awaitable, which SyncChannelRelay does not await: nothing was sent. "
            "Use ChannelRelay (async) for an async deliver."
        )
    return provider_id


def decode_record(record_type: str, text: str) -> Dict[str, Any]:
    """A stored record (``session``, ``contact``, ``inbound``, ``outbound``) from
    its JSON text; raises ``DecodeError`` for a malformed or newer record."""
    return _core.relay_decode_record(record_type, text)


def encode_record(record_type: str, record: Mapping[str, Any]) -> str:
    """A record as the JSON text every worker (any language) writes."""
    return _core.relay_encode_record(record_type, record)


def _now_ms() -> int:
    return int(time.time() * 1000)


class _Memory:
    """The in-memory store's data and its atomic operations. Callers hold the
    store's mutex around each call; the semantics are those of the Lua scripts."""

    def __init__(self) -> None:
        self.values: Dict[str, Tuple[str, Optional[int]]] = {}
        self.queues: Dict[str, Dict[str, int]] = {}
        self.indexes: Dict[str, Dict[str, int]] = {}  # recovery index: member -> due (ms)
        self.writes = 0

    def get(self, key: str, now: int) -> Optional[str]:
        item = self.values.get(key)
        if item is None:
            return None
        if item[1] is not None and item[1] <= now:
            del self.values[key]
            return None
        return item[0]

    def set(self, key: str, value: str, ttl_ms: Optional[int], now: int) -> None:
        self.values[key] = (value, None if ttl_ms is None else now + ttl_ms)
        self.writes += 1
        if self.writes % 4096 == 0:
            # Expired records go now and then, so a long-lived process stays bounded by `retention`.
            for k in [k for k, (_, exp) in self.values.items() if exp is not None and exp <= now]:
                del self.values[k]

    def acquire(self, key: str, token: str, lease_ms: int) -> bool:
        now = _now_ms()
        if self.get(key, now) is not None:
            return False
        self.set(key, token, lease_ms, now)
        return True

    def release(self, key: str, token: str) -> bool:
        if self.get(key, _now_ms()) == token:
            del self.values[key]
            return True
        return False

    def forget(self, key: str, session_id: str) -> bool:
        raw = self.get(key, _now_ms())
        if raw is not None and json.loads(raw).get("session_id") == session_id:
            del self.values[key]
            return True
        return False

    def index_put(self, key: str, member: str, due_ms: int) -> None:
        self.indexes.setdefault(key, {})[member] = due_ms

    def index_due(self, key: str, now_ms: int, limit: int) -> List[Tuple[str, int]]:
        index = self.indexes.get(key, {})
        # Redis orders a sorted set by score, then member.
        due = sorted((score, m) for m, score in index.items() if score <= now_ms)
        return [(m, score) for score, m in due[:limit]]

    def index_drop(self, key: str, members: Sequence[str]) -> None:
        index = self.indexes.get(key, {})
        for m in members:
            index.pop(m, None)

    def claim(self, a: "ClaimArgs") -> Dict[str, Any]:
        now = _now_ms()
        if a.pending_key:
            # Redis writes it in the same round trip, before the script (RedisStore.claim).
            self.index_put(a.pending_key, a.pending_member, now + a.lease_ms)
        raw_contact = self.get(a.contact_key, now)
        if raw_contact is None:
            return {"result": "unknown_session"}
        if json.loads(raw_contact).get("channel_type") != a.channel_type:
            return {"result": "not_ours"}
        raw = self.get(a.outbound_key, now)
        if raw is not None:
            rec = json.loads(raw)
            if rec["state"] == "done":
                return {"result": "done"}
        else:
            rec = {"v": 1, "state": "pending", "created_at_ms": a.created_at_ms, "attempts": 0,
                   "lease_until_ms": 0, "message": a.message_json}
            self.queues.setdefault(a.queue_key, {})[a.message_id] = a.created_at_ms
        queue = self.queues.get(a.queue_key, {})
        # Redis orders a sorted set by score, then member.
        for mid in sorted(queue, key=lambda m: (queue[m], m)):
            if mid == a.message_id:
                break
            eraw = self.get(a.session_base + "out:" + _escape(mid), now)
            e = json.loads(eraw) if eraw is not None else None
            if e is None or e["state"] == "done":
                del queue[mid]
                continue
            if raw is None:
                self.set(a.outbound_key, json.dumps(rec), a.retention_ms, now)
            return {"result": "earlier", "message_id": mid, "lease_ms": max(0, e["lease_until_ms"] - now),
                    "message": e.get("message")}
        if rec["lease_until_ms"] > now and rec.get("owner") != a.token:
            if raw is None:
                self.set(a.outbound_key, json.dumps(rec), a.retention_ms, now)
            return {"result": "busy", "lease_ms": rec["lease_until_ms"] - now}
        rec["attempts"] += 1
        rec["owner"] = a.token
        rec["lease_until_ms"] = now + a.lease_ms
        self.set(a.outbound_key, json.dumps(rec), a.retention_ms, now)
        if rec["state"] == "delivered":
            return {"result": "unreported", "attempt": rec["attempts"], "outcome": rec["outcome"], "contact": raw_contact}
        return {"result": "claimed", "attempt": rec["attempts"], "contact": raw_contact, "message": rec.get("message")}

    def extend(self, outbound_key: str, token: str, lease_ms: int) -> bool:
        now = _now_ms()
        raw = self.get(outbound_key, now)
        if raw is None:
            return False
        rec = json.loads(raw)
        if rec.get("owner") != token or rec["state"] != "pending" or rec["lease_until_ms"] <= now:
            return False
        rec["lease_until_ms"] = now + lease_ms
        self.values[outbound_key] = (json.dumps(rec), self.values[outbound_key][1])
        return True

    def finish(self, outbound_key: str, queue_key: str, message_id: str, token: str, state: str,
               outcome: Optional[Mapping[str, Any]], retention_ms: int) -> bool:
        now = _now_ms()
        raw = self.get(outbound_key, now)
        if raw is None:
            return False
        rec = json.loads(raw)
        owned = bool(rec.get("owner") == token)
        if rec["state"] == "done":
            return owned
        if state == "released":
            if not owned:
                return False
            rec["lease_until_ms"] = 0
        elif state == "done":
            rec = {"v": 1, "state": "done", "created_at_ms": rec["created_at_ms"], "attempts": rec["attempts"],
                   "lease_until_ms": 0, "owner": rec.get("owner"), "outcome": dict(outcome or {})}
            queue = self.queues.get(queue_key, {})
            queue.pop(message_id, None)
            if not queue:
                self.queues.pop(queue_key, None)
        else:
            rec["state"] = "delivered"
            rec["outcome"] = dict(outcome or {})
            rec["lease_until_ms"] = 0
        self.set(outbound_key, json.dumps(rec), retention_ms, now)
        return owned


class ClaimArgs(NamedTuple):
    """The claim operation's inputs (the Lua script's KEYS and ARGV, by name)."""

    outbound_key: str
    queue_key: str
    contact_key: str
    message_id: str
    created_at_ms: int
    message_json: str
    token: str
    lease_ms: int
    retention_ms: int
    channel_type: str
    session_base: str
    #: The recovery index (``RelayKeys.pending(channel_type)``) and this message's entry
    #: in it; empty: not indexed.
    pending_key: str = ""
    pending_member: str = ""

    def keys(self) -> List[str]:
        return [self.outbound_key, self.queue_key, self.contact_key]

    def argv(self) -> List[Any]:
        return [self.message_id, self.created_at_ms, self.message_json, self.token, self.lease_ms,
                self.retention_ms, self.channel_type, self.session_base]


class _Extends(Protocol):
    def extend(self, outbound_key: str, token: str, lease_ms: int) -> Any: ...


class AsyncHeartbeat:
    """Extends a claim every ``every`` seconds while ``deliver`` runs, so a slow
    channel does not let the lease lapse and the message go out twice."""

    def __init__(self, store: _Extends, args: ClaimArgs, every: float) -> None:
        self._store, self._args, self._every = store, args, every
        self._task: Any = None

    async def _beat(self) -> None:
        import asyncio

        while True:
            await asyncio.sleep(self._every)
            try:
                if not await self._store.extend(self._args.outbound_key, self._args.token, self._args.lease_ms):
                    return
            except RelayError:
                pass  # the store is down: the lease may lapse, as if this worker had died

    async def __aenter__(self) -> "AsyncHeartbeat":
        import asyncio

        self._task = asyncio.ensure_future(self._beat())
        return self

    async def __aexit__(self, *exc: Any) -> None:
        import asyncio

        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


class Heartbeat:
    """``AsyncHeartbeat`` for the sync relay, on a thread."""

    def __init__(self, store: _Extends, args: ClaimArgs, every: float) -> None:
        self._store, self._args, self._every = store, args, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self._every):
            try:
                if not self._store.extend(self._args.outbound_key, self._args.token, self._args.lease_ms):
                    return
            except RelayError:
                pass

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def _escape(s: str) -> str:
    return s.replace("%", "%25").replace(":", "%3A").replace("{", "%7B").replace("}", "%7D")
