"""Every public call of ``Client`` fed random values of every kind, against a
server that answers 200 ``{}`` (``[]`` for searches): only the SDK's own
errors, or a ``TypeError`` for a wrong Python type, may come out."""

from __future__ import annotations

import inspect
import itertools
import math
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Tuple
from unittest import mock

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import antonnia_sdk
from antonnia_sdk.exceptions import AntonniaError
from antonnia_sdk.types import MessageContentText, ScheduledNodeConfig

ALLOWED = (AntonniaError, TypeError)

# Far over the core's 1024-byte id limit, and over httpx's 64 KiB URL limit.
HUGE = ["a" * 70_000, "\U0001f600" * 20_000]
SURROGATES = ["\udc80", "a\ud800b", "\udfff" * 3]

texts = st.one_of(
    st.text(),
    st.text(st.one_of(st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, exclude_categories=()))),
    st.sampled_from(SURROGATES + HUGE + ["", " ", "s1", "open", "user", "ai", "sent", "../x", "a/b?c#d", "\x00"]),
)
numbers = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 2**31, 2**63, 2**64, 10**12, 10**30, -(10**30), True, False]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e308]),
)
leaves = st.one_of(
    st.none(),
    texts,
    numbers,
    st.binary(max_size=16),
    st.sampled_from(
        [
            object(),
            datetime(2024, 1, 2, tzinfo=timezone.utc),
            datetime(2024, 1, 2),  # naive
            MessageContentText(text="hi"),
            ScheduledNodeConfig(node_id="n"),
            {1: "non-str key"},
            {(1, 2): "tuple key"},
            (1, "tuple"),
            {1, 2},
            frozenset(),
            bytearray(b"x"),
            1j,
            NotImplemented,
            Ellipsis,
            len,
        ]
    ),
)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(texts, st.integers()), inner, max_size=4)
    ),
    max_leaves=8,
)


def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b"[]" if request.url.path.endswith("/search") else b"{}")


def public_calls(client: antonnia_sdk.Client) -> Dict[str, Callable[..., Any]]:
    groups = {
        "sessions": client.sessions,
        "sessions.messages": client.sessions.messages,
        "sessions.survey_submissions": client.sessions.survey_submissions,
        "agents": client.agents,
    }
    calls = {}
    for prefix, group in groups.items():
        for name, method in inspect.getmembers(group, inspect.ismethod):
            if not name.startswith("_"):
                calls[f"{prefix}.{name}"] = method
    return calls


CLIENT = antonnia_sdk.Client("sk_t", base_url="http://h/v1", http_client=httpx.Client(transport=httpx.MockTransport(answer)))
CALLS = public_calls(CLIENT)


def test_every_group_is_covered() -> None:
    # A new method is fuzzed without editing this file; a lost one is noticed.
    assert len(CALLS) == 24, sorted(CALLS)


def parameters(method: Callable[..., Any]) -> List[Tuple[str, bool]]:
    return [(p.name, p.default is inspect.Parameter.empty) for p in inspect.signature(method).parameters.values()]


class _WouldWait(Exception):
    """Raised instead of sleeping: a stream that has nothing new is done here."""


def _no_sleep(seconds: float) -> None:
    raise _WouldWait


def run(method: Callable[..., Any], kwargs: Dict[str, Any]) -> None:
    with mock.patch("antonnia_sdk._sync_client.time.sleep", _no_sleep):
        result = method(**kwargs)
        if inspect.isgenerator(result):
            try:
                for _ in itertools.islice(result, 1000):
                    pass
            except _WouldWait:
                pass


@pytest.mark.parametrize("name", sorted(CALLS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_only_sdk_errors_or_type_errors_come_out(name: str, data: st.DataObject) -> None:
    method = CALLS[name]
    kwargs: Dict[str, Any] = {}
    for param, required in parameters(method):
        if required or data.draw(st.booleans(), label=f"pass {param}"):
            kwargs[param] = data.draw(values, label=param)
    try:
        run(method, kwargs)
    except ALLOWED:
        pass


@settings(max_examples=300, deadline=None)
@given(
    token=values,
    base_url=st.one_of(values, st.sampled_from(["http://u:p@h", "http://h/v1", "https://[::1", "ftp://h", "http://h:99999"])),
    max_retries=values,
    headers=st.one_of(values, st.dictionaries(texts, values, max_size=3)),
    http_client=st.sampled_from([None, httpx.AsyncClient(), object(), "client"]),
)
def test_constructor_only_raises_sdk_errors_or_type_errors(
    token: Any, base_url: Any, max_retries: Any, headers: Any, http_client: Any
) -> None:
    try:
        client = antonnia_sdk.Client(token, base_url=base_url, max_retries=max_retries, headers=headers, http_client=http_client)
    except ALLOWED:
        return
    client.close()


def test_a_path_id_too_long_for_a_url() -> None:
    # The core refuses ids over 1024 bytes before a URL is built.
    with pytest.raises(antonnia_sdk.exceptions.InvalidRequestError) as info:
        CLIENT.sessions.get("a" * 10_000_000)
    assert info.value.field == "session_id"
