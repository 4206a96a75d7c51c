"""Replays every shared vector in tests/fixtures/ through the Python API.

Requests and responses go through the public client (``Client`` over an
``httpx.MockTransport``), so the keyword names, defaults and the HTTP loop are
checked too, not only the Rust core underneath.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import httpx
import pytest

import antonnia_sdk
from antonnia_sdk import _core, channel, exceptions, types, webhooks

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"

KIND_TO_CLASS = {
    "authentication": exceptions.AuthenticationError,
    "permission_denied": exceptions.PermissionDeniedError,
    "not_found": exceptions.NotFoundError,
    "conflict": exceptions.ConflictError,
    "validation": exceptions.ValidationError,
    "rate_limit": exceptions.RateLimitError,
    "api": exceptions.APIError,
    "invalid_request": exceptions.InvalidRequestError,
    "decode": exceptions.DecodeError,
    "webhook_verification": exceptions.WebhookVerificationError,
    "payload_too_large": exceptions.PayloadTooLargeError,
    "timeout": exceptions.APITimeoutError,
    "transport": exceptions.TransportError,
}


def load(name: str) -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    doc = json.loads((FIXTURES / name).read_text())
    return doc.get("defaults", {}), doc["vectors"]


def params(name: str) -> List[Any]:
    defaults, vectors = load(name)
    names = [v["name"] for v in vectors]
    assert len(names) == len(set(names)), "duplicate vector names"
    return [pytest.param(defaults, v, id=v["name"]) for v in vectors]


def body_of(v: Dict[str, Any]) -> bytes:
    if "body" in v:
        return str(v["body"]).encode()
    if "body_json" in v:
        return json.dumps(v["body_json"], separators=(",", ":"), ensure_ascii=False).encode()
    if "body_base64" in v:
        return base64.b64decode(v["body_base64"])
    if "body_repeat" in v:
        return (v["body_repeat"]["text"] * v["body_repeat"]["count"]).encode()
    return b""


def check_error(exc: BaseException, want: Dict[str, Any]) -> None:
    cls = KIND_TO_CLASS[want["kind"]]
    assert isinstance(exc, cls), f"{exc!r} is not a {cls.__name__}"
    assert isinstance(exc, exceptions.AntonniaError)
    assert exc.kind == want["kind"]
    if "field" in want:
        assert exc.field == want["field"], (exc.field, exc)
    if "path" in want:
        assert exc.path == want["path"], (exc.path, exc)
    if "path_prefix" in want:
        assert (exc.path or "").startswith(want["path_prefix"]), (exc.path, exc)
    if "reason" in want:
        assert exc.reason == want["reason"], (exc.reason, exc)
    if "message_contains" in want:
        assert want["message_contains"] in str(exc), str(exc)
    if "status" in want:
        assert exc.status_code == want["status"]
    if "message" in want:
        assert exc.message == want["message"], exc.message
    if "retry_after" in want:
        assert exc.retry_after == want["retry_after"]
    if "problems" in want:
        assert exc.problems == want["problems"]
    if "data" in want:
        assert exc.response_data == (want["data"] if want["data"] is not None else {})
    if "request_id" in want:
        assert exc.request_id == want["request_id"], (exc.request_id, exc)


class Captured(Exception):
    def __init__(self, request: httpx.Request) -> None:
        super().__init__("captured")
        self.request = request


def capture_client(config: Dict[str, str]) -> antonnia_sdk.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        raise Captured(request)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return antonnia_sdk.Client(config["token"], base_url=config["base_url"], http_client=http, max_retries=0)


def method_of(client: Any, call: str) -> Callable[..., Any]:
    resource, name = call.split(".")
    owner = {
        "sessions": client.sessions,
        "messages": client.sessions.messages,
        "survey_submissions": client.sessions.survey_submissions,
        "agents": client.agents,
    }[resource]
    return getattr(owner, name)  # type: ignore[no-any-return]


def check_request(request: httpx.Request, want: Dict[str, Any]) -> None:
    assert request.method == want["method"]
    assert str(request.url) == want["url"]
    for name, value in want["headers"].items():
        assert request.headers.get(name) == value, name
    assert request.headers["user-agent"].startswith("antonnia-sdk/")
    content = request.content
    body = json.loads(content) if content else None
    assert ("content-type" in request.headers) == bool(content)
    assert body == want["body"]


# Where the Python signature, not the core, decides: the vendor's reply default.
PYTHON_DEFAULTS = {"sessions.reply/default-debounce": {"debounce_time": 12}}


@pytest.mark.parametrize("defaults,v", params("requests.json"))
def test_request_vector(defaults: Dict[str, Any], v: Dict[str, Any]) -> None:
    config = {**defaults["config"], **v.get("config", {})}
    if "config_error" in v:
        with pytest.raises(exceptions.AntonniaError) as info:
            antonnia_sdk.Client(config["token"], base_url=config["base_url"])
        check_error(info.value, v["config_error"])
        return
    # 1. The core entry point the client uses, with the vector's exact arguments.
    core_config = _core.Config(config["token"], config["base_url"])
    if "error" in v:
        with pytest.raises(exceptions.AntonniaError) as info:
            _core.Call(v["call"], v["args"]).build(core_config)
        check_error(info.value, v["error"])
    else:
        method, url, headers, body = _core.Call(v["call"], v["args"]).build(core_config)
        check_request(httpx.Request(method, url, headers=headers, content=body), v["request"])
    # 2. The public client's method with the same keyword arguments.
    client = capture_client(config)
    fn = method_of(client, v["call"])
    try:
        result = fn(**v["args"])
        if hasattr(result, "__next__"):
            next(result)
    except Captured as c:
        assert "error" not in v, f"sent {c.request}, want {v['error']}"
        want = v["request"]
        if v["name"] in PYTHON_DEFAULTS:
            want = {**want, "body": {**want["body"], **PYTHON_DEFAULTS[v["name"]]}}
        check_request(c.request, want)
    except TypeError:
        # An unknown or missing keyword: Python's own signature check refuses it
        # before the core would.
        assert v.get("error", {}).get("kind") == "invalid_request", v["name"]
    except exceptions.AntonniaError as exc:
        assert "error" in v, f"raised {exc!r}"
        check_error(exc, v["error"])
    else:
        pytest.fail("nothing was sent")


@pytest.mark.parametrize("defaults,v", params("responses.json"))
def test_response_vector(defaults: Dict[str, Any], v: Dict[str, Any]) -> None:
    r = v["response"]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(r["status"], headers=r.get("headers", {}), content=body_of(r))

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = antonnia_sdk.Client("sk_test_vectors", base_url="https://api.test/v1", http_client=http, max_retries=0)
    try:
        got = method_of(client, v["call"])(**v["args"])
    except exceptions.AntonniaError as exc:
        assert "error" in v, f"raised {exc!r}, want {v.get('result')}"
        check_error(exc, v["error"])
        return
    assert "result" in v, f"parsed {got!r}, want an error"
    if got is None:
        assert v["result"] is None
    elif isinstance(got, list):
        assert [x.to_dict() for x in got] == v["result"]
    else:
        assert got.to_dict() == v["result"]


@pytest.mark.parametrize("defaults,v", params("webhooks.json"))
def test_webhook_vector(defaults: Dict[str, Any], v: Dict[str, Any]) -> None:
    if "sign" in v:
        assert webhooks.sign(v["secret"], v["id"], v["timestamp"], v["body"].encode()) == v["signature"]
        return
    tolerance = v.get("tolerance", defaults["tolerance"])
    limit = v.get("max_body_bytes", defaults["max_body_bytes"])
    # Without a secret a vector parses unverified, unless it says "verify": true.
    verify = v.get("verify", "secret" in v)
    try:
        receiver = webhooks.WebhookReceiver(v.get("secret"), tolerance=tolerance, max_body_bytes=limit, verify=verify)
        event = receiver.receive(body_of(v), v.get("headers"), now=v.get("now", 0))
    except exceptions.AntonniaError as exc:
        assert "error" in v, f"raised {exc!r}"
        check_error(exc, v["error"])
        return
    assert "event" in v, f"parsed {event!r}, want {v['error']}"
    assert event.to_dict() == v["event"]
    assert event.type == v["event"].get("type", event.type)
    if "outbound" in v:
        assert (channel.outbound_message(event) is not None) == v["outbound"]
    if "secret" not in v and limit == 1048576:
        assert webhooks.parse(body_of(v), verify=False) == event
        assert webhooks.parse_event(body_of(v)) == event


SAFETY_ARGS: Dict[str, Dict[str, Any]] = {
    "sessions.get": {"session_id": "s"},
    "messages.update": {"session_id": "s", "message_id": "m"},
    "agents.delete": {"agent_id": "a"},
    "messages.create": {"session_id": "s", "content": {"type": "text", "text": "x"}},
    "sessions.reply": {"session_id": "s"},
    "sessions.create": {"contact_id": "c", "contact_name": "n"},
    "agents.create": {"name": "n", "type": "ai"},
    "survey_submissions.cancel": {"session_id": "s", "survey_submission_id": "x"},
}


@pytest.mark.parametrize("defaults,v", params("retry.json"))
def test_retry_vector(defaults: Dict[str, Any], v: Dict[str, Any]) -> None:
    p = {**defaults["policy"], **v.get("policy", {})}
    policy = _core.RetryPolicy(
        p["max_attempts"] - 1,
        initial_backoff=p["initial_backoff"],
        max_backoff=p["max_backoff"],
        max_retry_after=p["max_retry_after"],
    )
    if "safety" in v:
        idempotent = v["safety"] == "idempotent"
    else:
        idempotent = _core.Call(v["call"], SAFETY_ARGS.get(v["call"], {})).idempotent
    got: Optional[float] = policy.decide(idempotent, v["attempt"], v["outcome"], v["jitter"])
    want = v["decision"]
    if want == "stop":
        assert got is None
    else:
        assert got == pytest.approx(want["retry_after"], abs=1e-9)


@pytest.mark.parametrize("defaults,v", params("exchange.json"))
def test_exchange_vector(defaults: Dict[str, Any], v: Dict[str, Any]) -> None:
    """The core's exchange as the clients drive it, step by step."""
    config = {**defaults["config"], **v.get("config", {})}
    p = {**defaults["policy"], **v.get("policy", {})}
    limits = {**defaults["limits"], **v.get("limits", {})}
    policy = _core.RetryPolicy(
        p["max_attempts"] - 1,
        initial_backoff=p["initial_backoff"],
        max_backoff=p["max_backoff"],
        max_retry_after=p["max_retry_after"],
    )
    exchange = _core.Exchange(
        _core.Call(v["call"], v["args"]),
        _core.Config(config["token"], config["base_url"]),
        policy,
        limits["timeout"],
        limits["total_timeout"],
        limits["max_response_bytes"],
        request_id=v.get("request_id"),
    )
    steps = v["steps"]
    for i, step in enumerate(steps):
        last = i + 1 == len(steps)
        field = lambda k: step.get(k, defaults[k])  # noqa: E731
        if "attempt_timeout" in step:
            assert exchange.attempt_timeout(field("elapsed")) == pytest.approx(step["attempt_timeout"])
        want = step["expect"]
        try:
            if "response" in step:
                r = step["response"]
                headers = list(r.get("headers", {}).items())
                done, value = exchange.on_response(
                    r["status"], headers, body_of(r), field("elapsed"), field("jitter"), field("now")
                )
            else:
                done, value = False, exchange.on_failure(
                    step["failure"], step.get("detail", ""), field("elapsed"), field("jitter"), step.get("received", 0)
                )
        except exceptions.AntonniaError as exc:
            assert last and "error" in want, f"step {i}: raised {exc!r}, want {want}"
            check_error(exc, want["error"])
            continue
        if done:
            assert last and "result" in want, f"step {i}: done, want {want}"
            assert value.to_dict() == want["result"]
        else:
            assert not last and "retry_after" in want, f"step {i}: retry, want {want}"
            assert value == pytest.approx(want["retry_after"], abs=1e-9)


