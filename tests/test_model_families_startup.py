"""Knowing the families costs no startup time: torch loads with the first model, not before."""

from __future__ import annotations

from tests.helpers import libraries_loaded_by


def test_importing_the_families_and_the_loader_does_not_import_torch() -> None:
    imports = "import sdstudio.engine.models.families, sdstudio.engine.models.loading"

    assert libraries_loaded_by(imports, {"torch"}) == []
