"""The hires upscaler's binding: the section's check box and its upscaler list together hold
one setting, ``hires_upscaler`` ("" while the fix is off)."""

from __future__ import annotations

from typing import Any

from sdstudio.ui.hires.section import HiresSection
from sdstudio.ui.setting_bindings import SettingBinding


class HiresUpscalerBinding(SettingBinding):
    """Shown, restored and stored as the section shows it; a run leaves the fix out while the
    section says it cannot run (an init image, an inpainting model, a refiner)."""

    def __init__(self, section: HiresSection) -> None:
        self.section = section

    def get(self) -> str:
        return self.section.upscaler()

    def set(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        self.section.set_upscaler(value.strip())
        return True

    def value_for_run(self) -> str:
        return "" if self.section.blocked() is not None else self.get().strip()

    def refusal(self, label: str, value: Any) -> str:
        return f"{label} {value!r} is not an upscaler name"
