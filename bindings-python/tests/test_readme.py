"""The READMEs' Python snippets are right: each ```python block type-checks
under ``mypy --strict`` and the runnable ones run against antonnia-sandbox.

A block that is deliberately not standalone is marked with an HTML comment
``<!-- not-checked: reason -->`` on the line before it. Names a snippet leaves
to the reader (``body``, ``headers``, ``my_channel``, ``my_async_channel``)
come from ``STAND_INS``, prepended to every block; the client settings come
from the environment variables the snippets read.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import antonnia_sdk

from .conftest import WEBHOOK_SECRET, WebhookSink
from .test_typing import run_mypy

REPO = Path(__file__).resolve().parents[2]
READMES = [REPO / "README.md", REPO / "bindings-python" / "README.md"]

#: What the reader owns. The channels record what they were asked to send.
STAND_INS = '''\
from typing import Dict, List, Optional

body: bytes = b""  # the webhook request's raw body
headers: Dict[str, str] = {}  # and its headers


class _Channel:
    """A channel's send: text, or a media URL with its MIME type and file name."""

    def __init__(self) -> None:
        self.sent: List[Dict[str, Optional[str]]] = []

    def send(
        self,
        text: Optional[str] = None,
        media_url: Optional[str] = None,
        mime_type: Optional[str] = None,
        filename: Optional[str] = None,
    ) -> str:
        self.sent.append({"text": text, "media_url": media_url, "mime_type": mime_type, "filename": filename})
        return f"ext_{len(self.sent)}"


class _AsyncChannel(_Channel):
    async def send(  # type: ignore[override]
        self,
        text: Optional[str] = None,
        media_url: Optional[str] = None,
        mime_type: Optional[str] = None,
        filename: Optional[str] = None,
    ) -> str:
        return _Channel.send(self, text, media_url, mime_type, filename)


