"""Generates python/antonnia_sdk/_sync_client.py from _async_client.py, and
_sync_relay.py from _async_relay.py.

    python scripts/unasync.py           # rewrite the file
    python scripts/unasync.py --check   # exit 1 if it is stale (run by the tests)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "python" / "antonnia_sdk"

RULES = [
    (r"\"\"\"The asynchronous client, on ``httpx.AsyncClient``\.\n\n``_sync_client.py`` is generated from this file by ``scripts/unasync.py``\n\(``tests/test_unasync.py`` checks that it is current\): edit this one\.",
     '"""The synchronous client, on ``httpx.Client``.\n\nGENERATED from ``_async_client.py`` by ``scripts/unasync.py``: do not edit.'),
    (r"^import random\n", "import random\nimport time\n"),
    (r"    import asyncio  # deferred: [^\n]*\n\n    await asyncio\.sleep\(seconds\)", "    time.sleep(seconds)"),
    (r"\basync def __aenter__", "def __enter__"),
    (r"\basync def __aexit__", "def __exit__"),
    (r"\.aclose\(\)", ".close()"),
    (r"\basync def\b", "def"),
    (r"\basync for\b", "for"),
    (r"\basync with\b", "with"),
    (r"\.aiter_bytes\(", ".iter_bytes("),
    (r"\bawait ", ""),
    (r"\bAsync([A-Z]\w*)", r"\1"),
    (r"\bAwaitable\[(\w+)\]", r"\1"),
    (r", Awaitable, ", ", "),
]


# The relay keeps the names for its async classes (ChannelRelay,
# MemoryStore, RedisStore); their sync twins take a Sync prefix.
RELAY_RULES = [
    (r"\"\"\"The asynchronous channel relay and its stores\.\n\n``_sync_relay.py`` is generated from this file by ``scripts/unasync.py``\n\(``tests/test_unasync.py`` checks that it is current\): edit this one\.",
     '"""The synchronous channel relay and its stores.\n\nGENERATED from ``_async_relay.py`` by ``scripts/unasync.py``: do not edit.'),
    (r"^import secrets\n", "import secrets\nimport time\n"),
    (r"    import asyncio  # deferred: [^\n]*\n\n    await asyncio\.sleep\(seconds\)", "    time.sleep(seconds)"),
    (r"\bredis\.asyncio\b", "redis"),
    (r"\bredis_lib\.Redis\b", "redis_lib.Redis"),
    (r"\.aclose\(\)", ".close()"),
    (r"\b(ChannelRelay|MemoryStore|RedisStore)\b", r"Sync\1"),
    (r"\b_async_client\b", "_sync_client"),
]

TARGETS = [
    ("_async_client.py", "_sync_client.py", []),
    ("_async_relay.py", "_sync_relay.py", RELAY_RULES),
]


def generate(source: str = "_async_client.py", extra: list = []) -> str:
    text = (PKG / source).read_text()
    for pattern, repl in extra + RULES:
        text = re.sub(pattern, repl, text, flags=re.M)
    return text


def main() -> int:
    stale = False
    for source, target_name, extra in TARGETS:
        target = PKG / target_name
        text = generate(source, extra)
        if "--check" in sys.argv:
            if not target.exists() or target.read_text() != text:
                print(f"{target} is stale: run python scripts/unasync.py", file=sys.stderr)
                stale = True
            continue
        target.write_text(text)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
