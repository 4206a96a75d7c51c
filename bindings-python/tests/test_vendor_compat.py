"""Code written for the vendor's antonnia-conversations ports by changing the
import: every vendor call exists on both clients with the same parameters
(names, order, required-ness and defaults), checked against a snapshot of the
vendor's signatures (tests/vendor_signatures.json) and, when the vendor
package is installed, against the package itself."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any, Dict, List

import httpx
import pytest

import antonnia_sdk

SNAPSHOT = json.loads((Path(__file__).parent / "vendor_signatures.json").read_text())["calls"]

# Where we differ on purpose, with the reason.
DEFAULT_DIFFERENCES = {
    # Vendor sends status="open" always; we leave it out and the server defaults to open.
    ("sessions.create", "status"): ("'open'", "None"),
    # Our default is the Quick Start's base URL (with /api/v1), per CONTRACT.md.
    ("Conversations", "base_url"): ("'https://services.antonnia.com/conversations/v2'", None),
}


def params_of(fn: Any) -> List[Dict[str, Any]]:
    sig = inspect.signature(fn)
    return [
        {
            "name": p.name,
            "kind": p.kind.name,
            "default": None if p.default is inspect.Parameter.empty else repr(p.default),
            "required": p.default is inspect.Parameter.empty,
        }
        for p in sig.parameters.values()
        if p.name != "self"
    ]


def resolve(client: Any, dotted: str) -> Any:
    obj = client
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("cls", [antonnia_sdk.Client, antonnia_sdk.AsyncClient])
@pytest.mark.parametrize("call", sorted(k for k in SNAPSHOT if k != "Conversations"))
def test_vendor_call_ports_unchanged(cls: Any, call: str) -> None:
    client = cls("sk_test")
    ours = {p["name"]: p for p in params_of(resolve(client, call))}
    order = list(ours)
    vendor = SNAPSHOT[call]
    for i, vp in enumerate(vendor):
        assert vp["name"] in ours, f"{call}: missing parameter {vp['name']}"
        op = ours[vp["name"]]
        # Positional calls keep working: same position.
        assert order.index(vp["name"]) == i, f"{call}: {vp['name']} moved"
        assert op["required"] == vp["required"], f"{call}: {vp['name']} required-ness differs"
        if not vp["required"]:
            expected = DEFAULT_DIFFERENCES.get((call, vp["name"]), (vp["default"], vp["default"]))[1]
            assert op["default"] == expected, f"{call}: default of {vp['name']}: {op['default']} != {expected}"
    # Anything we add is optional, so vendor calls never miss an argument.
    extra = [p for n, p in ours.items() if n not in {v["name"] for v in vendor}]
    assert all(not p["required"] for p in extra), extra


def test_constructor_accepts_the_vendors_arguments() -> None:
    ours = {p["name"]: p for p in params_of(antonnia_sdk.Conversations.__init__)}
    for vp in SNAPSHOT["Conversations"]:
        assert vp["name"] in ours and ours[vp["name"]]["required"] == vp["required"]
    assert list(ours)[:2] == ["token", "base_url"]
    # The vendor's third positional parameter is http_client; ours is timeout.
    with pytest.raises(TypeError, match="http_client="):
        antonnia_sdk.Conversations("sk_t", "https://x.test/v1", httpx.AsyncClient())  # type: ignore[arg-type]


def test_snapshot_matches_the_installed_vendor_package() -> None:
    pytest.importorskip("antonnia.conversations")
    from antonnia.conversations.agents import Agents
    from antonnia.conversations.messages import Messages
    from antonnia.conversations.sessions import Sessions
    from antonnia.conversations.survey_submissions import SurveySubmissions

    owners = {
        "sessions": Sessions,
        "sessions.messages": Messages,
        "agents": Agents,
        "sessions.survey_submissions": SurveySubmissions,
    }
    for call, params in SNAPSHOT.items():
        if call == "Conversations":
            continue
        owner, name = call.rsplit(".", 1)
        assert params_of(getattr(owners[owner], name)) == params, call