my_channel = _Channel()
my_async_channel = _AsyncChannel()
'''


class Block:
    def __init__(self, readme: Path, line: int, source: str, skip_reason: Optional[str]) -> None:
        self.readme, self.line, self.source, self.skip_reason = readme, line, source, skip_reason

    @property
    def id(self) -> str:
        return f"{self.readme.relative_to(REPO)}:{self.line}"


def python_blocks(readme: Path) -> List[Block]:
    blocks = []
    lines = readme.read_text().splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            start = i + 1
            end = next(j for j in range(start, len(lines)) if lines[j].strip() == "```")
            before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            marker = re.match(r"\s*<!--\s*not-checked:\s*(.*?)\s*-->", before)
            blocks.append(Block(readme, i + 1, "\n".join(lines[start:end]) + "\n", marker.group(1) if marker else None))
            i = end
        i += 1
    return blocks


BLOCKS = [block for readme in READMES for block in python_blocks(readme)]


def test_the_readmes_have_python_snippets() -> None:
    # The root Quick Start, the package Quick Start and the FastAPI receiver.
    assert len(BLOCKS) >= 3
    assert all(b.skip_reason for b in BLOCKS if b.skip_reason is not None)


def test_every_snippet_type_checks_under_mypy_strict(tmp_path: Path) -> None:
    checked = {f"block{n}": STAND_INS + "\n" + b.source for n, b in enumerate(BLOCKS) if b.skip_reason is None}
    reports = run_mypy(checked, tmp_path)
    offset = STAND_INS.count("\n") + 1
    problems = []
    for n, block in enumerate(BLOCKS):
        report = reports.get(f"block{n}", "")
        for line in report.splitlines():
            # Point at the README line, not the temporary file's.
            m = re.match(r".*?:(\d+): (.*)", line)
            where = block.line + int(m.group(1)) - offset if m else "?"
            problems.append(f"{block.readme.name}:{where}: {m.group(2) if m else line}")
    assert not problems, "\n".join(problems)


def is_outbound_message(raw: bytes) -> bool:
    event = json.loads(raw)
    obj = event.get("data", {}).get("object", {})
    return event.get("type") == "message.created" and obj.get("role") == "assistant"


def split_at_webhook(source: str) -> Tuple[str, str]:
    """The block before and from the first line reading the webhook ``body``."""
    lines = source.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if re.search(r"\bbody\b", line) and not line.lstrip().startswith("#"))
    return "".join(lines[:at]), "".join(lines[at:])


def wait_sent(base_url: str, token: str, message_id: str) -> antonnia_sdk.types.Message:
    with antonnia_sdk.Client(token, base_url=base_url) as client:
        deadline = time.monotonic() + 20
        while True:
            found = client.sessions.messages.search(role="assistant")
            mine = [m for m in found if m.id == message_id]
            if mine and mine[0].delivery_status == "sent" or time.monotonic() > deadline:
                assert mine, f"message {message_id} not found"
                return mine[0]
            time.sleep(0.05)


@pytest.fixture
def sandbox_env(start_sandbox: Any, webhook_sink: WebhookSink, monkeypatch: pytest.MonkeyPatch) -> Tuple[Any, WebhookSink]:
    sb = start_sandbox("--time-scale", "0.01", "--webhook-url", webhook_sink.url, "--webhook-secret", WEBHOOK_SECRET)
    monkeypatch.setenv("ANTONNIA_TOKEN", sb.token)
    monkeypatch.setenv("ANTONNIA_BASE_URL", sb.base_url)
    monkeypatch.setenv("ANTONNIA_WEBHOOK_SECRET", WEBHOOK_SECRET)
    # Tests stay on loopback: a snippet that ignored ANTONNIA_BASE_URL would be
    # sent (by httpx, which honours these) to a closed local port, not the internet.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return sb, webhook_sink


QUICK_STARTS = [b for b in BLOCKS if b.skip_reason is None and "webhooks.parse(body" in b.source]
FASTAPI = [b for b in BLOCKS if b.skip_reason is None and "FastAPI()" in b.source]


@pytest.mark.e2e
@pytest.mark.parametrize("block", QUICK_STARTS, ids=lambda b: b.id)
def test_quick_start_snippet_runs_against_the_sandbox(block: Block, sandbox_env: Tuple[Any, WebhookSink]) -> None:
    sb, sink = sandbox_env
    inbound, outbound = split_at_webhook(block.source)
    namespace: Dict[str, Any] = {"__name__": "readme_snippet"}
    exec(compile(STAND_INS + inbound, block.id, "exec"), namespace)
    # What the reader's endpoint would receive: the sandbox's signed delivery.
    received_headers, received_body = sink.next(where=is_outbound_message)
    namespace["headers"], namespace["body"] = received_headers, received_body
    exec(compile(outbound, block.id, "exec"), namespace)
    message_id = json.loads(received_body)["data"]["object"]["id"]
    assert namespace["my_channel"].sent and namespace["my_channel"].sent[0]["text"]
    reported = wait_sent(sb.base_url, sb.token, message_id)
    assert reported.delivery_status == "sent" and reported.provider_message_id == "ext_1"
    namespace["client"].close()


@pytest.mark.e2e
@pytest.mark.parametrize("block", FASTAPI, ids=lambda b: b.id)
def test_fastapi_snippet_delivers_against_the_sandbox(block: Block, sandbox_env: Tuple[Any, WebhookSink]) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    sb, sink = sandbox_env
    namespace: Dict[str, Any] = {"__name__": "readme_snippet"}
    exec(compile(STAND_INS + block.source, block.id, "exec"), namespace)
    with antonnia_sdk.Client(sb.token, base_url=sb.base_url) as client, TestClient(namespace["app"]) as http:
        session = client.sessions.create(contact_id="u1", contact_name="Ana", agent_id="agent_abc")
        client.sessions.messages.create(session.id, {"type": "text", "text": "Hello"})
        client.sessions.reply(session.id, debounce_time=1)
        headers, body = sink.next(where=is_outbound_message)
        assert http.post("/webhooks/antonnia", content=body, headers=headers).status_code == 204
        # Redelivered: answered again, delivered once.
        assert http.post("/webhooks/antonnia", content=body, headers=headers).status_code == 204
        assert http.post("/webhooks/antonnia", content=body, headers={**headers, "webhook-signature": "v1,AAAA"}).status_code == 401
    message_id = json.loads(body)["data"]["object"]["id"]
    assert len(namespace["my_async_channel"].sent) == 1
    assert wait_sent(sb.base_url, sb.token, message_id).provider_message_id == "ext_1"