@pytest.mark.parametrize("defaults,v", params("stream.json"))
def test_stream_vector(defaults: Dict[str, Any], v: Dict[str, Any]) -> None:
    """The message stream's cursor as ``messages.stream`` drives it."""
    o = {**defaults["options"], **v.get("options", {})}
    try:
        cursor = _core.MessageStream(
            v.get("session_id", defaults["session_id"]),
            o["poll_interval"],
            o["max_poll_interval"],
            o["page_size"],
            o["from_start"],
        )
        if "after" in v:
            cursor.start_after(v["after"])
    except exceptions.AntonniaError as exc:
        assert "start_error" in v, f"raised {exc!r}"
        check_error(exc, v["start_error"])
        return
    assert "start_error" not in v
    for i, step in enumerate(v["steps"]):
        assert cursor.next_call() == _core.Call("messages.search", step["call"]), i
        want = step["expect"]
        if "page" in step:
            fresh, wait = cursor.on_page([types.Message.from_dict(m) for m in step["page"]])
            assert [m.id for m in fresh] == want["messages"], i
            assert wait == pytest.approx(want["wait"]), i
            continue
        e = step["error"]
        if "failure" in e:
            failure: exceptions.AntonniaError = exceptions.TransportError("connection reset", kind="transport")
        else:
            with pytest.raises(exceptions.AntonniaError) as info:
                _core.Call("sessions.get", {"session_id": "s"}).parse(e["status"], body_of(e), list(e.get("headers", {}).items()))
            failure = info.value
        got = cursor.on_failed_poll(failure.kind, failure.status_code, failure.retry_after)
        if "stop" in want:
            assert got is None, i
            check_error(failure, want["stop"])
        else:
            assert got == pytest.approx(want["wait"]), i


