"""A damaged or hand-edited settings.ini never stops the window from opening: each value is
checked before a widget gets it, sizes and lists are bounded, and the status bar says what
could not be used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings

from sdstudio.engine.generation.settings import MAX_PROMPT_LENGTH
from sdstudio.ui.controls_panel import ControlsPanel
from sdstudio.ui.controls_state import ControlValues, apply_restored, write_controls
from sdstudio.ui.settings_store import MAX_RECENT_MODELS, SettingsStore
from sdstudio.ui.settings_values import MAX_BYTES
from tests.ui_support import shown_window

ROOT = Path(__file__).resolve().parents[1]
OPEN_TIMEOUT_S = 120  # the window opens in about a second; a 1 MB prompt once took 39 s

# Builds the window as a user's start does and prints what it shows, then OK. Qt aborts the
# whole process on some damage (rc 134), so each start runs in its own process.
OPEN_WINDOW = """
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from sdstudio.ui.main_window import MainWindow
window = MainWindow(device="cpu")
window.show()
app.processEvents()
combo = window.controls.model_combo
print(json.dumps({
    "steps": window.controls.steps_spin.value(),
    "prompt": len(window.controls.prompt_edit.toPlainText()),
    "models": [combo.itemData(i) for i in range(combo.count())],
    "status": window.statusBar().currentMessage(),
}))
window.close()
print("OK")
"""


def _open_window_in_a_process(home: Path) -> dict:
    env = dict(os.environ, SDSTUDIO_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", OPEN_WINDOW],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=OPEN_TIMEOUT_S,
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and lines[-1:] == ["OK"], done.stderr[-3000:]
    return json.loads(lines[-2])


def _write_prompt(home: Path, length: int) -> None:
    """A prompt as the window itself would store it (QSettings quotes it)."""
    settings = QSettings(str(home / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("controls/prompt", ("a harbour at dawn " * (length // 18 + 1))[:length])
    settings.sync()


def test_steps_too_large_for_a_spin_box_give_the_default_and_a_message(sdstudio_home) -> None:
    (sdstudio_home / "settings.ini").write_text("[controls]\nsteps=99999999999\n")
    shown = _open_window_in_a_process(sdstudio_home)
    assert shown["steps"] == 20
    assert shown["status"] == (
        "Steps '99999999999' in settings.ini is outside 1–150; using the default 20."
    )


def test_a_huge_recent_models_array_is_read_only_as_far_as_the_list_goes(sdstudio_home) -> None:
    entries = "".join(f"{index}\\spec=/models/model-{index}\n" for index in range(1, 31))
    (sdstudio_home / "settings.ini").write_text(f"[recentModels]\n{entries}size=100000\n")
    shown = _open_window_in_a_process(sdstudio_home)
    listed = [spec for spec in shown["models"] if str(spec).startswith("/models/")]
    assert listed == [f"/models/model-{index}" for index in range(1, MAX_RECENT_MODELS + 1)]
    assert shown["status"] == (
        f"settings.ini lists 100000 recent models; kept the first {MAX_RECENT_MODELS}."
    )


@pytest.mark.parametrize("length", [1_000_000, 10_000_000])
def test_a_huge_prompt_is_cut_and_the_window_opens_at_once(sdstudio_home, length) -> None:
    _write_prompt(sdstudio_home, length)
    shown = _open_window_in_a_process(sdstudio_home)
    assert shown["prompt"] == MAX_PROMPT_LENGTH
    assert shown["status"] == (
        f"Prompt in settings.ini had {length} characters; kept the first {MAX_PROMPT_LENGTH}."
    )


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_several_problems_are_told_together_once(qtbot, tmp_path, sdstudio_home) -> None:
    (sdstudio_home / "settings.ini").write_text(
        "[controls]\nsteps=many\nrandom_seed=perhaps\n[window]\ntheme=purple\n"
    )
    window = shown_window(qtbot, tmp_path / "out")
    assert window.statusBar().currentMessage() == (
        "The theme 'purple' in settings.ini is unknown; using 'system'. "
        "Steps 'many' in settings.ini is not a usable number; using the default 20. "
        "Random seed 'perhaps' in settings.ini is not true or false; using True."
    )
    told: list[str] = []
    window.settings.report_problems(told.append)
    window.settings.control_values()  # read again: nothing new to say
    assert window.settings.theme == "system" and told == []


def test_a_prompt_written_by_hand_with_commas_is_kept_whole(tmp_path) -> None:
    """Unquoted, QSettings reads "a, b" as a list; the prompt is still that text."""
    path = tmp_path / "settings.ini"
    path.write_text("[controls]\nprompt=a harbour, at dawn, oil painting\n")
    assert SettingsStore(path).control_values().prompt == "a harbour, at dawn, oil painting"


def test_an_oversized_window_layout_is_ignored_with_a_message(tmp_path) -> None:
    path = tmp_path / "settings.ini"
    first = SettingsStore(path)
    first.window_state = QByteArray(b"\0" * (MAX_BYTES + 1))
    first.window_geometry = QByteArray(b"geometry")
    first.sync()
    store, told = SettingsStore(path), []
    assert store.window_state.isEmpty()
    assert store.window_geometry == QByteArray(b"geometry")
    store.report_problems(told.append)
    assert told == [f"window/state in settings.ini has {MAX_BYTES + 1} bytes; ignored it."]


def test_damaged_model_vaes_and_a_path_too_long_give_defaults(tmp_path) -> None:
    path = tmp_path / "settings.ini"
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    settings.setValue("model/vaes", "[1, 2]")
    settings.setValue("paths/output_dir", "/x" * 10_000)
    settings.sync()
    store, told = SettingsStore(path), []
    assert store.model_vae("demo") == "" and store.output_dir is None
    store.report_problems(told.append)
    assert told == [
        "The models' VAEs in settings.ini are damaged. "
        "paths/output_dir in settings.ini is 20000 characters long; ignored it."
    ]


@pytest.fixture
def panel(qtbot) -> ControlsPanel:
    controls = ControlsPanel()
    qtbot.addWidget(controls)
    return controls


def test_values_of_the_wrong_type_leave_the_panel_as_it_was(panel) -> None:
    """Qt raises on a wrong type (setChecked("x")) instead of ignoring it."""
    write_controls(panel, ControlValues(random_seed="x", preview=5))  # type: ignore[arg-type]
    assert panel.seed_row.random_check.isChecked() and panel.preview_kind() == "latent"


def test_a_number_too_large_for_a_float_is_refused_in_words(panel) -> None:
    """float() of such an int raises OverflowError, and str() of one past 4300 digits fails."""
    skipped = apply_restored(panel, {"steps": 10**400, "seed": 10**5000})
    assert panel.steps_spin.value() == 20
    assert skipped == [
        "Steps 1" + "0" * 39 + "… is outside what sdstudio allows (1–150)",
        "Seed (a number too long to show) is outside what sdstudio allows (0–4294967295)",
    ]


def test_a_window_layout_qt_cannot_restore_is_dropped_once_with_a_message(sdstudio_home) -> None:
    settings = QSettings(str(sdstudio_home / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("window/state", QByteArray(b"\x00\x00\x00\xffnot a saved state"))
    settings.setValue("window/geometry", QByteArray(b"garbage"))
    settings.sync()
    shown = _open_window_in_a_process(sdstudio_home)
    assert "The saved window size could not be restored" in shown["status"]
    assert "The saved panel layout could not be restored" in shown["status"]
    again = _open_window_in_a_process(sdstudio_home)  # the next start is clean
    assert "could not be restored" not in again["status"]


DEEP_JSON = "[" * 100_000 + "]" * 100_000  # json.loads raises RecursionError, not ValueError


def test_json_values_nested_too_deeply_give_defaults_and_a_message(tmp_path) -> None:
    path = tmp_path / "settings.ini"
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    settings.setValue("model/vaes", DEEP_JSON[:20_000] + DEEP_JSON[-20_000:])
    settings.setValue("controlnet/units", DEEP_JSON[:20_000] + DEEP_JSON[-20_000:])
    settings.sync()
    store, told = SettingsStore(path), []
    assert store.model_vae("demo") == "" and store.controlnet_units() == []
    store.report_problems(told.append)
    assert told == [
        "The models' VAEs in settings.ini are damaged. "
        "The ControlNet units in settings.ini are damaged."
    ]


def test_controlnet_units_nested_too_deeply_do_not_stop_the_window(sdstudio_home) -> None:
    settings = QSettings(str(sdstudio_home / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("controlnet/units", DEEP_JSON[:20_000] + DEEP_JSON[-20_000:])
    settings.sync()
    shown = _open_window_in_a_process(sdstudio_home)
    assert "The ControlNet units in settings.ini are damaged." in shown["status"]
