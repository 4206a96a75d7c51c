"""What ``mypy --strict`` tells a user: an enum typo is an error, the right
values are not."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Dict

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def run_mypy(files: Dict[str, str], tmp_path: Path) -> Dict[str, str]:
    """mypy --strict over each named source; its report per file ("" when clean)."""
    paths = {}
    for name, source in files.items():
        # Unique module names: mypy's cache (shared, for speed) would otherwise
        # answer for an earlier file of the same module name and content.
        path = tmp_path / f"{name}_{uuid.uuid4().hex[:12]}.py"
        path.write_text(source)
        paths[name] = path
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--hide-error-context", *map(str, paths.values())],
        cwd=PACKAGE_ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):
        pytest.fail(f"mypy crashed: {proc.stderr}{proc.stdout}")
    return {name: "\n".join(line for line in proc.stdout.splitlines() if line.startswith(str(path))) for name, path in paths.items()}


CALLS = """
from antonnia_sdk import AsyncClient, Client, channel

def use(client: Client) -> None:
    client.sessions.create(contact_id="u", contact_name="n", status={status!r})
    client.sessions.search(status={status!r})
    client.sessions.messages.create("s", {{"type": "text", "text": "hi"}}, role={role!r})
    client.sessions.messages.search(role={role!r})
    client.sessions.messages.update("s", "m", delivery_status={delivery!r})
    client.agents.create(name="n", type={agent!r}, assistant_id="a")
    client.agents.search(type={agent!r})
    channel.delivery_fields({report!r})

async def use_async(client: AsyncClient) -> None:
    await client.sessions.create(contact_id="u", contact_name="n", status={status!r})
    async for agent in client.agents.iter_search(type={agent!r}, max_items=3):
        print(agent)
"""

GOOD = dict(status="open", role="assistant", delivery="delivered", agent="human", report="read")
TYPOS = dict(status="opne", role="asistant", delivery="deliverd", agent="bot", report="sen")


def test_enum_typos_fail_mypy_and_the_right_values_pass(tmp_path: Path) -> None:
    sources = {"good": textwrap.dedent(CALLS.format(**GOOD))}
    for name, typo in TYPOS.items():
        sources[f"typo_{name}"] = textwrap.dedent(CALLS.format(**{**GOOD, name: typo}))
    reports = run_mypy(sources, tmp_path)
    assert reports["good"] == ""
    for name, typo in TYPOS.items():
        report = reports[f"typo_{name}"]
        assert f"Literal['{typo}']" in report and "[arg-type]" in report, (name, report)


def test_delivery_fields_are_a_typed_dict_for_messages_update(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """
        from antonnia_sdk import Client, channel

        def report(client: Client) -> None:
            fields = channel.sent("wamid.1")
            status: str = fields["delivery_status"]
            client.sessions.messages.update("s", "m", **fields)
            fields["delivery_statuss"]
        """
    )
    report = run_mypy({"fields": source}, tmp_path)["fields"]
    # Only the misspelt key is an error: the TypedDict unpacks into the call.
    assert report.count("error:") == 1 and "delivery_statuss" in report, report
