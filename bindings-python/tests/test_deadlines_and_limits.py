"""The send loop's promises against misbehaving servers and misuse: a real
deadline per attempt and per call, a cap on response size, a clear error on a
closed client, and webhook verification that is never skipped by accident."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time
from typing import Any, Iterator, List

import httpx
import pytest

import antonnia_sdk
from antonnia_sdk import webhooks
from antonnia_sdk.exceptions import (
    APITimeoutError,
    ClientClosedError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
    TransportError,
    WebhookVerificationError,
)

SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"


class _Session(http.server.BaseHTTPRequestHandler):
    """Answers every GET with a session, keeping the connection open."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = b'{"id":"sess_1"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class _Dripper(http.server.BaseHTTPRequestHandler):
    """Answers 200 with a valid session, one byte every 0.2 s."""

    def do_GET(self) -> None:
        body = json.dumps({"id": "sess_1", "padding": "x" * 60}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for b in body:
                self.wfile.write(bytes([b]))
                self.wfile.flush()
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: Any) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-body is what these tests do


def _serve(handler: Any) -> Iterator[str]:
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/conversations/v2/api/v1"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def dripping_server() -> Iterator[str]:
    yield from _serve(_Dripper)


@pytest.fixture
def session_server() -> Iterator[str]:
    yield from _serve(_Session)


