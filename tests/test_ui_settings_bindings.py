"""Every setting has a widget with the schema's range, survives settings.ini, and a damaged or
hand-edited settings.ini can only give values the panel offers."""

from __future__ import annotations

from dataclasses import fields

import pytest

from sdstudio.engine.generation.settings import setting_fields
from sdstudio.ui.controls_panel import ControlsPanel
from sdstudio.ui.controls_state import ControlValues, apply_restored, read_controls
from sdstudio.ui.setting_bindings import SpinBinding
from sdstudio.ui.settings_store import SettingsStore

# A value other than the default for every field of ControlValues.
CHANGED = {
    "prompt": "a quiet harbour,\nat dawn",
    "negative_prompt": "people",
    "pad_prompt_lengths": True,
    "steps": 150,
    "scheduler": "DDIM",
    "cfg_scale": 4.5,
    "guidance_rescale": 0.7,
    "clip_skip": 2,
    "seed": 4_000_000_000,
    "batch_count": 16,
    "batch_size": 8,
    "width": 2048,
    "height": 64,
    "strength": 0.35,
    "mask_blur": 9,
    "masked_content": "fill",
    "inpaint_area": "masked",
    "mask_padding": 64,
    "refiner": "stabilityai/stable-diffusion-xl-refiner-1.0",
    "refiner_switch": 0.65,
    "hires_upscaler": "Latent (bicubic)",
    "hires_scale": 1.5,
    "hires_resize_x": 1024,
    "hires_resize_y": 768,
    "hires_steps": 12,
    "hires_denoise": 0.45,
    "hires_sampler": "DPM++ 2M",
    "hires_prompt": "a quiet harbour, sharp",
    "hires_negative_prompt": "haze",
    "random_seed": False,
    "preview": "vae",
}


@pytest.fixture
def panel(qtbot) -> ControlsPanel:
    widget = ControlsPanel()
    qtbot.addWidget(widget)
    return widget


def test_every_setting_but_the_init_image_and_mask_has_a_widget(panel) -> None:
    names = {each.name for each in setting_fields()}
    assert set(panel.bindings) == names - {"init_image", "mask"}


def test_spin_box_ranges_and_defaults_come_from_the_schema(panel) -> None:
    for each in setting_fields():
        binding = panel.bindings.get(each.name)
        assert binding is None or binding.get() == each.default, each.name
        if isinstance(binding, SpinBinding):
            low, high = each.setting.control_range
            assert (binding.spin.minimum(), binding.spin.maximum()) == (low, high), each.name


def test_every_control_value_survives_settings_ini(tmp_path) -> None:
    defaults = ControlValues()
    assert set(CHANGED) == {spec.name for spec in fields(ControlValues)}
    assert all(CHANGED[name] != getattr(defaults, name) for name in CHANGED)
    path = tmp_path / "settings.ini"
    first = SettingsStore(path)
    first.set_control_values(ControlValues(**CHANGED))
    first.sync()
    assert SettingsStore(path).control_values() == ControlValues(**CHANGED)


def test_values_outside_what_the_panel_offers_give_the_defaults(tmp_path) -> None:
    path = tmp_path / "settings.ini"
    path.write_text(
        "[controls]\n"
        "steps=151\n"  # a valid request, but more than the panel offers
        "width=4096\n"
        "height=500\n"  # not a multiple of 8
        "seed=-5\n"
        "cfg_scale=nan\n"
        "batch_count=0\n"
        "strength=1.5\n"
        "scheduler=Turbo 9000\n"
        f"prompt={'x' * 70_000}\n"
        "negative_prompt=kept\n"
        "random_seed=false\n",
        encoding="utf-8",
    )
    values = SettingsStore(path).control_values()
    defaults = ControlValues()
    assert values == ControlValues(prompt="x" * 65_536, negative_prompt="kept", random_seed=False)
    assert values.steps == defaults.steps  # a prompt too long is cut, not dropped


def test_restored_values_the_widgets_cannot_hold_are_listed(panel) -> None:
    skipped = apply_restored(panel, {"steps": 12, "cfg_scale": 31.0, "scheduler": "Restart"})
    assert panel.steps_spin.value() == 12
    assert skipped == [
        "Scheduler 'Restart' is not in the list",
        "CFG scale 31.0 is outside what sdstudio allows (0–30)",
    ]
    assert read_controls(panel).cfg_scale == 7.0
