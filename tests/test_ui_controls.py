"""The settings panel: stable objectNames, seeds, sizes, strength, the request it builds."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import MAX_SEED
from sdstudio.ui.controls_panel import ControlsPanel

OBJECT_NAMES = [
    "promptEdit",
    "negativePromptEdit",
    "schedulerCombo",
    "stepsSpin",
    "cfgSpin",
    "seedSpin",
    "randomSeedCheck",
    "reuseSeedButton",
    "widthSpin",
    "heightSpin",
    "strengthSpin",
    "strengthSlider",
    "clearInitButton",
    "batchSpin",
    "batchSizeSpin",
    "previewCombo",
    "modelCombo",
]


@pytest.fixture
def panel(qtbot) -> ControlsPanel:
    widget = ControlsPanel()
    qtbot.addWidget(widget)
    return widget


@pytest.mark.parametrize("name", OBJECT_NAMES)
def test_stable_object_names(panel, name) -> None:
    assert panel.findChild(QWidget, name) is not None


def test_typed_settings_become_the_request(panel, qtbot) -> None:
    qtbot.keyClicks(panel.prompt_edit, "a lighthouse at dusk")
    qtbot.keyClicks(panel.negative_edit, "blurry")
    panel.scheduler_combo.setCurrentText("Euler a")
    panel.steps_spin.setValue(12)
    panel.cfg_spin.setValue(5.5)
    panel.seed_row.random_check.setChecked(False)
    panel.seed_row.set_seed(MAX_SEED)
    panel.size_row.set_size(640, 448)
    panel.batch_spin.setValue(2)
    request = panel.build_request()
    assert (request.prompt, request.negative_prompt) == ("a lighthouse at dusk", "blurry")
    assert (request.scheduler, request.steps, request.cfg_scale) == ("Euler a", 12, 5.5)
    assert (request.seed, request.width, request.height) == (MAX_SEED, 640, 448)
    assert request.batch_count == 2 and request.init_image is None


def test_random_seed_draws_and_shows_a_new_seed(panel) -> None:
    assert panel.seed_row.random_check.isChecked()
    seeds = set()
    for _ in range(5):
        seed = panel.build_request().seed
        assert panel.seed_row.seed() == seed  # the seed of the run is shown
        seeds.add(seed)
    assert len(seeds) > 1


def test_reuse_last_seed_turns_random_off(panel, qtbot) -> None:
    row = panel.seed_row
    assert not row.reuse_button.isEnabled()
    row.set_last_seed(123456)
    qtbot.mouseClick(row.reuse_button, Qt.MouseButton.LeftButton)
    assert not row.random_check.isChecked()
    assert panel.build_request().seed == 123456


def test_strength_only_with_an_init_image(panel, qtbot) -> None:
    row = panel.strength_row
    assert not row.spin.isEnabled() and not row.slider.isEnabled()
    panel.set_init_image("photo.png (640 × 480)")
    assert row.spin.isEnabled() and row.slider.isEnabled() and row.clear_button.isEnabled()
    row.slider.setValue(30)
    assert row.spin.value() == pytest.approx(0.30)
    row.spin.setValue(0.55)
    assert row.slider.value() == 55
    with qtbot.waitSignal(panel.clearInitRequested):
        qtbot.mouseClick(row.clear_button, Qt.MouseButton.LeftButton)


def test_typed_sizes_snap_to_multiples_of_eight(panel, qtbot) -> None:
    spin = panel.size_row.width_spin
    spin.selectAll()
    qtbot.keyClicks(spin, "517")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert spin.value() == 520
    spin.stepBy(1)
    assert spin.value() == 528


def test_presets_and_swap(panel) -> None:
    menu = panel.size_row.preset_button.menu()
    portrait = next(a for a in menu.actions() if a.text().startswith("Portrait 512"))
    portrait.trigger()
    assert panel.size_row.dimensions() == (512, 768)
    panel.size_row.swap()
    assert panel.size_row.dimensions() == (768, 512)


def test_bad_settings_raise_a_readable_error(panel) -> None:
    panel.size_row.width_spin.setValue(100)  # as automation could set it
    with pytest.raises(RequestError, match="multiple of 8"):
        panel.build_request()


def test_preview_kinds_are_the_engine_values(panel) -> None:
    kinds = [panel.preview_combo.itemData(i) for i in range(panel.preview_combo.count())]
    assert sorted(kinds) == ["latent", "none", "taesd", "vae"]
    assert panel.preview_kind() == "latent"
