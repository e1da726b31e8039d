"""TAESD previews without usable weights: one readable message, then latent previews for good."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton

from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.preferences.taesd_fallback import SHORT_MESSAGE
from sdstudio.ui.settings_store import SettingsStore
from sdstudio.ui.worker_events import Notice, StepPreview
from tests.ui_support import generate_and_wait, make_window

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the message box, offscreen


class _Seen:
    """What the user is told while the window runs."""

    def __init__(self, window: MainWindow) -> None:
        self.errors: list[str] = []
        self.notices: list[str] = []
        self.previews = 0
        self.fallbacks: list[str] = []
        window.state.error.connect(self.errors.append)
        window.worker.on(Notice, lambda event: self.notices.append(event.text))
        window.worker.on(StepPreview, lambda _event: self._preview())
        window.taesd_fallback.fellBack.connect(self.fallbacks.append)

    def _preview(self) -> None:
        self.previews += 1

    def clear(self) -> None:
        self.errors.clear()
        self.notices.clear()
        self.previews = 0


def _choose_taesd(window: MainWindow) -> None:
    combo = window.controls.preview_combo
    combo.setCurrentIndex(combo.findData("taesd"))


def _box(window: MainWindow) -> QMessageBox:
    box = window.findChild(QMessageBox, "taesdFallbackBox")
    assert box is not None and box.isVisible()
    return box


def test_missing_weights_switch_to_latent_previews_once(qtbot, demo_model, tmp_path) -> None:
    window = make_window(qtbot, demo_model, tmp_path / "out")
    seen = _Seen(window)
    _choose_taesd(window)
    generate_and_wait(qtbot, window)

    assert window.controls.preview_kind() == "latent"
    assert seen.errors == [SHORT_MESSAGE]
    assert len(seen.fallbacks) == 1 and seen.previews > 0  # this run had latent previews
    box = _box(window)
    assert "Set the TAESD weights in Preferences…" in box.text()
    assert "TAESD preview needs TAESD weights" in box.informativeText()  # the full reason
    assert str(Path("models") / "taesd") in box.informativeText()
    assert SettingsStore().control_values().preview == "latent"  # stored at once

    seen.clear()
    generate_and_wait(qtbot, window)
    assert (seen.errors, seen.notices, len(seen.fallbacks)) == ([], [], 1)
    assert seen.previews > 0


def test_the_next_session_starts_with_latent_previews(qtbot, demo_model, tmp_path) -> None:
    first = make_window(qtbot, demo_model, tmp_path / "out")
    _choose_taesd(first)
    generate_and_wait(qtbot, first)
    assert first.close()

    second = make_window(qtbot, demo_model, tmp_path / "out")
    seen = _Seen(second)
    assert second.controls.preview_kind() == "latent"
    generate_and_wait(qtbot, second)
    assert (seen.errors, seen.notices, seen.fallbacks) == ([], [], [])


def test_weights_that_do_not_load_fall_back_from_the_jobs_notice(
    qtbot, demo_model, tmp_path
) -> None:
    broken = tmp_path / "broken-taesd"
    broken.mkdir()
    (broken / "config.json").write_text("{}")  # looks like weights, has none
    SettingsStore().set_taesd_path("taesd", str(broken))
    window = make_window(qtbot, demo_model, tmp_path / "out")
    seen = _Seen(window)
    _choose_taesd(window)
    generate_and_wait(qtbot, window)

    assert len(seen.notices) == 1 and "Could not load TAESD weights" in seen.notices[0]
    assert window.controls.preview_kind() == "latent"
    assert seen.errors == [SHORT_MESSAGE]
    assert f"Could not load TAESD weights from {broken}" in _box(window).informativeText()

    seen.clear()
    generate_and_wait(qtbot, window)
    assert (seen.errors, seen.notices, len(seen.fallbacks)) == ([], [], 1)


def test_the_message_leads_to_preferences(qtbot, demo_model, tmp_path) -> None:
    window = make_window(qtbot, demo_model, tmp_path / "out")
    _choose_taesd(window)
    generate_and_wait(qtbot, window)
    _box(window).findChild(QPushButton, "openPreferencesButton").click()
    dialog = window.preferences.dialog
    assert dialog is not None and dialog.objectName() == "preferencesDialog"
    assert dialog.isVisible()
