"""The HTTP loop without a server: injection, headers, timeouts, retries."""

from __future__ import annotations

import json
import logging
from typing import List

import httpx
import pytest

import antonnia_sdk
from antonnia_sdk.exceptions import APIError, RateLimitError

SESSION = json.dumps({"id": "sess_1", "status": "open"}).encode()


def test_injected_client_headers_and_close() -> None:
    seen: List[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=SESSION)

    hooks: List[str] = []
    http = httpx.Client(
        transport=httpx.MockTransport(handler), event_hooks={"request": [lambda r: hooks.append(str(r.url))]}
    )
    with antonnia_sdk.Client("sk_t", base_url="http://h/v1/", http_client=http, headers={"X-Tenant": "t1"}) as client:
        assert client.sessions.get("sess 1").id == "sess_1"
    assert not http.is_closed  # the SDK never closes a client it did not create
    assert hooks == ["http://h/v1/sessions/sess%201"]
    request = seen[0]
    assert request.headers["x-tenant"] == "t1"
    assert request.headers["authorization"] == "Bearer sk_t"
    assert request.headers["user-agent"].startswith("antonnia-sdk/") and "(python)" in request.headers["user-agent"]
    http.close()


def test_own_client_is_closed_and_has_a_timeout() -> None:
    client = antonnia_sdk.Client("sk_t")
    assert client._http.timeout.read == 60.0 and client._http.timeout.connect == 10.0
    client.close()
    assert client._http.is_closed


def test_retry_honours_retry_after_and_safety(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    sleeps: List[float] = []
    monkeypatch.setattr("antonnia_sdk._sync_client.time.sleep", sleeps.append)
    answers = [httpx.Response(429, headers={"retry-after": "7"}, json={"detail": "slow down"}), httpx.Response(200, content=SESSION)]
    http = httpx.Client(transport=httpx.MockTransport(lambda r: answers.pop(0)))
    client = antonnia_sdk.Client("sk_t", http_client=http)
    assert client.sessions.create(contact_id="c", contact_name="n").id == "sess_1"
    assert sleeps == [7.0]
    # A 503 on a create is not retried; on a get it is, with backoff.
    calls: List[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(503, text="<html>bad gateway</html>")

    client = antonnia_sdk.Client("sk_t", http_client=httpx.Client(transport=httpx.MockTransport(flaky)), max_retries=2)
    with pytest.raises(APIError) as info:
        client.sessions.create(contact_id="c", contact_name="n")
    assert info.value.status_code == 503 and calls == ["POST"]
    calls.clear()
    with caplog.at_level(logging.DEBUG, logger="antonnia_sdk"):
        with pytest.raises(APIError):
            client.sessions.get("s")
    assert calls == ["GET"] * 3
    assert "sessions.get HTTP 503 after" in caplog.text and "retrying in" in caplog.text
    assert "sk_t" not in caplog.text and "bad gateway" not in caplog.text
    # Retry-After beyond the policy's cap: give up at once, with retry_after.
    http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(429, headers={"retry-after": "3600"})))
    with pytest.raises(RateLimitError) as rl:
        antonnia_sdk.Client("sk_t", http_client=http).sessions.get("s")
    assert rl.value.retry_after == 3600


async def test_async_client_over_mock_transport() -> None:
    offsets: List[int] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        offset = json.loads(request.content).get("offset", 0)
        offsets.append(offset)
        return httpx.Response(200, content=b"[" + SESSION + b"]" if offset < 2 else b"[]")

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with antonnia_sdk.Conversations(token="sk_t", http_client=http) as client:
        page = await client.sessions.search(limit=1)
        assert [s.id for s in page] == ["sess_1"]
        offsets.clear()
        seen = [s.id async for s in client.sessions.iter_search(limit=1)]
        assert seen == ["sess_1", "sess_1"] and offsets == [0, 1, 2]
    assert not http.is_closed
    await http.aclose()
