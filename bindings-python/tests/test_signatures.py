"""Every Python method takes the arguments its call's signature in the core
declares (``_core.call_arguments``): the same names, required where the core
requires them. The methods are written by hand to keep the vendor package's
signatures; this holds them to the one declaration."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, List, Tuple

import httpx
import pytest

import antonnia_sdk
from antonnia_sdk import _core

CLIENT = antonnia_sdk.Client("sk_t", base_url="http://h/v1", http_client=httpx.Client())
ASYNC_CLIENT = antonnia_sdk.AsyncClient("sk_t", base_url="http://h/v1")

# Where each area's methods live on a client.
GROUPS: Dict[str, Callable[[Any], Any]] = {
    "sessions": lambda c: c.sessions,
    "messages": lambda c: c.sessions.messages,
    "agents": lambda c: c.agents,
    "survey_submissions": lambda c: c.sessions.survey_submissions,
}

# Arguments a method takes beyond its call's, each for a reason.
EXTRA = {
    # The vendor's deprecated shortcut for fields={"metadata": ...}.
    ("sessions.update", "metadata"),
}

# Arguments the core requires that a method may leave out, each for a reason.
OPTIONAL_IN_PYTHON = {
    # May be left out when the vendor's metadata= shortcut gives the fields.
    ("sessions.update", "fields"),
}


def method_of(client: Any, call: str) -> Callable[..., Any]:
    area, verb = call.split(".")
    method: Callable[..., Any] = getattr(GROUPS[area](client), verb)
    return method


def python_parameters(method: Callable[..., Any]) -> List[Tuple[str, bool]]:
    return [
        (p.name, p.default is inspect.Parameter.empty)
        for p in inspect.signature(method).parameters.values()
        if p.kind is not inspect.Parameter.VAR_KEYWORD
    ]


@pytest.mark.parametrize("client", [CLIENT, ASYNC_CLIENT], ids=["sync", "async"])
@pytest.mark.parametrize("call", _core.call_names())
def test_every_method_takes_its_calls_declared_arguments(client: Any, call: str) -> None:
    declared = _core.call_arguments(call)
    got = [(name, required) for name, required in python_parameters(method_of(client, call)) if (call, name) not in EXTRA]
    # Flat keyword arguments stand for an update's fields.
    flat = dict(got)
    for name, required in declared:
        assert name in flat, f"{call}: the Python method lacks `{name}`"
        if required and (call, name) not in OPTIONAL_IN_PYTHON:
            assert flat[name], f"{call}: `{name}` is required in the core but has a default in Python"
    assert set(flat) == {name for name, _ in declared}, f"{call}: Python takes {sorted(flat)}, the core {declared}"


def test_an_unknown_call_is_refused_by_name() -> None:
    with pytest.raises(antonnia_sdk.AntonniaError):
        _core.call_arguments("sessions.nope")
