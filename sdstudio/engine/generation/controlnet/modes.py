"""How a ControlNet unit weighs against the prompt: A1111's three control modes.

sd-webui-controlnet (``scripts/controlnet.py``, ``scripts/hook.py``) turns its "Control Mode"
into two switches: *soft injection* for every mode but Balanced, *CFG injection* for
"ControlNet is more important". diffusers has both under the name ``guess_mode``, whose
scaling is used here:

- ``balanced`` ("Balanced"): diffusers' default. Every residual is multiplied by the weight
  and added to both guidance halves.
- ``prompt`` ("My prompt is more important"): soft injection alone. The residuals are scaled
  from 0.1× at the first (highest-resolution) down block up to 1× at the middle block, times
  the weight (``ControlNetModel(..., guess_mode=True)``'s ``logspace(-1, 0)``; A1111 uses
  ``0.825 ** (12 - i)``, practically the same curve, 0.0995× to 1×, for SD 1.x's 13
  residuals), and still added to both guidance halves, so classifier-free guidance, which
  amplifies what differs between the halves, leaves the control at its own strength.
- ``controlnet`` ("ControlNet is more important"): soft injection and CFG injection, exactly
  diffusers' pipelines with ``guess_mode=True``: the ControlNet runs on the prompt's half
  only and the negative half gets no residuals, so classifier-free guidance amplifies the
  control by the CFG scale.

For SDXL's 10 residuals diffusers' curve also runs 0.1× to 1×, where A1111 keeps the first 10
of SD 1.x's 13 factors (0.1× to 0.56×); diffusers is followed. Without guidance (CFG scale 1
or a guidance-distilled UNet) ``prompt`` and ``controlnet`` are the same. A ControlNet whose
config says ``global_pool_conditions`` (shuffle) runs on the prompt's half only in every
mode, as diffusers' pipelines force ``guess_mode`` for it.
"""

from __future__ import annotations

import enum


class ControlMode(enum.Enum):
    BALANCED = "balanced"
    PROMPT = "prompt"
    CONTROLNET = "controlnet"

    @property
    def a1111_name(self) -> str:
        """The words A1111's panel and infotext use."""
        return _A1111_NAMES[self]

    @property
    def soft(self) -> bool:
        """Deeper residuals weigh more than shallow ones (diffusers' ``guess_mode`` scales)."""
        return self is not ControlMode.BALANCED

    @property
    def prompt_half_only(self) -> bool:
        """The negative half of a guided batch gets no residuals."""
        return self is ControlMode.CONTROLNET

    @classmethod
    def parse(cls, text: str) -> ControlMode:
        """A mode from its value or A1111's words, in any case; ValueError otherwise."""
        lowered = text.strip().lower()
        for mode in cls:
            if lowered in (mode.value, mode.a1111_name.lower()):
                return mode
        raise ValueError(text)


_A1111_NAMES = {
    ControlMode.BALANCED: "Balanced",
    ControlMode.PROMPT: "My prompt is more important",
    ControlMode.CONTROLNET: "ControlNet is more important",
}

CONTROL_MODES: tuple[str, ...] = tuple(mode.value for mode in ControlMode)
