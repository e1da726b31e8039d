"""Settings survive a restart of the window: controls, geometry, docks, model options."""

from __future__ import annotations

from PySide6.QtWidgets import QDockWidget

from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.settings_store import SettingsStore
from tests.ui_support import generate_and_wait, make_window, shown_window


def _new_window(qtbot, tmp_path) -> MainWindow:
    return shown_window(qtbot, tmp_path / "out")


def test_control_values_come_back_in_a_new_window(qtbot, tmp_path, sdstudio_home) -> None:
    first = _new_window(qtbot, tmp_path)
    controls = first.controls
    controls.prompt_edit.setPlainText("a quiet harbour,\nat dawn")
    controls.negative_edit.setPlainText("people")
    controls.scheduler_combo.setCurrentText("DDIM")
    controls.steps_spin.setValue(33)
    controls.cfg_spin.setValue(4.5)
    controls.seed_row.random_check.setChecked(False)
    controls.seed_row.set_seed(4_000_000_000)
    controls.size_row.set_size(768, 512)
    controls.batch_spin.setValue(3)
    controls.preview_combo.setCurrentIndex(controls.preview_combo.findData("vae"))
    controls.strength_row.spin.setValue(0.35)
    assert first.close()
    assert (sdstudio_home / "settings.ini").is_file()

    second = _new_window(qtbot, tmp_path).controls
    assert second.prompt_edit.toPlainText() == "a quiet harbour,\nat dawn"
    assert second.negative_edit.toPlainText() == "people"
    assert second.scheduler_combo.currentText() == "DDIM"
    assert (second.steps_spin.value(), second.cfg_spin.value()) == (33, 4.5)
    assert second.seed_row.seed() == 4_000_000_000
    assert not second.seed_row.random_check.isChecked()
    assert second.size_row.dimensions() == (768, 512)
    assert second.batch_spin.value() == 3
    assert second.preview_kind() == "vae"
    assert second.strength_row.strength() == 0.35


def test_geometry_and_dock_layout_come_back(qtbot, tmp_path) -> None:
    first = _new_window(qtbot, tmp_path)
    first.resize(770, 530)  # inside the offscreen platform's 800×600 screen
    first.findChild(QDockWidget, "historyDock").hide()
    assert first.close()

    second = _new_window(qtbot, tmp_path)
    assert (second.width(), second.height()) == (770, 530)
    assert second.findChild(QDockWidget, "historyDock").isHidden()
    assert not second.findChild(QDockWidget, "settingsDock").isHidden()


def test_a_window_saved_larger_than_the_screen_comes_back_inside_it(qtbot, tmp_path) -> None:
    first = _new_window(qtbot, tmp_path)
    first.resize(1500, 1000)  # saved on a larger screen than this one
    assert first.close()

    second = _new_window(qtbot, tmp_path)
    assert second.screen().availableGeometry().contains(second.frameGeometry())


def test_a_first_window_fits_the_screen(qtbot, tmp_path) -> None:
    window = _new_window(qtbot, tmp_path)

    available = window.screen().availableGeometry()
    assert available.contains(window.frameGeometry())
    assert window.minimumWidth() <= available.width()


def test_a_run_saves_the_controls_at_once(qtbot, demo_model, tmp_path) -> None:
    """A crash after a run keeps the settings it ran with."""
    window = make_window(qtbot, demo_model, tmp_path / "out")
    window.controls.prompt_edit.setPlainText("kept even without a clean exit")
    generate_and_wait(qtbot, window)
    assert SettingsStore().control_values().prompt == "kept even without a clean exit"


def test_model_options_are_remembered(qtbot, tmp_path) -> None:
    first = _new_window(qtbot, tmp_path)
    first.model_picker.option_actions["vae_tiling"].trigger()
    assert "next time a model loads" in first.statusBar().currentMessage()
    assert first.model_picker.load_options("demo").vae_tiling
    assert first.close()

    second = _new_window(qtbot, tmp_path)
    actions = second.model_picker.option_actions
    assert actions["vae_tiling"].isChecked()
    assert not actions["attention_slicing"].isChecked()
    assert not actions["cpu_offload"].isChecked()


def test_a_damaged_settings_file_gives_defaults(qtbot, tmp_path, sdstudio_home) -> None:
    (sdstudio_home / "settings.ini").write_text(
        "[controls]\nsteps=many\ncfg_scale=\nprompt=kept\n[window]\ngeometry=garbage\n"
    )
    window = _new_window(qtbot, tmp_path)
    assert window.controls.prompt_edit.toPlainText() == "kept"
    assert window.controls.steps_spin.value() == 20
    assert window.controls.cfg_spin.value() == 7.0
