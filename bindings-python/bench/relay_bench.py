"""Benchmarks of the channel relay (antonnia_sdk.relay) in one Python process.

    pip install './bindings-python[redis]'
    python bindings-python/bench/relay_bench.py [--messages 2000] [--concurrency 50] [--markdown]

Figures, for MemoryStore and for RedisStore (a redis-server started on a free
loopback port, or $REDIS_URL):
1. webhooks handled per second: new assistant messages (verify the signature,
   claim, read the session's pending messages for order, deliver, report
   ``sent``, settle), and duplicates of messages already delivered;
2. the latency the relay adds per delivered message: one webhook at a time,
   ``handle_webhook`` minus what the Quick Start does by hand (parse +
   deliver + report).
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
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import httpx

from antonnia_sdk import AsyncClient, channel, webhooks
from antonnia_sdk.relay import ChannelRelay, Contact, DeliveryAttempt, MemoryStore, RedisStore, encode_record
from antonnia_sdk.types import Message

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from servers import RedisServer  # noqa: E402  (the tests' own, pytest-free)

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BASE = "http://api.test/conversations/v2/api/v1"


def api(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/search"):
        return httpx.Response(200, json=[])
    if request.method == "PATCH":
        mid = path.rsplit("/", 1)[1]
        return httpx.Response(200, json={"id": mid, "content": {"type": "text", "text": "x"}, "delivery_status": "sent"})
    return httpx.Response(404, json={"detail": "not found"})


def webhook(i: int, run: str) -> Tuple[bytes, Dict[str, str]]:
    body = json.dumps({
        "id": f"evt_{run}_{i}", "type": "message.created", "created_at": "2025-01-15T10:30:01Z",
        "data": {"object": {
            "id": f"msg_{run}_{i}", "session_id": f"sess_{run}_{i % 500}", "role": "assistant",
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


async def bench_store(name: str, store: Any, n: int, concurrency: int) -> Dict[str, float]:
    client = AsyncClient(token="sk_test_x", base_url=BASE, http_client=httpx.AsyncClient(transport=httpx.MockTransport(api)))
    relay = ChannelRelay(client, "whatsapp", "agent_abc", deliver, SECRET, store, prefix=f"bench{time.time_ns()}")
    run = str(time.time_ns())
    for s in range(500):
        await store.put(relay._keys.contact(f"sess_{run}_{s}"),
                        encode_record("contact", {"v": 1, "channel_type": "whatsapp", "channel_user_id": str(s)}), 600_000)
    hooks = [webhook(i, run) for i in range(n)]

    async def handle_all(batch: List[Tuple[bytes, Dict[str, str]]], want: str) -> float:
        sem = asyncio.Semaphore(concurrency)

        async def one(b: bytes, h: Dict[str, str]) -> None:
            async with sem:
                reply = await relay.handle_webhook(b, h)
                assert reply.outcome == want, reply

        start = time.perf_counter()
        await asyncio.gather(*(one(b, h) for b, h in batch))
        return len(batch) / (time.perf_counter() - start)

    await handle_all(hooks[:100], "sent")  # warm up (scripts loaded, connections open)
    new_rate = await handle_all(hooks[100:], "sent")
    dup_rate = await handle_all(hooks[100:], "duplicate")

    # Added latency: one webhook at a time, relay vs by hand.
    extra = [webhook(i, run + "l") for i in range(300)]
    for s in range(300):
        await store.put(relay._keys.contact(f"sess_{run}l_{s % 500}"),
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
    await relay.close()
    await client.close()
    return {
        "new": new_rate,
        "dup": dup_rate,
        "relay_us": statistics.median(relay_t) * 1e6,
        "hand_us": statistics.median(hand_t) * 1e6,
    }


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--messages", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--markdown", action="store_true")
    a = p.parse_args()
    # REDIS_URL, or a throwaway redis-server as the tests start one.
    url = os.environ.get("REDIS_URL")
    server = None
    if not url:
        server = RedisServer(shutil.which("redis-server") or "/usr/bin/redis-server")
        url = server.url
    try:
        results = {
            "MemoryStore": await bench_store("memory", MemoryStore(), a.messages, a.concurrency),
            "RedisStore": await bench_store("redis", RedisStore.from_url(url), a.messages, a.concurrency),
        }
    finally:
        if server is not None:
            server.stop()
    for store, r in results.items():
        added = r["relay_us"] - r["hand_us"]
        if a.markdown:
            print(f"| one Python process, {store} | {r['new']:.0f} /s | {r['dup']:.0f} /s | "
                  f"{r['relay_us']:.0f} µs vs {r['hand_us']:.0f} µs by hand: +{added:.0f} µs |")
        else:
            print(f"{store:12} new messages {r['new']:7.0f}/s  duplicates {r['dup']:7.0f}/s  "
                  f"per message {r['relay_us']:6.0f} µs (by hand {r['hand_us']:5.0f} µs, relay adds {added:5.0f} µs)")


if __name__ == "__main__":
    asyncio.run(main())