@pytest.mark.parametrize("defaults,v", params("channel.json"))
def test_channel_vector(defaults: Dict[str, Any], v: Dict[str, Any]) -> None:
    kind = v["kind"]
    if kind == "whatsapp":
        assert channel.whatsapp_error_description(v["code"]) == v["description"]
        if v["description"] is not None:
            assert channel.WHATSAPP_ERRORS[v["code"]] == v["description"]
    elif kind == "delivery":
        r = v["report"]
        if r["status"] == "failed":
            fields = channel.failed(r.get("code"), r.get("message"))
        else:
            helper = {"sent": channel.sent, "delivered": channel.delivered, "read": channel.read}[r["status"]]
            fields = helper(r.get("provider_message_id"), r.get("at"))
        config = {**defaults["config"], **v.get("config", {})}
        client = capture_client(config)
        with pytest.raises(Captured) as info:
            client.sessions.messages.update(v["session_id"], v["message_id"], **fields)
        check_request(info.value.request, v["request"])
    elif kind == "next_page":
        call = _core.Call(v["call"], v["args"])
        nxt = call.next_page(v["returned"])
        if v["next_args"] is None:
            assert nxt is None
        else:
            assert nxt == _core.Call(v["call"], v["next_args"])
    else:
        pytest.fail(f"unknown kind {kind}")


