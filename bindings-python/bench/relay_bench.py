"""Benchmarks of the channel relay (antonnia_sdk.relay): one worker and four.

    pip install './bindings-python[redis]'
    python bindings-python/bench/relay_bench.py [--messages 2000] [--concurrency 50] [--markdown]

Setups: MemoryStore (one worker: it is one process's); RedisStore on one
redis-server (started on a free loopback port, or $REDIS_URL); RedisStore on
a Redis Cluster of 3 masters + 3 replicas (started on free loopback ports
from Debian's redis-server and redis-cli, or $REDIS_CLUSTER_URL). On Redis,
1 worker and 4. A worker is a process of its own (this script, ``--worker``)
with its own ``ChannelRelay``, all sharing the store; the parent holds them
at a barrier before each phase and adds up what they report. Every server
and worker it started is stopped at the end, on failure and on Ctrl-C.

Figures, per setup:
1. webhooks handled per second, in total (messages / the time from the
   first worker's start to the last one's end) and per worker (its own
   messages / its own time): new assistant messages (verify the signature,
   claim, read the session's pending messages for order, deliver, report
   ``sent``, settle), split between the workers (``--messages`` in all,
   ``--concurrency`` in flight in each); then duplicates of them, each
   worker handling those of messages another worker delivered;
2. the latency the relay adds per delivered message: one webhook at a time
   in each worker (at once in every worker), ``handle_webhook`` minus what
   the Quick Start does by hand (parse + deliver + report); medians;
3. Redis round trips per new message and per duplicate, counted (not
   estimated) in each worker during the phase: the relay's calls of its
   store, each one awaited round trip (the claim pipelines its ZADD with its
   EVALSHA; on a cluster they may go to two nodes at once); and, in the
   redis-py connections, the requests (a write to one node's socket: a
   command, or a pipeline's commands for that node) and the commands.
The API is an in-process ``httpx.MockTransport`` answering at once, and the
channel's ``deliver`` returns at once, so the figures are the relay's own
cost (signature, core decisions, store round trips, SDK calls), not the
network's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import httpx

from antonnia_sdk import AsyncClient, channel, webhooks
from antonnia_sdk.relay import ChannelRelay, Contact, DeliveryAttempt, MemoryStore, RedisStore, encode_record
from antonnia_sdk.types import Message

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from servers import RedisCluster, RedisServer, stop_process  # noqa: E402  (the tests' own, pytest-free)

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BASE = "http://api.test/conversations/v2/api/v1"
SESSIONS = 500
WARM = 100
Hook = Tuple[bytes, Dict[str, str]]


# ---------------------------------------------------------------- worker side


def api(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/search"):
        return httpx.Response(200, json=[])
    if request.method == "PATCH":
        mid = path.rsplit("/", 1)[1]
        return httpx.Response(200, json={"id": mid, "content": {"type": "text", "text": "x"}, "delivery_status": "sent"})
    return httpx.Response(404, json={"detail": "not found"})


def webhook(i: int, run: str) -> Hook:
    body = json.dumps({
        "id": f"evt_{run}_{i}", "type": "message.created", "created_at": "2025-01-15T10:30:01Z",
        "data": {"object": {
            "id": f"msg_{run}_{i}", "session_id": f"sess_{run}_{i % SESSIONS}", "role": "assistant",
            "content": {"type": "text", "text": "Your order ships tomorrow."},
            "created_at": "2025-01-15T10:30:00Z", "delivery_status": "pending",
        }},
    }, separators=(",", ":")).encode()
    ts = int(time.time())
    headers = {"webhook-id": f"evt_{run}_{i}", "webhook-timestamp": str(ts),
               "webhook-signature": webhooks.sign(SECRET, f"evt_{run}_{i}", ts, body)}
    return body, headers


async def deliver(message: Message, contact: Contact, attempt: DeliveryAttempt) -> str:
    return "wamid.x"


STORE_METHODS = ("acquire", "release", "get_many", "put", "forget", "claim",
                 "index_due", "index_put", "index_drop", "extend", "finish")


class RoundTrips:
    """Counts, in this process, the relay's ``calls`` of its store (each one
    awaited: one round trip to Redis, whose commands for several nodes go
    out at once), and what the redis-py connections send: ``writes`` (a
    command, or a pipeline's commands for one node: one request to one node)
    and ``commands``."""

    calls = 0
    writes = 0
    commands = 0

    @classmethod
    def count_calls(cls, store: Any) -> None:
        for name in STORE_METHODS:
            method: Callable[..., Any] = getattr(store, name)

            async def counted(*args: Any, _method: Callable[..., Any] = method, **kwargs: Any) -> Any:
                cls.calls += 1
                return await _method(*args, **kwargs)

            setattr(store, name, counted)

    @classmethod
    def count_redis(cls) -> None:
        from redis.asyncio.connection import AbstractConnection

        send: Callable[..., Any] = AbstractConnection.send_packed_command
        pack: Callable[..., Any] = AbstractConnection.pack_command

        async def counted_send(self: Any, command: Any, *args: Any, **kwargs: Any) -> None:
            cls.writes += 1
            await send(self, command, *args, **kwargs)

        def counted_pack(self: Any, *args: Any) -> Any:
            cls.commands += 1
            return pack(self, *args)

        setattr(AbstractConnection, "send_packed_command", counted_send)
        setattr(AbstractConnection, "pack_command", counted_pack)


def open_store(kind: str, url: str) -> Any:
    if kind == "memory":
        store: Any = MemoryStore()
    else:
        RoundTrips.count_redis()
        store = RedisStore.from_cluster_url(url) if kind == "cluster" else RedisStore.from_url(url)
    RoundTrips.count_calls(store)
    return store


async def handle_all(relay: ChannelRelay, batch: List[Hook], want: str, concurrency: int) -> Dict[str, Any]:
    """Handles ``batch``, ``concurrency`` at a time; what it took."""
    sem = asyncio.Semaphore(concurrency)
    other: Dict[str, int] = {}

    async def one(b: bytes, h: Dict[str, str]) -> None:
        async with sem:
            reply = await relay.handle_webhook(b, h)
            if reply.outcome != want:
                other[reply.outcome] = other.get(reply.outcome, 0) + 1

    calls, writes, commands = RoundTrips.calls, RoundTrips.writes, RoundTrips.commands
    start = time.perf_counter()  # CLOCK_MONOTONIC: one clock for every worker
    await asyncio.gather(*(one(b, h) for b, h in batch))
    end = time.perf_counter()
    return {"n": len(batch), "start": start, "end": end, "other": other,
            "calls": RoundTrips.calls - calls, "writes": RoundTrips.writes - writes, "commands": RoundTrips.commands - commands}


async def added_latency(relay: ChannelRelay, client: AsyncClient, store: Any, run: str) -> Dict[str, float]:
    """One webhook at a time: medians of the relay's and of the Quick Start's by hand."""
    extra = [webhook(i, run) for i in range(300)]
    for s in range(300):
        await store.put(relay._keys.contact(f"sess_{run}_{s}"),
                        encode_record("contact", {"v": 1, "channel_type": "whatsapp", "channel_user_id": "x"}), 600_000)
    relay_t: List[float] = []
    hand_t: List[float] = []
    for b, h in extra[:150]:
        t = time.perf_counter()
        await relay.handle_webhook(b, h)
        relay_t.append(time.perf_counter() - t)
    for b, h in extra[150:]:
        t = time.perf_counter()
        message = channel.outbound_message(webhooks.parse(b, h, SECRET))
        assert message is not None and message.session_id is not None
        pid = await deliver(message, Contact("whatsapp", "x", None, message.session_id), DeliveryAttempt(False, message.id))
        await client.sessions.messages.update(message.session_id, message.id, **channel.sent(pid))
        hand_t.append(time.perf_counter() - t)
    return {"relay_us": statistics.median(relay_t) * 1e6, "hand_us": statistics.median(hand_t) * 1e6}


def say(obj: Dict[str, Any]) -> None:
    print(json.dumps(obj), flush=True)


async def worker_main(a: argparse.Namespace) -> None:
    """One worker: its relay on the shared store; new messages i with
    i % workers == index, then the duplicates of the next worker's. Answers
    one JSON line per phase, each after a line from the parent on stdin."""
    store = open_store(a.store, a.url)
    client = AsyncClient(token="sk_test_x", base_url=BASE, http_client=httpx.AsyncClient(transport=httpx.MockTransport(api)))
    relay = ChannelRelay(client, "whatsapp", "agent_abc", deliver, SECRET, store, prefix=a.prefix)
    try:
        for s in range(SESSIONS):
            await store.put(relay._keys.contact(f"sess_{a.run}_{s}"),
                            encode_record("contact", {"v": 1, "channel_type": "whatsapp", "channel_user_id": str(s)}), 600_000)
        mine = [webhook(i, a.run) for i in range(a.index, a.messages, a.workers)]
        theirs = [webhook(i, a.run) for i in range((a.index + 1) % a.workers, a.messages, a.workers)]
        # Warm up (scripts loaded, connections open): messages of its own.
        warm = range(a.messages + a.index * WARM, a.messages + (a.index + 1) * WARM)
        await handle_all(relay, [webhook(i, a.run) for i in warm], "sent", a.concurrency)
        for step, batch, want in (("new", mine, "sent"), ("dup", theirs, "duplicate")):
            say({"ready": step})
            sys.stdin.readline()
            say({step: await handle_all(relay, batch, want, a.concurrency)})
        say({"ready": "latency"})
        sys.stdin.readline()
        say({"latency": await added_latency(relay, client, store, f"{a.run}l{a.index}")})
    finally:
        await relay.close()
        await client.close()


# ---------------------------------------------------------------- parent side


@dataclass
class Setup:
    name: str
    kind: str  # memory | redis | cluster
    url: str
    workers: int


@dataclass
class Phase:
    rate: float  # messages / s, all workers from the first start to the last end
    per_worker: float  # mean of each worker's own messages / s
    calls: float  # store calls (round trips) per message
    writes: float  # requests to a node per message
    commands: float  # commands per message
    other: Dict[str, int]  # outcomes that were not the one wanted


def phase(reports: List[Dict[str, Any]]) -> Phase:
    n = sum(r["n"] for r in reports)
    other: Dict[str, int] = {}
    for r in reports:
        for k, v in r["other"].items():
            other[k] = other.get(k, 0) + v
    return Phase(
        rate=n / (max(r["end"] for r in reports) - min(r["start"] for r in reports)),
        per_worker=statistics.mean(r["n"] / (r["end"] - r["start"]) for r in reports),
        calls=sum(r["calls"] for r in reports) / n,
        writes=sum(r["writes"] for r in reports) / n,
        commands=sum(r["commands"] for r in reports) / n,
        other=other,
    )


def run_setup(s: Setup, a: argparse.Namespace) -> Dict[str, Any]:
    """Starts ``s.workers`` workers, takes them through the phases in step,
    and stops them (also on failure)."""
    run = str(time.time_ns())
    common = ["--store", s.kind, "--url", s.url, "--prefix", f"bench{run}", "--run", run,
              "--workers", str(s.workers), "--messages", str(a.messages), "--concurrency", str(a.concurrency)]
    procs: List["subprocess.Popen[str]"] = []

    def read(p: "subprocess.Popen[str]") -> Dict[str, Any]:
        assert p.stdout is not None
        line = p.stdout.readline()
        if not line:
            raise RuntimeError(f"{s.name}: a worker ended early (exit status {p.wait()})")
        said: Dict[str, Any] = json.loads(line)
        return said

    try:
        for i in range(s.workers):
            procs.append(subprocess.Popen([sys.executable, __file__, "--worker", "--index", str(i), *common],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        out: Dict[str, Any] = {}
        for step in ("new", "dup", "latency"):
            for p in procs:
                said = read(p)
                if said.get("ready") != step:
                    raise RuntimeError(f"{s.name}: a worker said {said}, not ready for {step}")
            for p in procs:  # every worker starts the phase at once
                assert p.stdin is not None
                p.stdin.write("go\n")
                p.stdin.flush()
            out[step] = [read(p)[step] for p in procs]
        for p in procs:
            if p.wait(timeout=60) != 0:
                raise RuntimeError(f"{s.name}: a worker exited with {p.returncode}")
        return {
            "new": phase(out["new"]), "dup": phase(out["dup"]),
            "relay_us": statistics.median(r["relay_us"] for r in out["latency"]),
            "hand_us": statistics.median(r["hand_us"] for r in out["latency"]),
        }
    finally:
        for p in procs:
            stop_process(p)


def servers(stack: ExitStack, only: Optional[List[str]]) -> List[Setup]:
    """The setups to run, starting (and registering the stop of) the servers
    that no environment variable names."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    setups = [Setup("MemoryStore", "memory", "", 1)]
    url = os.environ.get("REDIS_URL")
    if not url and (only is None or "redis" in only):
        server = RedisServer(binary)
        stack.callback(server.stop)
        url = server.url
    setups += [Setup("RedisStore, one redis-server", "redis", url or "", w) for w in (1, 4)]
    cluster_url = os.environ.get("REDIS_CLUSTER_URL")
    if not cluster_url and (only is None or "cluster" in only):
        workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="relay-bench-cluster-"))
        cluster = RedisCluster(binary, workdir)
        stack.callback(cluster.stop)
        cluster_url = cluster.url
    setups += [Setup("RedisStore, Redis Cluster (3 masters + 3 replicas)", "cluster", cluster_url or "", w) for w in (1, 4)]
    return [s for s in setups if only is None or s.kind in only]


