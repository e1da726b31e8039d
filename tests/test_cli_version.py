"""``sdstudio --version`` prints the installed version and exits 0, without loading torch."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pytest

import sdstudio
from sdstudio.cli import main


def test_version_prints_the_installed_version_and_exits_0() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sdstudio", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"sdstudio {importlib.metadata.version('sdstudio')}\n"
    assert result.stderr == ""


def test_version_does_not_import_torch() -> None:
    script = (
        "import sys\n"
        "from sdstudio.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit as stop:\n"
        "    assert stop.code in (0, None), stop.code\n"
        "print(sorted({'torch', 'diffusers', 'transformers', 'PySide6'} & set(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_without_package_metadata_the_source_version_is_printed(monkeypatch, capsys) -> None:
    """A source tree or a frozen bundle may carry no metadata: the package says its version."""

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code in (0, None)
    assert capsys.readouterr().out == f"sdstudio {sdstudio.__version__}\n"
