"""Prints every shared vector (tests/fixtures/*.json) against every language
that replayed it, and fails on any divergence.

Each language's test run appends one JSON line per vector to
``$PARITY_DIR/<language>.jsonl``: ``{"file": "requests.json", "name": ..., "ok": true}``
(see scripts/ci/parity.sh for how each is produced; Kotlin's is
bindings-uniffi/kotlin/tests/Vectors.kt). A vector that failed in
any language, or that a language did not replay at all, is a divergence.

    python3 scripts/parity.py PARITY_DIR [--all]   # --all prints every row, not only the summary and divergences
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
        if isinstance(doc, dict) and "vectors" in doc:
            out.extend((path.name, v["name"]) for v in doc["vectors"])
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
    width = max(len(f"{f}:{n}") for f, n in every)
    header = f"{'vector'.ljust(width)}  " + "  ".join(lang.ljust(6) for lang in languages)
    print(header)
    print("-" * len(header))
    diverging = 0
    for file, name in every:
        marks = []
        for lang in languages:
            ok = table[lang].get((file, name))
            marks.append(("pass" if ok else "FAIL" if ok is not None else "MISSING").ljust(6))
        bad = any(m.strip() != "pass" for m in marks)
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
    print(f"\n{total} vectors x {len(languages)} languages ({', '.join(languages)}): {diverging} diverging")
    print(f"{total * len(languages) - sum(1 for lang in languages for k in every if not table[lang].get(k))} passed, "
          f"{sum(1 for lang in languages for k in every if not table[lang].get(k))} failed")
    return 1 if diverging else 0


if __name__ == "__main__":
    sys.exit(main())
