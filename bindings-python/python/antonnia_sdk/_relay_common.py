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
from dataclasses import dataclass, field
from typing import (
    Any, Awaitable, Callable, Dict, List, Mapping, NamedTuple, Optional, Protocol, TypedDict, Union,
)

from . import _core
from ._core import Message, RelayKeys
from .exceptions import AntonniaError, NotFoundError, RelayError, ValidationError

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
    "RelayStatsSnapshot",
    "prometheus_collector",
    "observe_with_opentelemetry",
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


def _reply(r: Mapping[str, Any], outcome: str) -> WebhookReply:
    # `r`: the core's answer for the outcome (RelayStats.respond, which counts it).
    answer: Dict[str, Any] = {"outcome": outcome}
    if r.get("retry_after") is not None:
        answer["retry_after"] = r["retry_after"]
    return WebhookReply(int(r["status"]), json.dumps(answer).encode())


# -- driving the core's runs ------------------------------------------------

#: The effects that end a run (antonnia_relay::run::Effect).
_ENDS = frozenset({"done", "received", "recovered", "failed"})


@dataclass
class _Context:
    """What a run's effects share on the host: the message's content
    (``receive``), messages already held as objects by their JSON text (handed
    to ``deliver`` as they are), the claims taken (for the heartbeat), and
    when the run started (the core's waits are measured on it)."""

    content: Any = None
    known: Dict[str, Message] = field(default_factory=dict)
    claims: Dict[str, "ClaimArgs"] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def waited_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


def _error_kind(exc: BaseException) -> str:
    """How an effect failed, as the core's runs name it (HostError)."""
    if isinstance(exc, StoreUnavailableError):
        return "store_unavailable"
    if isinstance(exc, NotFoundError):
        return "not_found"
    if isinstance(exc, ValidationError):
        return "rejected"
    if isinstance(exc, AntonniaError):
        return "api_unavailable"
    return "other"


def _failure(effect: Mapping[str, Any], failures: Mapping[str, BaseException]) -> BaseException:
    """The exception a run's ``failed`` end raises: the host's own failure
    that caused it, else the error the core names."""
    cause = failures.get(effect.get("cause") or "")
    if cause is not None:
        return cause
    detail = effect.get("detail") or f"the relay's run failed ({effect['error']})"
    if effect["error"] == "lock_timeout":
        return LockTimeoutError(detail)
    return RelayError(detail)


def _recovered(done: Mapping[str, Any]) -> List["Recovered"]:
    """A sweep's findings, each logged (ids, outcome, an error's class)."""
    found: List[Recovered] = []
    for f in done["found"]:
        if f["outcome"] == "api_unavailable":
            log.warning(
                "recovering message %s of session %s failed (%s): looked at again later",
                f["message_id"], f["session_id"], f.get("error"),
            )
        else:
            log.info("recovered message %s of session %s: %s", f["message_id"], f["session_id"], f["outcome"])
        found.append(Recovered(f["session_id"], f["message_id"], f["outcome"]))
    return found


# -- counters ----------------------------------------------------------------


class RelayStatsSnapshot(TypedDict):
    """``relay.stats()``: the relay's counters in this process (see
    ``antonnia_relay::stats``)."""

    channel_type: str
    webhooks_received: int
    webhooks: Dict[str, int]
    unavailable: int
    delivered: int
    redelivered: int
    failed: int
    crashed: int
    received: int
    received_duplicates: int
    claim_waits: int
    claim_wait_ms: int
    lock_waits: int
    lock_wait_ms: int
    sweeps: int
    recovered: Dict[str, int]


class _HasStats(Protocol):
    _stats: _core.RelayStats


class _PrometheusCollector:
    def __init__(self, stats: _core.RelayStats) -> None:
        self._stats = stats

    def collect(self) -> Any:
        from prometheus_client.core import CounterMetricFamily

        samples = self._stats.samples()
        for i, (name, _otel, _unit, help_text) in enumerate(_core.RELAY_METRICS):
            family: Optional[CounterMetricFamily] = None
            for metric, labels, value in samples:
                if metric != i:
                    continue
                if family is None:
                    family = CounterMetricFamily(name, help_text, labels=[k for k, _ in labels])
                family.add_metric([v for _, v in labels], value)
            if family is not None:
                yield family


def prometheus_collector(relay: _HasStats) -> Any:
    """A ``prometheus_client`` collector of a relay's counters:
    ``prometheus_client.REGISTRY.register(prometheus_collector(relay))``
    (``pip install prometheus-client``). Reads them at each scrape."""
    return _PrometheusCollector(relay._stats)


def observe_with_opentelemetry(relay: _HasStats, meter: Any) -> List[Any]:
    """Registers a relay's counters as observable counters of an
    OpenTelemetry ``meter`` (``opentelemetry.metrics.get_meter(...)``), read
    at each collection; returns the instruments."""
    from opentelemetry.metrics import Observation

    stats = relay._stats
    instruments = []
    for i, (_prom, name, unit, help_text) in enumerate(_core.RELAY_METRICS):

        def observe(_options: Any, i: int = i) -> List[Any]:
            return [Observation(value, dict(labels)) for metric, labels, value in stats.samples() if metric == i]

        instruments.append(meter.create_observable_counter(name, callbacks=[observe], unit=unit, description=help_text))
    return instruments


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