def test_a_dripping_body_cannot_outlive_the_timeout(dripping_server: str) -> None:
    client = antonnia_sdk.Client("sk_test", base_url=dripping_server, timeout=1.0, max_retries=0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        client.sessions.get("sess_1")
    took = time.monotonic() - started
    client.close()
    # Each byte arrives well within any read timeout; only the attempt's
    # overall deadline can stop it. The whole body would take ~14 s; the
    # bound leaves room for a loaded machine.
    assert took < 6.0, took
    assert "sessions.get" in str(info.value) and "1 s" in str(info.value)


async def test_the_total_timeout_bounds_retries_too(dripping_server: str) -> None:
    async with antonnia_sdk.AsyncClient(
        "sk_test", base_url=dripping_server, timeout=1.0, total_timeout=1.5, max_retries=5
    ) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            await client.sessions.get("sess_1")
        # Five retries of 1 s each would take 6 s or more; the body ~14 s.
        assert time.monotonic() - started < 6.0


def _mock(handler: Any) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_responses_over_the_cap_are_refused() -> None:
    big = json.dumps({"id": "s", "metadata": {"blob": "x" * 5000}}).encode()
    client = antonnia_sdk.Client(
        "sk_test", http_client=_mock(lambda r: httpx.Response(200, content=big)), max_response_bytes=1024
    )
    with pytest.raises(PayloadTooLargeError) as info:
        client.sessions.get("s")
    assert info.value.status_code is None and "1024" in str(info.value)


def test_a_413_is_payload_too_large_and_still_an_api_error() -> None:
    client = antonnia_sdk.Client(
        "sk_test", http_client=_mock(lambda r: httpx.Response(413, json={"detail": "too big"})), max_retries=0
    )
    with pytest.raises(PayloadTooLargeError) as info:
        client.sessions.messages.create("s", {"type": "text", "text": "hi"})
    assert isinstance(info.value, antonnia_sdk.exceptions.APIError) and info.value.status_code == 413


def test_http_date_retry_after_is_kept_on_the_final_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("antonnia_sdk._sync_client.time.sleep", lambda s: None)
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    client = antonnia_sdk.Client(
        "sk_test", http_client=_mock(lambda r: httpx.Response(429, headers={"Retry-After": when})), max_retries=1
    )
    with pytest.raises(RateLimitError) as info:
        client.sessions.get("s")
    assert info.value.retry_after is not None and 25 <= info.value.retry_after <= 31


def test_errors_never_echo_the_token() -> None:
    token = "sk_live_do_not_leak_me"
    echo = lambda r: httpx.Response(400, json={"detail": f"bad: {r.headers['authorization']}"})  # noqa: E731
    client = antonnia_sdk.Client(token, http_client=_mock(echo))
    with pytest.raises(antonnia_sdk.exceptions.APIError) as info:
        client.agents.get("a")
    shown = f"{info.value} {info.value!r} {info.value.message} {info.value.body} {info.value.response_data}"
    assert token not in shown and "[redacted]" in shown


def test_a_404_names_the_request_and_a_missing_prefix() -> None:
    client = antonnia_sdk.Client(
        "sk_test", base_url="https://example.test", http_client=_mock(lambda r: httpx.Response(404))
    )
    with pytest.raises(NotFoundError) as info:
        client.sessions.get("s")
    assert "GET https://example.test/sessions/s" in str(info.value)
    assert "/conversations/v2/api/v1" in str(info.value)


def test_calls_after_close_raise_a_clear_error() -> None:
    client = antonnia_sdk.Client("sk_test", http_client=_mock(lambda r: httpx.Response(200, json={"id": "s"})))
    client.close()
    with pytest.raises(ClientClosedError, match="sessions.get: the client is closed"):
        client.sessions.get("s")
    injected = _mock(lambda r: httpx.Response(200, json={"id": "s"}))
    other = antonnia_sdk.Client("sk_test", http_client=injected)
    injected.close()
    with pytest.raises(ClientClosedError):
        other.sessions.get("s")
    assert issubclass(ClientClosedError, RuntimeError)


def test_an_async_client_reused_on_another_event_loop_fails_as_the_sdk(session_server: str) -> None:
    client = antonnia_sdk.AsyncClient("sk_test", base_url=session_server, max_retries=0)

    async def call() -> str:
        return (await client.sessions.get("s")).id

    assert asyncio.run(call()) == "sess_1"
    # The pooled connection belongs to the first, now closed, loop.
    try:
        assert asyncio.run(call()) == "sess_1"
    except TransportError as exc:
        assert "event loop" in str(exc)


def test_webhook_verification_is_never_skipped_by_accident() -> None:
    body = b'{"type":"session.created","data":{"object":{"id":"s"}}}'
    forged = {"webhook-id": "msg_1", "webhook-timestamp": str(int(time.time())), "webhook-signature": "v1,AAAA"}
    with pytest.raises(WebhookVerificationError) as info:
        webhooks.parse(body, forged, secret=None)
    assert info.value.reason == "missing_secret" and "verify=False" in str(info.value)
    with pytest.raises(WebhookVerificationError):
        webhooks.WebhookReceiver().receive(body, forged)
    # Skipping is a choice made by name.
    assert webhooks.parse(body, forged, verify=False).type == "session.created"
    assert not webhooks.WebhookReceiver(verify=False).verifies


def test_webhook_bodies_and_headers_in_every_framework_shape() -> None:
    body = '{"type":"session.created","data":{"object":{"id":"s"}}}'
    ts = int(time.time())
    sig = webhooks.sign(SECRET, "msg_1", ts, body.encode())
    asgi = [(b"webhook-id", b"msg_1"), (b"webhook-timestamp", str(ts).encode()), (b"webhook-signature", sig.encode())]
    for shaped in (body, body.encode(), bytearray(body.encode()), memoryview(body.encode())):
        event = webhooks.parse(shaped, asgi, secret=SECRET)
        assert event.type == "session.created"
    # A padless secret is the same secret.
    assert webhooks.parse(body, asgi, secret=SECRET.rstrip("=")).type == "session.created"


def test_a_call_cannot_be_left_without_a_deadline() -> None:
    with pytest.raises(antonnia_sdk.exceptions.InvalidRequestError) as info:
        antonnia_sdk.Client("sk_test", timeout=None)
    assert info.value.field == "timeout"
    with pytest.raises(antonnia_sdk.exceptions.InvalidRequestError):
        antonnia_sdk.AsyncClient("sk_test", timeout=httpx.Timeout(None))
    with pytest.raises(antonnia_sdk.exceptions.InvalidRequestError):
        antonnia_sdk.Client("sk_test", total_timeout=0)
