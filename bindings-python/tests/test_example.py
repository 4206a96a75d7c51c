"""The webhook receiver example, run as a program against the sandbox."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import antonnia_sdk

from .conftest import WEBHOOK_SECRET

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "webhook_receiver.py"

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_webhook_receiver_example_delivers_and_reports_sent(start_sandbox: Any) -> None:
    port = free_port()
    sb = start_sandbox(
        "--time-scale", "0.01", "--webhook-url", f"http://127.0.0.1:{port}/webhooks", "--webhook-secret", WEBHOOK_SECRET
    )
    env = {
        **os.environ,
        "ANTONNIA_TOKEN": sb.token,
        "ANTONNIA_BASE_URL": sb.base_url,
        "ANTONNIA_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    proc = subprocess.Popen(
        [sys.executable, str(EXAMPLE), "--port", str(port)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert "listening on" in proc.stdout.readline()
        with antonnia_sdk.Client(sb.token, base_url=sb.base_url) as client:
            s = client.sessions.create(contact_id="u1", contact_name="Ana", agent_id="agent_abc")
            client.sessions.messages.create(s.id, {"type": "text", "text": "Hello"})
            client.sessions.reply(s.id, debounce_time=1)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                answers = client.sessions.messages.search(session_id=s.id, role="assistant")
                if answers and answers[0].delivery_status == "sent":
                    assert (answers[0].provider_message_id or "").startswith("demo_")
                    break
                time.sleep(0.1)
            else:
                pytest.fail("the example did not report the answer as sent")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()
