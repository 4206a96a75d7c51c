"""Generates python/antonnia_sdk/_sync_client.py from _async_client.py.

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
]


def generate() -> str:
    text = (PKG / "_async_client.py").read_text()
    for pattern, repl in RULES:
        text = re.sub(pattern, repl, text, flags=re.M)
    return text


def main() -> int:
    target = PKG / "_sync_client.py"
    text = generate()
    if "--check" in sys.argv:
        if not target.exists() or target.read_text() != text:
            print(f"{target} is stale: run python scripts/unasync.py", file=sys.stderr)
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
