"""spandrel imports whether torchvision works or not: a broken torchvision is stood in for only
while spandrel imports; a working one is used as it is; a missing spandrel says how to
install it, and Pillow's upscalers go on working without it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.upscalers import upscale
from tests.random_esrgan import random_picture

REPOSITORY = Path(__file__).resolve().parents[1]

BROKEN_TORCHVISION = """
import sys

class BrokenTorchvision:
    '''What a torchvision built for another torch does: it fails while importing.'''

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "torchvision":
            raise RuntimeError("operator torchvision::nms does not exist")
        return None

sys.meta_path.insert(0, BrokenTorchvision())
"""

WORKING_TORCHVISION = {
    "torchvision/__init__.py": "",
    "torchvision/transforms/__init__.py": "",
    "torchvision/transforms/functional.py": "InterpolationMode = 'mode'\n"
    "def rotate(*args, **kwargs): return 'rotated by torchvision'\n"
    "def normalize(*args, **kwargs): return 'normalized by torchvision'\n",
}


def _run(script: str, path: Path | None = None) -> subprocess.CompletedProcess[str]:
    python_path = [str(REPOSITORY), *([str(path)] if path else [])]
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(python_path)},
        cwd=REPOSITORY,
    )


def test_a_broken_torchvision_leaves_nothing_behind_and_fails_only_when_called() -> None:
    result = _run(
        BROKEN_TORCHVISION
        + """
import importlib
from sdstudio.engine.upscalers.spandrel_import import import_spandrel

spandrel = import_spandrel()
print("left:", sorted(name for name in sys.modules if name.startswith("torchvision")))
lama = importlib.import_module("spandrel.architectures.LaMa.__arch.LaMa")
try:
    lama.rotate(None, None, lama.InterpolationMode.BILINEAR)
except Exception as error:
    print("called:", error)
"""
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "left: []"
    assert lines[1].startswith("called: This upscaler architecture needs torchvision")


def test_a_working_torchvision_is_used_as_it_is(tmp_path: Path) -> None:
    for name, text in WORKING_TORCHVISION.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = _run(
        """
import importlib, sys
from sdstudio.engine.upscalers.spandrel_import import import_spandrel

import_spandrel()
lama = importlib.import_module("spandrel.architectures.LaMa.__arch.LaMa")
print(lama.rotate())
print(sys.modules["torchvision"].__file__)
""",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "rotated by torchvision",
        str(tmp_path / "torchvision" / "__init__.py"),
    ]


def test_without_spandrel_a_model_asks_for_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "spandrel", None)  # Python's way to make an import fail
    model = tmp_path / "4x-some-model.safetensors"
    model.write_bytes(b"{}")
    with pytest.raises(UserFacingError, match=r'pip install "sdstudio\[upscalers\]"'):
        upscale(random_picture(8, 8), str(model), 4, device="cpu")


def test_without_spandrel_lanczos_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spandrel", None)
    assert upscale(random_picture(8, 8), "Lanczos", 3).size == (24, 24)