def report(s: Setup, r: Dict[str, Any], markdown: bool) -> str:
    new: Phase = r["new"]
    dup: Phase = r["dup"]
    added = r["relay_us"] - r["hand_us"]
    trips = " / ".join(f"{x.calls:.2f}" if s.kind == "memory" else
                       f"{x.calls:.2f} ({x.writes:.2f} requests, {x.commands:.2f} commands)" for x in (new, dup))
    other = "".join(f"; not as wanted in {p}: {o}" for p, o in (("new", new.other), ("dup", dup.other)) if o)
    if markdown:
        return (f"| {s.name} | {s.workers} | {new.rate:.0f} /s ({new.per_worker:.0f} /s each) | "
                f"{dup.rate:.0f} /s ({dup.per_worker:.0f} /s each) | "
                f"{r['relay_us']:.0f} µs vs {r['hand_us']:.0f} µs by hand: +{added:.0f} µs | {trips}{other} |")
    return (f"{s.name}, {s.workers} worker(s): new messages {new.rate:.0f}/s ({new.per_worker:.0f}/s each), "
            f"duplicates {dup.rate:.0f}/s ({dup.per_worker:.0f}/s each), per message {r['relay_us']:.0f} µs "
            f"(by hand {r['hand_us']:.0f} µs, relay adds {added:.0f} µs), round trips per new / duplicate {trips}{other}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--messages", type=int, default=2000, help="new messages per setup, split between its workers")
    p.add_argument("--concurrency", type=int, default=50, help="webhooks in flight in each worker")
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--only", help="comma-separated: memory,redis,cluster")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    for name in ("store", "url", "prefix", "run"):
        p.add_argument(f"--{name}", default="", help=argparse.SUPPRESS)
    p.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker:
        asyncio.run(worker_main(a))
        return
    only = a.only.split(",") if a.only else None
    with ExitStack() as stack:
        for s in servers(stack, only):
            print(report(s, run_setup(s, a), a.markdown), flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the servers and workers are stopped by then
        sys.exit(130)
