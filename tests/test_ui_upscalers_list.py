"""The upscaler models as the window lists them: in Model ▸ Upscalers… with scale and
architecture (spandrel's), in the hires section's list, and a file that cannot be used
listed with its reason but not offered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from sdstudio.engine.paths import upscalers_dir
from sdstudio.engine.upscalers import available_upscalers
from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.upscale.list_dialog import ARCHITECTURE, NAME, NOTES, SCALE
from tests.random_esrgan import save_random_esrgan
from tests.ui_support import WAIT_MS, shown_window

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
MODEL = "list-tiny-esrgan"
DAMAGED = "list-damaged"


@pytest.fixture
def model_files() -> Iterator[tuple[Path, Path]]:
    """A random-weight ESRGAN and a damaged file in the upscalers folder (shared by the
    run's tests, so they are taken away again)."""
    model = save_random_esrgan(upscalers_dir(), MODEL)
    damaged = upscalers_dir() / f"{DAMAGED}.pth"
    damaged.write_bytes(b"half a download")
    yield model, damaged
    model.unlink(missing_ok=True)
    damaged.unlink(missing_ok=True)


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    return shown_window(qtbot, tmp_path / "out")


def rows_of(window: MainWindow, qtbot) -> dict[str, list[str]]:
    window.window_actions.upscalers.trigger()
    dialog = window.upscaling.list_dialog
    qtbot.waitUntil(lambda: dialog.refresh_button.isEnabled(), timeout=WAIT_MS)
    items = [dialog.list.topLevelItem(row) for row in range(dialog.list.topLevelItemCount())]
    return {item.text(NAME): item for item in items}


def test_the_list_shows_a_model_with_its_scale_and_architecture(qtbot, window, model_files) -> None:
    rows = rows_of(window, qtbot)

    model = rows[MODEL]
    assert (model.text(SCALE), model.text(ARCHITECTURE)) == ("4×", "ESRGAN")
    assert model.text(NOTES) == f"{MODEL}.safetensors"
    assert rows["Lanczos"].text(SCALE) == "any"
    assert window.upscaling.list_dialog.objectName() == "upscalersDialog"


def test_a_damaged_file_is_listed_with_its_reason(qtbot, window, model_files) -> None:
    rows = rows_of(window, qtbot)

    damaged = rows[DAMAGED]
    (listed,) = [info for info in available_upscalers() if info.name == DAMAGED]
    assert damaged.isDisabled()
    assert damaged.text(NOTES) == f"cannot be used: {listed.problem}"
    assert listed.problem.startswith(f"{DAMAGED}.pth ")
    assert "1 that cannot be used" in window.upscaling.list_dialog.status.text()


def test_a_file_added_later_appears_on_refresh(qtbot, window, model_files) -> None:
    rows = rows_of(window, qtbot)
    assert "list-later" not in rows
    later = save_random_esrgan(upscalers_dir(), "list-later")
    try:
        dialog = window.upscaling.list_dialog
        qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.refresh_button.isEnabled(), timeout=WAIT_MS)
        names = [
            dialog.list.topLevelItem(row).text(NAME)
            for row in range(dialog.list.topLevelItemCount())
        ]
        assert "list-later" in names
    finally:
        later.unlink()


def test_turning_the_hires_fix_on_offers_the_models(qtbot, window, model_files) -> None:
    hires = window.controls.hires
    combo = hires.upscaler_combo

    qtbot.keyClick(hires, Qt.Key.Key_Space)  # the user checks "Hires fix"
    qtbot.waitUntil(lambda: combo.findData(MODEL) >= 0, timeout=WAIT_MS)

    assert combo.itemText(combo.findData(MODEL)) == f"{MODEL} (4×, ESRGAN)"
    damaged = combo.findData(DAMAGED)
    assert not combo.model().item(damaged).isEnabled()
    tip = combo.itemData(damaged, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(f"{DAMAGED}.pth cannot be used: {DAMAGED}.pth ")
    combo.setCurrentIndex(combo.findData(MODEL))
    assert window.current_request().hires_upscaler == MODEL
