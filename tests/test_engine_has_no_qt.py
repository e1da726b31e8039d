"""The engine stays usable without Qt: no module under sdstudio/engine imports it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import sdstudio.engine

ENGINE_DIR = Path(sdstudio.engine.__file__).parent
QT_PACKAGES = {"PySide6", "qasync", "shiboken6", "PyQt5", "PyQt6"}


def _imported_top_level_packages(source: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_engine_source_imports_qt() -> None:
    offenders = [
        str(path.relative_to(ENGINE_DIR))
        for path in ENGINE_DIR.rglob("*.py")
        if _imported_top_level_packages(path) & QT_PACKAGES
    ]
    assert offenders == []


def test_importing_every_engine_module_loads_no_qt() -> None:
    modules = sorted(
        "sdstudio.engine." + ".".join(path.relative_to(ENGINE_DIR).with_suffix("").parts)
        for path in ENGINE_DIR.rglob("*.py")
        if path.name != "__init__.py"
    )
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(set(m.split('.')[0] for m in sys.modules) & {QT_PACKAGES!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
