"""Building is strict: what the SDK sends is exactly what the caller meant,
or an InvalidRequestError that names the argument."""

from __future__ import annotations

import datetime
from typing import Any, Dict, List

import httpx
import pytest

import antonnia_sdk
from antonnia_sdk import channel
from antonnia_sdk.exceptions import InvalidRequestError

SENT: List[httpx.Request] = []


def _client() -> antonnia_sdk.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        SENT.append(request)
        return httpx.Response(200, json={"id": "x"})

    return antonnia_sdk.Client("sk_test", http_client=httpx.Client(transport=httpx.MockTransport(answer)))


def test_naive_datetimes_are_refused_not_read_as_utc() -> None:
    client = _client()
    with pytest.raises(InvalidRequestError) as info:
        client.sessions.schedule("s", datetime.datetime(2025, 1, 16, 9), {"type": "node", "node_id": "n"})
    assert info.value.field == "scheduled_for" and "UTC offset" in str(info.value)
    with pytest.raises(InvalidRequestError) as info:
        channel.delivered("wamid.1", at=datetime.datetime(2025, 1, 16, 9))
    assert info.value.field == "at"
    aware = datetime.datetime(2025, 1, 16, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=-3)))
    assert channel.delivered("wamid.1", at=aware)["delivered_at"] == "2025-01-16T12:00:00Z"
    assert not SENT


def test_content_needs_its_required_fields() -> None:
    client = _client()
    for content in ({"type": "text"}, {"type": "image"}, {"type": "file", "url": "https://x.test/a.pdf"}):
        with pytest.raises(InvalidRequestError) as info:
            client.sessions.messages.create("s", content)
        assert info.value.field == "content", content
    assert not SENT


def test_a_self_referencing_dict_gets_a_short_field_name() -> None:
    loop: Dict[str, Any] = {}
    loop["again"] = loop
    with pytest.raises(InvalidRequestError) as info:
        _client().sessions.create("c", "n", metadata=loop)
    assert info.value.field == "metadata"
    assert len(str(info.value)) < 200 and "contain itself" in str(info.value)
