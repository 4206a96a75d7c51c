"""Fixtures: the antonnia-sandbox server and a webhook sink, both on loopback,
both stopped by the fixture that started them."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest

from .servers import RedisCluster, RedisSentinel, RedisServer, stop_process

REPO = Path(__file__).resolve().parents[2]
WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


# test_vectors.py's replay functions, by the fixture file each one replays.
_VECTOR_TESTS = {
    "test_request_vector": "requests.json",
    "test_response_vector": "responses.json",
    "test_webhook_vector": "webhooks.json",
    "test_retry_vector": "retry.json",
    "test_channel_vector": "channel.json",
    "test_exchange_vector": "exchange.json",
    "test_stream_vector": "stream.json",
    "test_relay_vector": "relay.json",
}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """With PARITY_DIR set, records each shared vector's outcome in
    $PARITY_DIR/python.jsonl for `make parity`'s cross-language table, and
    each relay_store.json scenario's per store (parity.py counts a scenario
    passed only if it passed on every store; a skipped store is not a pass)."""
    parity = os.environ.get("PARITY_DIR")
    if not parity:
        return
    match = re.match(r".*test_vectors\.py::(\w+)\[(.*)\]$", report.nodeid)
    store = re.match(r".*test_relay\.py::test_store_conformance\[(?:memory|redis|cluster|sentinel)-(.*)\]$", report.nodeid)
    if match and match.group(1) in _VECTOR_TESTS:
        file, name = _VECTOR_TESTS[match.group(1)], match.group(2)
    elif store:
        file, name = "relay_store.json", store.group(1)
    else:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        line = {"file": file, "name": name, "ok": report.passed}
        os.makedirs(parity, exist_ok=True)
        with open(os.path.join(parity, "python.jsonl"), "a") as out:
            out.write(json.dumps(line) + "\n")


def _target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))


@pytest.fixture(scope="session")
def sandbox_bin() -> str:
    """The antonnia-sandbox binary: $ANTONNIA_SANDBOX_BIN, or built once with cargo."""
    override = os.environ.get("ANTONNIA_SANDBOX_BIN")
    if override:
        return override
    if not (REPO / "tests" / "sandbox" / "Cargo.toml").exists():
        if os.environ.get("ANTONNIA_REQUIRE_SANDBOX"):
            pytest.fail("tests/sandbox is missing and ANTONNIA_REQUIRE_SANDBOX is set")
        pytest.skip("antonnia-sandbox is not in this checkout (tests/sandbox)")
    subprocess.run(["cargo", "build", "-q", "-p", "antonnia-sandbox"], cwd=REPO, check=True)
    return str(_target_dir() / "debug" / "antonnia-sandbox")


class Sandbox:
    def __init__(self, binary: str, args: List[str]) -> None:
        self.proc = subprocess.Popen(
            [binary, "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line_box: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=lambda: line_box.put(self.proc.stdout.readline() if self.proc.stdout else ""), daemon=True).start()
        try:
            line = line_box.get(timeout=60)
        except queue.Empty:
            self.stop()
            raise RuntimeError("antonnia-sandbox did not announce its address in 60 s")
        match = re.search(r"listening on (\S+)", line)
        if not match:
            self.stop()
            raise RuntimeError(f"unexpected first line from antonnia-sandbox: {line!r}")
        self.base_url = match.group(1)
        assert self.base_url.startswith("http://127.0.0.1:") or self.base_url.startswith("http://localhost:")
        self.token = "sk_test_sandbox"

    def stop(self) -> None:
        stop_process(self.proc)


@pytest.fixture(scope="session")
def sandbox(sandbox_bin: str) -> Iterator[Sandbox]:
    """One shared sandbox for tests that need no webhooks."""
    s = Sandbox(sandbox_bin, ["--time-scale", "0.01"])
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def start_sandbox(sandbox_bin: str) -> Iterator[Callable[..., Sandbox]]:
    """Starts sandboxes with extra arguments; all are stopped after the test."""
    started: List[Sandbox] = []

    def start(*args: str) -> Sandbox:
        s = Sandbox(sandbox_bin, list(args))
        started.append(s)
        return s

    try:
        yield start
    finally:
        for s in started:
            s.stop()


class WebhookSink:
    """An http.server on loopback that records every POST (headers, body)."""

    def __init__(self) -> None:
        self.received: "queue.Queue[Tuple[Dict[str, str], bytes]]" = queue.Queue()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                sink.received.put(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def next(self, timeout: float = 20.0, where: Optional[Callable[[bytes], bool]] = None) -> Tuple[Dict[str, str], bytes]:
        import time

        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no matching webhook arrived")
            headers, body = self.received.get(timeout=left)
            if where is None or where(body):
                return headers, body

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def webhook_sink() -> Iterator[WebhookSink]:
    sink = WebhookSink()
    try:
        yield sink
    finally:
        sink.stop()


def _redis_binary(*names: str) -> List[str]:
    """The redis binaries (Debian's `redis-server` package, with redis-cli,
    installed by scripts/ci/test-relay.sh); skipped when absent unless
    ANTONNIA_REQUIRE_REDIS."""
    import shutil

    found = []
    for name in names:
        env = "REDIS_SERVER_BIN" if name == "redis-server" else "REDIS_CLI_BIN"
        binary = os.environ.get(env) or shutil.which(name) or f"/usr/bin/{name}"
        if not os.path.exists(binary):
            if os.environ.get("ANTONNIA_REQUIRE_REDIS"):
                pytest.fail(f"{name} is missing and ANTONNIA_REQUIRE_REDIS is set")
            pytest.skip(f"{name} is not installed (scripts/ci/test-relay.sh installs it)")
        found.append(binary)
    return found


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port, without persistence."""
    (binary,) = _redis_binary("redis-server")
    server = RedisServer(binary)
    try:
        yield server
    finally:
        server.stop()


def _start_cluster(factory: pytest.TempPathFactory) -> RedisCluster:
    server, cli = _redis_binary("redis-server", "redis-cli")
    os.environ.setdefault("REDIS_CLI_BIN", cli)
    return RedisCluster(server, str(factory.mktemp("redis-cluster")))


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster]:
    """A real Redis Cluster, three masters and three replicas on free loopback
    ports, shared by the tests that leave it whole; every redis-server it
    started is stopped afterwards."""
    cluster = _start_cluster(tmp_path_factory)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def fresh_redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster]:
    """The same, new for one test, which may fail its masters over."""
    cluster = _start_cluster(tmp_path_factory)
    try:
        yield cluster
    finally:
        cluster.stop()


def _start_sentinel(factory: pytest.TempPathFactory) -> RedisSentinel:
    server, cli = _redis_binary("redis-server", "redis-cli")
    os.environ.setdefault("REDIS_CLI_BIN", cli)
    return RedisSentinel(server, str(factory.mktemp("redis-sentinel")))


@pytest.fixture(scope="session")
def redis_sentinel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisSentinel]:
    """A real Redis Sentinel deployment (a master, a replica, three sentinels
    with quorum 2) on free loopback ports, shared by the tests that leave it
    whole; every server and sentinel it started is stopped afterwards."""
    sentinel = _start_sentinel(tmp_path_factory)
    try:
        yield sentinel
    finally:
        sentinel.stop()


@pytest.fixture
def fresh_redis_sentinel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisSentinel]:
    """The same, new for one test, which may fail its master over."""
    sentinel = _start_sentinel(tmp_path_factory)
    try:
        yield sentinel
    finally:
        sentinel.stop()
