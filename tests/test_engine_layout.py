"""The engine's folders show its architecture: few loose files, each idea in a named package."""

from __future__ import annotations

from pathlib import Path

import sdstudio.engine

ENGINE = Path(sdstudio.engine.__file__).parent
MAX_LOOSE_FILES = 8


def test_the_engine_top_level_keeps_at_most_eight_files() -> None:
    loose = sorted(path.name for path in ENGINE.glob("*.py"))
    assert len(loose) <= MAX_LOOSE_FILES, loose


def test_each_engine_package_says_what_it_is_for() -> None:
    packages = [path.parent for path in ENGINE.rglob("__init__.py")]
    undocumented = [
        str(package.relative_to(ENGINE))
        for package in packages
        if not (package / "__init__.py").read_text(encoding="utf-8").lstrip().startswith('"""')
    ]
    assert undocumented == []
