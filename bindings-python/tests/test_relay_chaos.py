"""The relay's chaos test: the sandbox duplicating half its webhooks and
sending every one to each of four worker processes (examples/relay/worker.py)
that share one real redis-server; 50 contacts writing bursts at once, in two
rounds; one worker SIGKILLed mid-run. Then everything is read back."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import httpx
import pytest

from antonnia_sdk import Client

from .conftest import WEBHOOK_SECRET, RedisServer, Sandbox, stop_process

pytestmark = pytest.mark.e2e

WORKER = Path(__file__).resolve().parents[1] / "examples" / "relay" / "worker.py"
CONTACTS = 50
BURST = 3
WORKERS = 4
LEASE = 2.0


class Worker:
    def __init__(self, name: str, args: List[str]) -> None:
        self.name = name
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), "--name", name, *args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        match = re.search(r"listening on (\S+)", line)
        assert match, f"worker {name} said {line!r}"
        self.url = match.group(1)

    def stop(self) -> None:
        stop_process(self.proc)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_chaos(start_sandbox: Callable[..., Sandbox], redis_server: RedisServer, tmp_path: Path) -> None:
    log = tmp_path / "deliver.jsonl"
    ports = [_free_port() for _ in range(WORKERS)]
    hooks = [a for p in ports for a in ("--webhook-url", f"http://127.0.0.1:{p}/webhooks")]
    sb = start_sandbox("--time-scale", "0.05", "--duplicate-webhooks", "0.5", "--webhook-secret", WEBHOOK_SECRET, *hooks)
    common = ["--redis-url", redis_server.url, "--base-url", sb.base_url, "--token", sb.token,
              "--webhook-secret", WEBHOOK_SECRET, "--debounce", "2", "--claim-lease", str(LEASE),
              "--log", str(log), "--send-delay", "0.05"]
    workers = [Worker(f"w{i}", ["--port", str(p), *common]) for i, p in enumerate(ports)]
    victim = workers[0]
    try:
        http = httpx.Client(timeout=30)
        alive = list(workers)
        alive_lock = threading.Lock()

        def send(uid: str, n: int, round_: int) -> None:
            body = {"channel_user_id": uid, "contact_name": f"Contact {uid}",
                    "text": f"{uid} r{round_} m{n}", "provider_message_id": f"{uid}.{round_}.{n}"}
            for attempt in range(20):  # a channel retries its inbound webhook on another worker
                with alive_lock:
                    w = alive[(hash(uid) + n + attempt) % len(alive)]
                try:
                    if http.post(w.url + "/inbound", json=body).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            raise AssertionError(f"inbound {body} never accepted")

        contacts = [f"c{i:02d}" for i in range(CONTACTS)]
        with ThreadPoolExecutor(CONTACTS) as pool:
            list(pool.map(lambda job: send(*job), [(c, n, 1) for c in contacts for n in range(BURST)]))
            time.sleep(0.5)  # answers to round 1 are being delivered
            round2 = [pool.submit(send, c, n, 2) for c in contacts for n in range(BURST)]
            # Kill a worker mid-delivery: right after it handed a round-2
            # answer to the channel, whose answer it then waits 50 ms for.
            seen = log.stat().st_size if log.exists() else 0
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with open(log, "rb") as f:
                    f.seek(seen)
                    fresh = f.read()
                if any(json.loads(x)["worker"] == victim.name for x in fresh.splitlines() if x.endswith(b"}")):
                    break
                time.sleep(0.002)
            victim.proc.send_signal(signal.SIGKILL)
            victim.proc.wait()
            with alive_lock:
                alive.remove(victim)
            for f in round2:
                f.result()

        # Read back: wait until every assistant message is reported.
        with Client(token=sb.token, base_url=sb.base_url) as client:
            deadline = time.monotonic() + 60
            while True:
                sessions: Dict[str, List[Any]] = {}
                for c in contacts:
                    sessions[c] = client.sessions.search(metadata={"channel_type": "whatsapp", "channel_user_id": c})
                assistant: Dict[str, List[Any]] = {}
                users: Dict[str, List[Any]] = {}
                for c in contacts:
                    for s in sessions[c]:
                        msgs = list(client.sessions.messages.iter_search(session_id=s.id))
                        assistant[s.id] = [m for m in msgs if m.role == "assistant"]
                        users[c] = [m for m in msgs if m.role == "user"]
                pending = [m.id for ms in assistant.values() for m in ms if m.delivery_status != "sent"]
                if not pending or time.monotonic() > deadline:
                    break
                time.sleep(0.5)

        # Exactly one session per contact.
        assert {c: len(s) for c, s in sessions.items() if len(s) != 1} == {}
        # Every user message once.
        for c in contacts:
            got = sorted(m.provider_message_id for m in users[c])
            assert got == sorted(f"{c}.{r}.{n}" for r in (1, 2) for n in range(BURST)), c
        # Every assistant message reported sent.
        assert pending == [], f"{len(pending)} assistant messages not reported sent"
        all_assistant = {m.id: m for ms in assistant.values() for m in ms}
        assert len(all_assistant) >= CONTACTS * 2 - 5  # each round's burst got (about) one answer

        # The deliver log: each message once, except the killed worker's, at most twice.
        lines = [json.loads(x) for x in log.read_text().splitlines()]
        by_message: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
        for line in lines:
            by_message[line["message_id"]].append(line)
        assert set(by_message) == set(all_assistant)
        redelivered = 0
        for mid, sends in by_message.items():
            if len(sends) == 1:
                continue
            redelivered += 1
            assert len(sends) == 2, sends
            assert sends[0]["worker"] == victim.name, sends
            assert sends[1]["worker"] != victim.name and sends[1]["redelivery"] is True, sends
            assert sends[1]["idempotency_key"] == mid
        # In created_at order within each session (first sends).
        first_order: Dict[str, List[str]] = defaultdict(list)
        for line in lines:
            if line["message_id"] not in first_order[line["session_id"]]:
                first_order[line["session_id"]].append(line["message_id"])
        for sid, ms in assistant.items():
            want = [m.id for m in sorted(ms, key=lambda m: (m.created_at, m.id))]
            assert first_order[sid] == want, sid
        assert redelivered >= 1, "the killed worker held no message: the kill missed"
        print(f"\nchaos: {len(lines)} sends of {len(all_assistant)} assistant messages by {WORKERS} workers; "
              f"{redelivered} redelivered after the SIGKILL")
    finally:
        for w in workers:
            w.stop()
