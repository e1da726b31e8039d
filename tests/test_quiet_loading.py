"""Loading a model prints nothing the user cannot act on: no advice to install torchvision,
no "Loading pipeline components" or weights progress bars (the CLI prints its own lines)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# What transformers' and diffusers' noise looks like when it is let through.
NOISE = ("torchvision", "Loading", "it/s", "%|", "█", "FutureWarning")


def run(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    """A fresh process (libraries warn once per process) with this test's SDSTUDIO_HOME,
    whose models folder is the run's shared one (tests/conftest.py)."""
    return subprocess.run([sys.executable, *arguments], capture_output=True, text=True, timeout=240)


def assert_quiet(stderr: str) -> None:
    assert [word for word in NOISE if word in stderr] == [], stderr


def test_demo_path_on_a_fresh_home_prints_only_the_folder(sdstudio_home: Path) -> None:
    result = run(["-m", "sdstudio", "demo", "--path"])
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip(), "model_index.json").is_file()
    assert_quiet(result.stderr)


def test_generating_from_the_cli_loads_the_model_quietly(
    sdstudio_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "circle.png"
    result = run(
        ["-m", "sdstudio", "generate", "--prompt", "a red circle", "--seed", "3"]
        + ["--steps", "1", "--scheduler", "euler a", "--out", str(out)]
    )
    assert result.returncode == 0, result.stderr
    assert out.is_file()
    assert_quiet(result.stderr)


def test_the_window_s_model_loading_is_quiet(sdstudio_home: Path) -> None:
    """The worker thread loads through switch_model; here it runs alone, without Qt."""
    script = (
        "from sdstudio.engine.models.loading import switch_model\n"
        "model = switch_model(None, 'demo', 'cpu')\n"
        "print(model.default_size)\n"
    )
    result = run(["-c", script])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "128"
    assert_quiet(result.stderr)
