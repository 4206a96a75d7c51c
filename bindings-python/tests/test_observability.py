"""What openai/stripe users expect, against antonnia-sandbox over real HTTP:
a request id on every call and every error, the raw response next to the
parsed result, debug logging from ``ANTONNIA_LOG=debug``, a documented
default total timeout; and a message stream that starts right after the
message just sent, so a chat window never misses the answer."""

from __future__ import annotations

import asyncio
import inspect
import os
import re
import subprocess
import sys
import time
from typing import Any, List

import httpx
import pytest

import antonnia_sdk
from antonnia_sdk import RawResponse
from antonnia_sdk.exceptions import NotFoundError
from antonnia_sdk.types import Message, Session

from .conftest import Sandbox
from .test_e2e import KINDS, aw, close, make, uid

pytestmark = pytest.mark.e2e

REQUEST_ID = re.compile(r"^req_[0-9a-f]{32}$")


@pytest.mark.parametrize("kind", KINDS)
async def test_each_call_sends_a_fresh_request_id_and_errors_carry_it(kind: str, sandbox: Sandbox) -> None:
    sent: List[str] = []

    def record(request: httpx.Request) -> None:
        sent.append(request.headers["x-request-id"])

    async def record_async(request: httpx.Request) -> None:
        record(request)

    if kind == "sync":
        http: Any = httpx.Client(event_hooks={"request": [record]})
    else:
        http = httpx.AsyncClient(event_hooks={"request": [record_async]})
    client = make(kind, sandbox, http_client=http)
    try:
        await aw(client.sessions.create(contact_id=f"c_{uid()}", contact_name="Ana"))
        with pytest.raises(NotFoundError) as caught:
            await aw(client.sessions.get("sess_does_not_exist"))
        assert len(sent) == 2 and all(REQUEST_ID.match(i) for i in sent), sent
        assert sent[0] != sent[1]
        # The sandbox names no id of its own: the error carries the one sent.
        assert caught.value.request_id == sent[1]
        assert sent[1] in repr(caught.value)
    finally:
        await close(client)
        await aw(http.close() if kind == "sync" else http.aclose())


@pytest.mark.parametrize("kind", KINDS)
async def test_with_raw_response_gives_status_headers_and_request_id(kind: str, sandbox: Sandbox) -> None:
    client = make(kind, sandbox)
    try:
        session = await aw(client.sessions.create(contact_id=f"c_{uid()}", contact_name="Ana"))
        raw = await aw(client.with_raw_response(client.sessions.get, session.id))
        assert isinstance(raw, RawResponse)
        assert isinstance(raw.data, Session) and raw.data == session and raw.parse() is raw.data
        assert raw.status_code == 200
        assert raw.headers["content-type"].startswith("application/json")
        assert raw.request_id is not None and REQUEST_ID.match(raw.request_id)
        # Keyword arguments pass through; a call with no body still has its response.
        page = await aw(client.with_raw_response(client.sessions.search, contact_id=session.contact_id))
        assert [s.id for s in page.data] == [session.id] and page.status_code == 200
        # A failing call raises as usual, with its request id.
        with pytest.raises(NotFoundError) as caught:
            await aw(client.with_raw_response(client.sessions.get, "sess_missing"))
        assert caught.value.request_id and REQUEST_ID.match(caught.value.request_id)
        # iter_search makes many calls: refused, naming what to use instead.
        with pytest.raises(TypeError, match="use search for a raw page"):
            await aw(client.with_raw_response(client.sessions.iter_search, contact_id="x"))
        with pytest.raises(TypeError, match="makes one API call"):
            await aw(client.with_raw_response(lambda: _none(kind)))
    finally:
        await close(client)


def _none(kind: str) -> Any:
    async def nothing() -> None:
        return None

    return nothing() if kind == "async" else None


def test_the_raw_response_of_concurrent_tasks_is_each_their_own(sandbox: Sandbox) -> None:
    async def main() -> None:
        async with antonnia_sdk.AsyncClient(sandbox.token, base_url=sandbox.base_url) as client:
            sessions = [
                await client.sessions.create(contact_id=f"c_{uid()}", contact_name=f"N{i}") for i in range(8)
            ]
            raws = await asyncio.gather(*(client.with_raw_response(client.sessions.get, s.id) for s in sessions))
            assert [r.data.id for r in raws] == [s.id for s in sessions]
            assert len({r.request_id for r in raws}) == len(raws)

    asyncio.run(main())


