"""The settings panel's values as one plain value: saved between sessions, restored from images."""

from __future__ import annotations

import typing
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sdstudio.engine.generation.settings import flat_settings, setting_fields

if TYPE_CHECKING:
    from sdstudio.ui.controls_panel import ControlsPanel

# The settings kept between sessions (all but the init image), as flat fields.
_PersistedSettings = flat_settings("PersistedSettings", lambda setting: setting.persisted)


@dataclass(frozen=True)
class ControlValues(_PersistedSettings):
    """Every value of the settings panel except the model and the init image: the persisted
    settings of the schema plus two that only the panel has."""

    random_seed: bool = True
    preview: str = "latent"


def field_types() -> dict[str, type]:
    """Each field's Python type (for stores that keep only text, such as INI files)."""
    return typing.get_type_hints(ControlValues)


def read_controls(controls: ControlsPanel) -> ControlValues:
    settings = {
        each.name: controls.bindings[each.name].get()
        for each in setting_fields()
        if each.setting.persisted
    }
    return ControlValues(
        **settings,
        random_seed=controls.seed_row.random_check.isChecked(),
        preview=controls.preview_kind(),
    )


def write_controls(controls: ControlsPanel, values: ControlValues) -> None:
    """Show ``values``; a value a widget cannot hold (an unknown scheduler, a flag that is
    not a bool) is left as it was: Qt raises on a wrong type instead of ignoring it."""
    if isinstance(values.random_seed, bool):
        controls.seed_row.random_check.setChecked(values.random_seed)
    shown = asdict(values)
    for name, binding in controls.bindings.items():
        if name in shown:
            binding.set(shown[name])
    if isinstance(values.preview, str):
        show_preview_kind(controls, values.preview)


def show_preview_kind(controls: ControlsPanel, kind: str) -> bool:
    """Select the preview ``kind`` ("latent", "taesd"...); False if the panel has no such one."""
    index = controls.preview_combo.findData(kind)
    if index >= 0:
        controls.preview_combo.setCurrentIndex(index)
    return index >= 0


def apply_restored(controls: ControlsPanel, settings: dict[str, Any]) -> list[str]:
    """Put restored settings into the panel; returns what could not be shown, in words.

    A restored seed turns "random" off, or the next run would not use it.
    """
    skipped: list[str] = []
    for each in setting_fields():
        binding = controls.bindings.get(each.name)
        if each.name not in settings or binding is None:
            continue
        value = settings[each.name]
        if not binding.set(value):
            skipped.append(binding.refusal(each.setting.label, value))
    if "seed" in settings and controls.seed_row.seed() == settings["seed"]:
        controls.seed_row.random_check.setChecked(False)
    return skipped
