"""The hires fix's section of the settings panel: what it puts in a request, the size it
says, what it restores from a PNG, when it stands aside, and a hires run in the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from PySide6.QtCore import Qt

from sdstudio.ui.controls_panel import ControlsPanel
from sdstudio.ui.hires import LATENT_UPSCALERS
from sdstudio.ui.worker_events import FinishedImage
from tests.ui_support import WAIT_MS, generate_and_wait, make_window


@pytest.fixture
def panel(qtbot) -> ControlsPanel:
    widget = ControlsPanel()
    qtbot.addWidget(widget)
    return widget


def choose_upscaler(panel: ControlsPanel, name: str) -> None:
    section = panel.hires
    section.setChecked(True)
    combo = section.upscaler_combo
    combo.setCurrentIndex(combo.findData(name))


def test_the_section_builds_a_request_with_its_upscaler_scale_steps_and_denoise(panel) -> None:
    panel.size_row.set_size(128, 128)
    choose_upscaler(panel, "Lanczos")
    panel.hires.scale_spin.setValue(2.0)
    panel.hires.steps_spin.setValue(5)
    panel.hires.denoise_spin.setValue(0.4)

    request = panel.build_request()

    assert (request.hires_upscaler, request.hires_scale) == ("Lanczos", 2.0)
    assert (request.hires_steps, request.hires_denoise) == (5, 0.4)
    assert request.final_size == (256, 256)
    assert panel.hires.size_note.text() == "128×128 → 256×256"


def test_unchecked_the_section_leaves_the_hires_fix_off(panel) -> None:
    choose_upscaler(panel, "Latent (bicubic)")
    panel.hires.setChecked(False)

    assert panel.build_request().hires_upscaler == ""


def test_a_resize_replaces_the_factor_and_the_note_says_it_is_cropped(panel) -> None:
    panel.size_row.set_size(128, 128)
    panel.hires.resize_x_spin.setValue(300)
    panel.hires.resize_y_spin.setValue(200)

    assert not panel.hires.scale_spin.isEnabled()
    assert panel.hires.size_note.text() == "128×128 → 296×200 (upscaled to 296×296, then cropped)"


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_hires_prompt_negative_and_sampler_open_on_demand(qtbot, panel) -> None:
    panel.show()
    choose_upscaler(panel, "Latent")
    assert not panel.hires.more.isVisible()

    qtbot.mouseClick(panel.hires.more_toggle, Qt.MouseButton.LeftButton)
    panel.hires.prompt_edit.setPlainText("  sharp details ")
    panel.hires.sampler_combo.setCurrentIndex(panel.hires.sampler_combo.findData("DDIM"))

    assert panel.hires.more.isVisible()
    request = panel.build_request()
    assert (request.hires_prompt, request.hires_sampler) == ("sharp details", "DDIM")


def test_the_latent_modes_offered_are_the_engines() -> None:
    from sdstudio.engine.generation.hires.upscaler_names import LATENT_UPSCALERS as ENGINE

    assert [name for name, _tip in LATENT_UPSCALERS] == list(ENGINE)


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_an_a1111_png_with_hires_infotext_fills_the_section(
    qtbot, demo_model, tmp_path: Path
) -> None:
    window = make_window(qtbot, demo_model, tmp_path / "out")
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        "a lighthouse\nSteps: 12, Sampler: Euler a, CFG scale: 6, Seed: 9, Size: 64x96, "
        "Denoising strength: 0.45, Hires upscale: 1.5, Hires steps: 7, "
        "Hires upscaler: Latent (nearest-exact)",
    )
    path = tmp_path / "a1111.png"
    Image.new("RGB", (64, 96)).save(path, pnginfo=info)

    window.image_opener.restore_from(path)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage().startswith("Restored"), timeout=WAIT_MS
    )

    hires = window.controls.hires
    assert hires.isChecked()
    assert hires.upscaler_combo.currentText() == "Latent (nearest-exact)"
    assert (hires.scale_spin.value(), hires.steps_spin.value()) == (1.5, 7)
    assert hires.denoise_spin.value() == 0.45
    assert hires.size_note.text() == "64×96 → 96×144"


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_section_stands_aside_while_an_init_image_is_loaded(
    qtbot, demo_model, tmp_path: Path
) -> None:
    window = make_window(qtbot, demo_model, tmp_path / "out")
    choose_upscaler(window.controls, "Lanczos")

    window.init_images.set_image(Image.new("RGB", (64, 64), "teal"), "teal.png")

    hires = window.controls.hires
    assert not hires.isEnabled()
    assert "for text to image" in hires.toolTip()
    assert "for text to image" in hires.size_note.text()
    assert window.current_request().hires_upscaler == ""  # the run is plain img2img


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_generate_with_hires_lanczos_2x_at_64_gives_a_128_picture(
    qtbot, demo_model, tmp_path: Path
) -> None:
    window = make_window(qtbot, demo_model, tmp_path / "out", steps=2)
    choose_upscaler(window.controls, "Lanczos")
    window.controls.hires.scale_spin.setValue(2.0)
    window.controls.hires.denoise_spin.setValue(0.5)
    results: list[FinishedImage] = []
    window.resultShown.connect(results.append)

    generate_and_wait(qtbot, window)

    (result,) = results
    assert (result.image.width(), result.image.height()) == (128, 128)
    with Image.open(result.path) as saved:
        assert saved.size == (128, 128)
        assert "Hires upscaler: Lanczos" in saved.text["parameters"]
    shown = window.canvas.current_pixmap()
    assert (shown.width(), shown.height()) == (128, 128)