def test_antonnia_log_debug_prints_attempts_without_tokens_or_bodies(sandbox: Sandbox) -> None:
    script = (
        "import antonnia_sdk, sys\n"
        "c = antonnia_sdk.Client(sys.argv[1], base_url=sys.argv[2])\n"
        "s = c.sessions.create(contact_id='c_log', contact_name='Secret Name')\n"
        "c.sessions.get(s.id)\n"
        "try:\n"
        "    c.sessions.get('sess_missing')\n"
        "except antonnia_sdk.NotFoundError as e:\n"
        "    print(e.request_id)\n"
    )
    env = {**os.environ, "ANTONNIA_LOG": "debug"}
    done = subprocess.run(
        [sys.executable, "-c", script, sandbox.token, sandbox.base_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    log = done.stderr
    assert "antonnia: sessions.create POST" in log and "attempt 1" in log, log
    assert "antonnia: sessions.get HTTP 200" in log, log
    assert "antonnia: sessions.get HTTP 404" in log and "failed: not_found" in log, log
    error_id = done.stdout.strip()
    assert REQUEST_ID.match(error_id) and f"(request id {error_id})" in log, (error_id, log)
    assert sandbox.token not in log and "Secret Name" not in log and "Bearer" not in log

    quiet = subprocess.run(
        [sys.executable, "-c", script, sandbox.token, sandbox.base_url],
        env={k: v for k, v in os.environ.items() if k != "ANTONNIA_LOG"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert quiet.returncode == 0 and "antonnia:" not in quiet.stderr, quiet.stderr


def test_the_default_total_timeout_is_120_seconds_and_documented() -> None:
    assert antonnia_sdk.DEFAULT_TOTAL_TIMEOUT == 120.0
    for cls in (antonnia_sdk.Client, antonnia_sdk.AsyncClient):
        default = inspect.signature(cls).parameters["total_timeout"].default
        assert default == antonnia_sdk.DEFAULT_TOTAL_TIMEOUT
        assert "default 120" in (cls.__doc__ or "")


@pytest.mark.parametrize("kind", KINDS)
async def test_stream_after_the_sent_message_yields_the_answer_already_there(kind: str, sandbox: Sandbox) -> None:
    """Send, ask for the answer, and only then open the stream: the answer
    arrived before the first poll, and ``after=`` still yields it first."""
    client = make(kind, sandbox)
    try:
        session = await aw(client.sessions.create(contact_id=f"c_{uid()}", contact_name="Ana", agent_id="agent_abc"))
        await aw(client.sessions.messages.create(session.id, {"type": "text", "text": "earlier"}))
        sent = await aw(client.sessions.messages.create(session.id, {"type": "text", "text": "where is my order?"}))
        await aw(client.sessions.reply(session.id, debounce_time=0))
        deadline = time.monotonic() + 30
        while not [m for m in await aw(client.sessions.messages.search(session_id=session.id)) if m.role == "assistant"]:
            assert time.monotonic() < deadline, "the sandbox never answered"
            await asyncio.sleep(0.05)

        stream = client.sessions.messages.stream(session.id, poll_interval=0.05, after=sent.id)
        first: Message
        if isinstance(client, antonnia_sdk.Client):
            first = next(iter(stream))  # type: ignore[call-overload]
            stream.close()  # type: ignore[union-attr]
        else:
            first = await stream.__anext__()  # type: ignore[union-attr]
            await stream.aclose()  # type: ignore[union-attr]
        assert first.role == "assistant" and first.id != sent.id
    finally:
        await close(client)


def test_stream_after_a_blank_id_is_refused(sandbox: Sandbox) -> None:
    client = antonnia_sdk.Client(sandbox.token, base_url=sandbox.base_url)
    try:
        with pytest.raises(antonnia_sdk.InvalidRequestError) as caught:
            next(iter(client.sessions.messages.stream("sess_x", after=" ")))
        assert caught.value.field == "after"
    finally:
        client.close()
