"""The settings panel's values as one plain value: saved between sessions, restored from images."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox

from sdstudio.engine.generation.scheduler_names import MODEL_DEFAULT
from sdstudio.ui.controls_panel import ControlsPanel


@dataclass(frozen=True)
class ControlValues:
    """Every value of the settings panel except the model and the init image."""

    prompt: str = ""
    negative_prompt: str = ""
    scheduler: str = MODEL_DEFAULT
    steps: int = 20
    cfg_scale: float = 7.0
    seed: int = 0
    random_seed: bool = True
    width: int = 512
    height: int = 512
    batch_count: int = 1
    preview: str = "latent"
    strength: float = 0.75


def field_types() -> dict[str, type]:
    """Each field's Python type (for stores that keep only text, such as INI files)."""
    defaults = ControlValues()
    return {spec.name: type(getattr(defaults, spec.name)) for spec in fields(ControlValues)}


def read_controls(controls: ControlsPanel) -> ControlValues:
    width, height = controls.size_row.dimensions()
    return ControlValues(
        prompt=controls.prompt_edit.toPlainText(),
        negative_prompt=controls.negative_edit.toPlainText(),
        scheduler=controls.scheduler_combo.currentText(),
        steps=controls.steps_spin.value(),
        cfg_scale=controls.cfg_spin.value(),
        seed=controls.seed_row.seed(),
        random_seed=controls.seed_row.random_check.isChecked(),
        width=width,
        height=height,
        batch_count=controls.batch_spin.value(),
        preview=controls.preview_kind(),
        strength=controls.strength_row.strength(),
    )


def write_controls(controls: ControlsPanel, values: ControlValues) -> None:
    """Show ``values``; a value a widget cannot hold (an unknown scheduler) is left as it was."""
    controls.prompt_edit.setPlainText(values.prompt)
    controls.negative_edit.setPlainText(values.negative_prompt)
    _choose(controls.scheduler_combo, values.scheduler)
    controls.steps_spin.setValue(values.steps)
    controls.cfg_spin.setValue(values.cfg_scale)
    controls.seed_row.random_check.setChecked(values.random_seed)
    controls.seed_row.set_seed(values.seed)
    controls.size_row.set_size(values.width, values.height)
    controls.batch_spin.setValue(values.batch_count)
    index = controls.preview_combo.findData(values.preview)
    if index >= 0:
        controls.preview_combo.setCurrentIndex(index)
    controls.strength_row.spin.setValue(values.strength)


# Restored settings (GenerationRequest keyword arguments) and the words for them in messages.
_LABELS = {
    "steps": "Steps",
    "cfg_scale": "CFG scale",
    "seed": "Seed",
    "width": "Width",
    "height": "Height",
    "strength": "Denoising strength",
}


def apply_restored(controls: ControlsPanel, settings: dict[str, Any]) -> list[str]:
    """Put restored settings into the panel; returns what could not be shown, in words.

    A restored seed turns "random" off, or the next run would not use it.
    """
    skipped: list[str] = []
    if "prompt" in settings:
        controls.prompt_edit.setPlainText(settings["prompt"])
    if "negative_prompt" in settings:
        controls.negative_edit.setPlainText(settings["negative_prompt"])
    if "scheduler" in settings and not _choose(controls.scheduler_combo, settings["scheduler"]):
        skipped.append(f"Sampler {settings['scheduler']!r} is not in the list")
    spins: dict[str, QSpinBox | QDoubleSpinBox] = {
        "steps": controls.steps_spin,
        "cfg_scale": controls.cfg_spin,
        "seed": controls.seed_row.spin,
        "width": controls.size_row.width_spin,
        "height": controls.size_row.height_spin,
        "strength": controls.strength_row.spin,
    }
    for name, spin in spins.items():
        if name in settings and not _set_in_range(spin, settings[name]):
            skipped.append(
                f"{_LABELS[name]} {settings[name]} is outside what sdstudio allows "
                f"({spin.minimum():g}–{spin.maximum():g})"
            )
    if "seed" in settings and controls.seed_row.seed() == settings["seed"]:
        controls.seed_row.random_check.setChecked(False)
    return skipped


def _set_in_range(spin: QSpinBox | QDoubleSpinBox, value: float) -> bool:
    if not spin.minimum() <= value <= spin.maximum():
        return False
    spin.setValue(value)
    return True


def _choose(combo: QComboBox, text: str) -> bool:
    index = combo.findText(text)
    if index >= 0:
        combo.setCurrentIndex(index)
    return index >= 0
