"""The relay example in one command (``make relay-demo``): a redis-server, the
sandbox (duplicating a third of its webhooks and sending each to both
workers), two worker processes (``worker.py``) sharing Redis, and three
contacts writing bursts through either worker. The fake channel's sends are
printed as they happen; at the end the run checks that every answer went out
exactly once.

    ANTONNIA_SANDBOX_BIN=target/debug/antonnia-sandbox python run.py

Needs ``redis-server`` on the PATH (or ``REDIS_URL`` pointing at one) and the
sandbox binary (``cargo build -p antonnia-sandbox``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

import httpx

from antonnia_sdk import Client

HERE = Path(__file__).resolve().parent
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def started(cmd: List[str], pattern: str) -> "tuple[subprocess.Popen[str], str]":
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(pattern, line)
    if not match:
        proc.kill()
        raise SystemExit(f"{cmd[0]} did not start: {line!r}")
    return proc, match.group(1)


def main() -> int:
    procs: List["subprocess.Popen[str]"] = []
    log = Path(tempfile.mkdtemp(prefix="relay-demo-")) / "sends.jsonl"
    try:
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            binary = shutil.which("redis-server") or "/usr/bin/redis-server"
            port = free_port()
            procs.append(subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
            ))
            redis_url = f"redis://127.0.0.1:{port}/0"
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
        ports = [free_port(), free_port()]
        sandbox_bin = os.environ.get("ANTONNIA_SANDBOX_BIN", "antonnia-sandbox")
        hooks = [a for p in ports for a in ("--webhook-url", f"http://127.0.0.1:{p}/webhooks")]
        sb, base_url = started(
            [sandbox_bin, "--port", "0", "--time-scale", "0.2", "--duplicate-webhooks", "0.3",
             "--webhook-secret", SECRET, *hooks],
            r"listening on (\S+)",
        )
        procs.append(sb)
        print(f"sandbox: {base_url}\nredis:   {redis_url}")
        workers: List[str] = []
        for i, port in enumerate(ports):
            w, url = started(
                [sys.executable, str(HERE / "worker.py"), "--name", f"worker-{i + 1}", "--port", str(port),
                 "--redis-url", redis_url, "--base-url", base_url, "--token", "sk_test_sandbox",
                 "--webhook-secret", SECRET, "--log", str(log)],
                r"listening on (\S+)",
            )
            procs.append(w)
            workers.append(url)
            print(f"worker-{i + 1}: {url}")

        contacts = {"5511900000001": "Ana", "5511900000002": "Bruno", "5511900000003": "Carla"}
        lines = ["Hi!", "My order #123 has not arrived", "Can you check?"]
        http = httpx.Client(timeout=30)
        for n, text in enumerate(lines):
            for k, (uid, name) in enumerate(contacts.items()):
                body = {"channel_user_id": uid, "contact_name": name, "text": text, "provider_message_id": f"wamid.{uid}.{n}"}
                worker = workers[(n + k) % 2]
                r = http.post(worker + "/inbound", json=body).json()
                print(f"{name} → {text!r} (via {worker}, session {r['session_id']})")
                # The channel repeats one inbound webhook: posted once all the same.
                if n == 0:
                    again = http.post(workers[(n + k + 1) % 2] + "/inbound", json=body).json()
                    assert again["duplicate"] and again["session_id"] == r["session_id"]

        printed = 0
        deadline = time.monotonic() + 60
        with Client(token="sk_test_sandbox", base_url=base_url) as client:
            while True:
                sends = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
                for s in sends[printed:]:
                    flag = " (redelivery)" if s["redelivery"] else ""
                    print(f"  [{s['worker']}] fake channel → {contacts[s['to']]}: {s['text']!r} ({s['message_id']}){flag}")
                printed = len(sends)
                sessions = {uid: client.sessions.search(metadata={"channel_type": "whatsapp", "channel_user_id": uid})
                            for uid in contacts}
                answers: Dict[str, Optional[str]] = {}
                for found in sessions.values():
                    for s in found:
                        for m in client.sessions.messages.search(session_id=s.id, role="assistant"):
                            answers[m.id] = m.delivery_status
                done = answers and all(v == "sent" for v in answers.values())
                if done or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
        assert all(len(s) == 1 for s in sessions.values()), "one session per contact"
        sent_ids = [s["message_id"] for s in sends]
        assert done, f"not every answer was reported sent: {answers}"
        assert sorted(sent_ids) == sorted(answers), "each answer handed to the channel exactly once"
        print(f"Done: each answer went out once ({len(answers)} answers to {len(contacts)} contacts, "
              f"one session each, by 2 workers sharing Redis).")
        return 0
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            if p.stdout:
                p.stdout.close()
        shutil.rmtree(log.parent, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
