"""Knowing the families costs no startup time: torch loads with the first model, not before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_importing_the_families_and_the_loader_does_not_import_torch() -> None:
    code = (
        "import sys, sdstudio.engine.models.families, sdstudio.engine.models.loading; "
        "print('torch' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "False"
