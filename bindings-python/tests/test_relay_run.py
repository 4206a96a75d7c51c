"""``_core.RelayRun``: the relay's webhook procedure (antonnia_relay::run) as
the Python relay drives it, dicts in and out. Its branches are tested in
Rust (relay/tests/run.rs); this checks the binding's crossing."""

from __future__ import annotations

import json

import pytest

from antonnia_sdk import _core
from antonnia_sdk.exceptions import AntonniaError

MESSAGE = json.dumps({"id": "m1", "session_id": "s1", "role": "assistant", "content": {"type": "text", "text": "hi"}})
CONTACT = '{"v":1,"channel_type":"wa","channel_user_id":"u1"}'


def start() -> _core.RelayRun:
    return _core.RelayRun("webhook", {"config": {"channel_type": "wa"}, "token": "t", "session_id": "s1", "message": MESSAGE})


def test_a_run_yields_effects_and_takes_their_answers() -> None:
    run = start()
    claim = run.next()
    assert claim["effect"] == "claim"
    assert claim["args"]["outbound_key"] == "antonnia:relay:{s1}:out:m1"
    deliver = run.resume({"result": {"result": "claimed", "attempt": 1, "contact": CONTACT}, "waited_ms": 0})
    assert deliver["effect"] == "deliver"
    assert deliver["contact"] == {"channel_type": "wa", "channel_user_id": "u1", "contact_name": None, "session_id": "s1"}
    report = run.resume({"delivery": "sent", "provider_message_id": "p1"})
    assert report["outcome"] == {"status": "sent", "provider_message_id": "p1"}
    finish = run.resume(None)
    assert (finish["effect"], finish["state"]) == ("finish", "done")
    done = run.resume(None)
    assert (done["effect"], done["outcome"], done["response"]["status"]) == ("done", "sent", 200)


def test_bad_input_and_answers_are_the_sdk_s_errors() -> None:
    with pytest.raises(AntonniaError):
        _core.RelayRun("nonsense", {})
    with pytest.raises(AntonniaError):
        _core.RelayRun("webhook", {"config": {"channel_type": "wa"}, "token": "", "session_id": "s1", "message": MESSAGE})
    run = start()
    with pytest.raises(AntonniaError):
        run.resume({"error": "nonsense"})
    assert run.next()["effect"] == "claim"
    assert repr(run) == "RelayRun(Webhook)"
