"""Prints every shared vector (tests/fixtures/*.json) against every language
that replayed it, and fails on any divergence. A file's ``scenarios`` (the
store conformance suite, relay_store.json) count as its vectors.

Each language's test run appends one JSON line per vector to
``$PARITY_DIR/<language>.jsonl``: ``{"file": "requests.json", "name": ..., "ok": true}``
(see scripts/ci/parity.sh for how each is produced; Kotlin's is
bindings-uniffi/kotlin/tests/Vectors.kt). A vector that failed in
any language, or that a language did not replay at all, is a divergence.

    python3 scripts/parity.py PARITY_DIR [--all]   # --all prints every row, not only the summary and divergences

A fixture file may list ``"languages": [...]``: only those must replay it
(a feature not built in every binding, e.g. relay_store.json, which the core
has no store to replay); another language that does not is shown as ``n/a``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict, List, Tuple

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def vectors() -> List[Tuple[str, str]]:
    out: List[Tuple[str, str]] = []
    for path in sorted(FIXTURES.glob("*.json")):
        doc = json.loads(path.read_text())
        if isinstance(doc, dict):
            for key in ("vectors", "scenarios"):
                out.extend((path.name, v["name"]) for v in doc.get(key, []))
    return out


def required() -> Dict[str, List[str]]:
    """The files that name which languages must replay them."""
    out: Dict[str, List[str]] = {}
    for path in sorted(FIXTURES.glob("*.json")):
        doc = json.loads(path.read_text())
        if isinstance(doc, dict) and isinstance(doc.get("languages"), list):
            out[path.name] = list(doc["languages"])
    return out


def results(directory: Path) -> Dict[str, Dict[Tuple[str, str], bool]]:
    by_language: Dict[str, Dict[Tuple[str, str], bool]] = {}
    for path in sorted(directory.glob("*.jsonl")):
        seen: Dict[Tuple[str, str], bool] = {}
        for line in path.read_text().splitlines():
            r = json.loads(line)
            key = (r["file"], r["name"])
            # A vector replayed twice counts as passed only if it passed every time.
            seen[key] = seen.get(key, True) and bool(r["ok"])
        by_language[path.stem] = seen
    return by_language


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    every = vectors()
    table = results(Path(sys.argv[1]))
    if not table:
        print(f"no results in {sys.argv[1]}", file=sys.stderr)
        return 1
    languages = sorted(table)
    only = required()
    width = max(len(f"{f}:{n}") for f, n in every)
    header = f"{'vector'.ljust(width)}  " + "  ".join(lang.ljust(6) for lang in languages)
    print(header)
    print("-" * len(header))
    diverging = 0
    for file, name in every:
        marks = []
        for lang in languages:
            ok = table[lang].get((file, name))
            optional = file in only and lang not in only[file]
            marks.append(("pass" if ok else "FAIL" if ok is not None else "n/a" if optional else "MISSING").ljust(6))
        bad = any(m.strip() not in ("pass", "n/a") for m in marks)
        diverging += bad
        if bad or "--all" in sys.argv:
            print(f"{f'{file}:{name}'.ljust(width)}  " + "  ".join(marks))
    print()
    for file in sorted({f for f, _ in every}):
        names = [n for f, n in every if f == file]
        counts = "  ".join(
            f"{lang} {sum(1 for n in names if table[lang].get((file, n)))}/{len(names)}" for lang in languages
        )
        print(f"{file.ljust(16)} {counts}")
    total = len(every)
    due = [(lang, k) for lang in languages for k in every if not (k[0] in only and lang not in only[k[0]])]
    failed = sum(1 for lang, k in due if not table[lang].get(k))
    print(f"\n{total} vectors x {len(languages)} languages ({', '.join(languages)}): {diverging} diverging")
    print(f"{len(due) - failed} passed, {failed} failed" + (f", {len(languages) * total - len(due)} not due" if len(due) < len(languages) * total else ""))
    return 1 if diverging else 0


if __name__ == "__main__":
    sys.exit(main())