@pytest.mark.parametrize("defaults,v", params("relay.json"))
def test_relay_vector(defaults: Dict[str, Any], v: Dict[str, Any]) -> None:
    """The channel relay's key names, records and decisions, as antonnia_sdk.relay uses them."""
    from antonnia_sdk import relay

    kind = v["kind"]
    try:
        if kind == "keys":
            k = relay.RelayKeys(v["prefix"])
            ct, user, sid = v["channel_type"], v["channel_user_id"], v["session_id"]
            got: Any = {
                "lock": k.lock(ct, user),
                "session": k.session(ct, user),
                "inbound": k.inbound(ct, user, v["provider_message_id"]),
                "contact": k.contact(sid),
                "queue": k.queue(sid),
                "outbound": k.outbound(sid, v["message_id"]),
                "session_base": k.session_base(sid),
                "pending": k.pending(ct),
                "pending_member": k.pending_member(sid, v["message_id"]),
            }
            assert got == v["keys"]
        elif kind == "record":
            record = relay.decode_record(v["type"], v["text"])
            assert record == v["record"]
            assert relay.encode_record(v["type"], record) == v["encoded"]
        elif kind == "event":
            event = webhooks.parse(body_of(v), verify=False)
            assert _core.relay_classify(event) == v["action"]
        elif kind == "decide":
            assert _core.relay_decide(v["decision"], v["input"]) == v["output"]
        else:
            pytest.fail(f"unknown kind {kind}")
    except exceptions.AntonniaError as exc:
        assert "error" in v, f"raised {exc!r}"
        check_error(exc, v["error"])
        return
    assert "error" not in v


def test_benchmark_event_is_a_vector() -> None:
    body = (FIXTURES / "message_created_410.json").read_bytes()
    assert len(body) == 410
    _, vectors = load("webhooks.json")
    assert any(v.get("body", "").encode() == body for v in vectors)


def test_every_vector_file_is_replayed() -> None:
    files = ["requests.json", "responses.json", "webhooks.json", "retry.json", "channel.json", "exchange.json", "stream.json", "relay.json"]
    total = sum(len(load(f)[1]) for f in files)
    assert total >= 120
