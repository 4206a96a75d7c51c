"""Benchmarks of antonnia_sdk, side by side with the vendor's packages.

    pip install ./bindings-python                            # release build
    pip install antonnia-conversations antonnia-events      # the vendor's, for comparison only
    python bindings-python/bench/bench.py [--wheel PATH] [--markdown]

Figures (median of several repeats; lower is better):
1. parse the 410-byte ``message.created`` webhook (tests/fixtures/message_created_410.json);
2. request build + response parse per call, without I/O;
3. a full call against antonnia-sandbox over loopback HTTP vs a raw httpx call
   with json.loads (the SDK's overhead over the bare transport);
4. import time; 5. wheel size.
The sandbox is $ANTONNIA_SANDBOX_BIN or built with cargo; figure 3 is skipped
when neither is available.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import httpx

import antonnia_sdk
from antonnia_sdk import _core, webhooks

ROOT = Path(__file__).resolve().parents[2]
BODY = (ROOT / "tests" / "fixtures" / "message_created_410.json").read_bytes()
assert len(BODY) == 410

try:
    from antonnia.conversations.types import Message as VendorMessage
    from antonnia.events import Event as VendorEvent  # type: ignore[attr-defined]
    from pydantic import TypeAdapter

    VENDOR_EVENT = TypeAdapter(VendorEvent)
    HAVE_VENDOR = True
except ImportError:  # pragma: no cover
    HAVE_VENDOR = False


def per_call(fn: Callable[[], Any], repeat: int = 7, min_time: float = 0.2) -> float:
    """Seconds per call: the best of `repeat` runs of an auto-sized loop (the
    minimum is the estimate least disturbed by other work on a shared VM)."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(number, int(number * min_time / 0.2))
    runs = timer.repeat(repeat=repeat, number=number)
    return min(runs) / number


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} µs"


Row = Tuple[str, str, str, str]


def bench_webhook() -> List[Row]:
    rows: List[Row] = []
    ours = per_call(lambda: webhooks.parse(BODY, verify=False))
    ours_access = per_call(lambda: webhooks.parse(BODY, verify=False).data.object.content.text)
    if HAVE_VENDOR:
        vendor = per_call(lambda: VENDOR_EVENT.validate_json(BODY))
        vendor_access = per_call(lambda: VENDOR_EVENT.validate_json(BODY).data.object.content.text)
        rows.append(("parse 410-byte message.created", us(ours), us(vendor), f"{vendor / ours:.1f}× faster"))
        rows.append(
            ("… and read data.object.content.text", us(ours_access), us(vendor_access), f"{vendor_access / ours_access:.1f}× faster")
        )
    else:
        rows.append(("parse 410-byte message.created", us(ours), "–", "–"))
    return rows


MESSAGE_BODY = json.dumps(json.loads(BODY)["data"]["object"]).encode()


def bench_build_parse() -> List[Row]:
    config = _core.Config("sk_test_bench", "https://api.antonnia.test/conversations/v2/api/v1")
    args = {"session_id": "sess_01JH8Z5K2M", "content": {"type": "text", "text": "Hello"}, "role": "user", "provider_message_id": "ext_1"}

    def ours() -> Any:
        call = _core.Call("messages.create", args)
        call.build(config)
        return call.parse(200, MESSAGE_BODY)

    rows: List[Row] = []
    t_ours = per_call(ours)
    if HAVE_VENDOR:
        url = "https://api.antonnia.test/conversations/v2/api/v1/sessions/sess_01JH8Z5K2M/messages"
        headers = {"Authorization": "Bearer sk_test_bench", "Content-Type": "application/json"}

        def vendor() -> Any:
            # What the vendor's messages.create does around the transport:
            # httpx request with json=payload, then Message(**response.json()).
            httpx.Request("POST", url, json=dict(args), headers=headers)
            return VendorMessage(**json.loads(MESSAGE_BODY))

        t_vendor = per_call(vendor)
        rows.append(("messages.create: build request + parse response", us(t_ours), us(t_vendor), f"{t_vendor / t_ours:.1f}× faster"))
    else:
        rows.append(("messages.create: build request + parse response", us(t_ours), "–", "–"))
    return rows


def sandbox_binary() -> Optional[str]:
    if os.environ.get("ANTONNIA_SANDBOX_BIN"):
        return os.environ["ANTONNIA_SANDBOX_BIN"]
    if not (ROOT / "tests" / "sandbox" / "Cargo.toml").exists():
        return None
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "antonnia-sandbox"], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return str(target / "release" / "antonnia-sandbox")


