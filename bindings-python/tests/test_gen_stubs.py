"""The model classes' stubs are generated from the Rust table they are built from."""

import importlib.util
import inspect
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from antonnia_sdk import _core

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "gen_stubs.py"


def _gen_stubs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_stubs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_core_pyi_is_current() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_regenerate_replaces_only_the_marked_region() -> None:
    gen = _gen_stubs()
    text = f"def by_hand() -> int: ...\n{gen.BEGIN}\nclass Stale: ...\n{gen.END}\nafter: int\n"
    out = gen.regenerate(text, "class Fresh: ...\n")
    assert out == f"def by_hand() -> int: ...\n{gen.BEGIN}\nclass Fresh: ...\n{gen.END}\nafter: int\n"


def test_regenerate_refuses_a_file_without_markers() -> None:
    gen = _gen_stubs()
    with pytest.raises(SystemExit):
        gen.regenerate("class Session: ...\n", "class Session: ...\n")


@pytest.mark.parametrize("cls", [_core.Session, _core.Message, _core.MessageContentText, _core.AIAgent, _core.Event])
def test_every_attribute_is_in_the_stubs_with_its_doc(cls: type) -> None:
    stubs = _core._model_stubs()
    block = re.split(rf"\nclass {cls.__name__}\b", stubs, maxsplit=1)[1].split("\n@", 1)[0]
    own = [name for name, value in vars(cls).items() if inspect.isgetsetdescriptor(value)]
    assert own, cls
    for name in own:
        doc = getattr(cls, name).__doc__
        assert doc, f"{cls.__name__}.{name} has no doc"
        assert f"    def {name}(self) -> " in block, name
        assert doc.splitlines()[0].strip() in block, name