def bench_full_call() -> List[Row]:
    binary = sandbox_binary()
    if binary is None:
        return [("sessions.get over loopback HTTP vs raw httpx + json.loads", "skipped: no sandbox", "", "")]
    proc = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        match = re.search(r"listening on (\S+)", proc.stdout.readline())
        assert match, "sandbox did not announce its address"
        base = match.group(1)
        token = "sk_test_sandbox"
        with antonnia_sdk.Client(token, base_url=base) as client, httpx.Client() as raw:
            sid = client.sessions.create(contact_id="bench", contact_name="Bench", metadata={"a": "b"}).id
            url = f"{base}/sessions/{sid}"
            headers = {"authorization": f"Bearer {token}", "accept": "application/json"}

            def sdk() -> Any:
                return client.sessions.get(sid).id

            def bare() -> Any:
                r = raw.get(url, headers=headers)
                r.raise_for_status()
                return json.loads(r.content)["id"]

            # Short rounds, alternating which goes first, so that drift on the
            # machine hits both alike; the ratio is the median of the rounds' ratios.
            t_sdk: List[float] = []
            t_raw: List[float] = []
            ratios: List[float] = []
            for i in range(25):
                pair = [(sdk, t_sdk), (bare, t_raw)]
                for fn, out in pair if i % 2 == 0 else pair[::-1]:
                    out.append(timeit.timeit(fn, number=200) / 200)
                ratios.append(t_sdk[-1] / t_raw[-1])
            a, b = statistics.median(t_sdk), statistics.median(t_raw)
            ratio = statistics.median(ratios)
            return [("sessions.get over loopback HTTP (SDK vs raw httpx + json.loads)", us(a), us(b), f"{ratio:.3f}× the raw call")]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def import_time(statement: str, runs: int = 15) -> float:
    def once(code: str) -> float:
        out = subprocess.run(
            [sys.executable, "-c", f"import time; t=time.perf_counter(); {code}; print(time.perf_counter()-t)"],
            capture_output=True,
            text=True,
            check=True,
        )
        return float(out.stdout.strip())

    return statistics.median(once(statement) for _ in range(runs))


def bench_import() -> List[Row]:
    ours = import_time("import antonnia_sdk")
    if HAVE_VENDOR:
        vendor = import_time("import antonnia.conversations, antonnia.events")
        return [("import time (cold process)", f"{ours * 1e3:.1f} ms", f"{vendor * 1e3:.1f} ms", f"{vendor / ours:.1f}× faster")]
    return [("import time (cold process)", f"{ours * 1e3:.1f} ms", "–", "–")]


def bench_wheel(wheel: Optional[str]) -> List[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        if wheel is None:
            subprocess.run(
                [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp, str(ROOT / "bindings-python")], check=True
            )
            wheel = str(next(Path(tmp).glob("antonnia_sdk-*.whl")))
        ours = Path(wheel).stat().st_size
        vendor_note = "–"
        try:
            vendor_dir = Path(tmp) / "vendor"
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(vendor_dir),
                 "antonnia-conversations", "antonnia-events", "pydantic", "pydantic-core"],
                check=True,
                capture_output=True,
            )
            sizes = {p.name.split("-")[0]: p.stat().st_size for p in vendor_dir.glob("*.whl")}
            own = sum(v for k, v in sizes.items() if k.startswith("antonnia"))
            deps = sum(v for k, v in sizes.items() if k.startswith("pydantic"))
            vendor_note = f"{own / 1024:.0f} KiB + pydantic / pydantic-core {deps / 1024:.0f} KiB"
        except subprocess.CalledProcessError:
            pass
        return [(f"wheel size ({Path(wheel).name})", f"{ours / 1024:.0f} KiB", vendor_note, "one abi3 wheel for Python ≥ 3.9")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheel", help="a built wheel to measure instead of building one")
    parser.add_argument("--skip-wheel", action="store_true")
    args = parser.parse_args()
    if not HAVE_VENDOR:
        print("note: antonnia-conversations / antonnia-events are not installed; vendor columns are empty", file=sys.stderr)
    rows: List[Row] = []
    for part in (bench_webhook, bench_build_parse, bench_full_call, bench_import):
        rows.extend(part())
    if not args.skip_wheel:
        rows.extend(bench_wheel(args.wheel))
    print(f"antonnia_sdk {antonnia_sdk.__version__}, Python {sys.version.split()[0]}")
    print("| operation | antonnia_sdk | vendor (antonnia-conversations 2.0.42 + antonnia-events 1.0.8) | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
