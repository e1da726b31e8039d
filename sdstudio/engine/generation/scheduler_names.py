"""The sampler names artists know from AUTOMATIC1111, mapped to diffusers scheduler classes.

Kept free of heavy imports so requests can be validated before torch is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MODEL_DEFAULT = "Default"


@dataclass(frozen=True)
class SchedulerSpec:
    """A diffusers scheduler class name plus the config overrides that make it the named sampler."""

    class_name: str
    overrides: dict[str, Any] = field(default_factory=dict)


SCHEDULERS: dict[str, SchedulerSpec] = {
    "Euler": SchedulerSpec("EulerDiscreteScheduler"),
    "Euler a": SchedulerSpec("EulerAncestralDiscreteScheduler"),
    "DPM++ 2M": SchedulerSpec(
        "DPMSolverMultistepScheduler",
        {"algorithm_type": "dpmsolver++", "solver_order": 2, "use_karras_sigmas": False},
    ),
    "DPM++ 2M Karras": SchedulerSpec(
        "DPMSolverMultistepScheduler",
        {"algorithm_type": "dpmsolver++", "solver_order": 2, "use_karras_sigmas": True},
    ),
    "DDIM": SchedulerSpec("DDIMScheduler"),
    "PNDM": SchedulerSpec("PNDMScheduler"),
    "LMS": SchedulerSpec("LMSDiscreteScheduler"),
    "Heun": SchedulerSpec("HeunDiscreteScheduler"),
    "UniPC": SchedulerSpec("UniPCMultistepScheduler"),
}


def scheduler_choices() -> list[str]:
    """Names a user may pick, the model's own scheduler first."""
    return [MODEL_DEFAULT, *SCHEDULERS]


def canonical_scheduler_name(text: str) -> str:
    """The scheduler ``text`` names in any case and spacing ("euler  a" is "Euler a"), so
    infotext records the canonical name; an unknown name is kept for the request's message."""
    wanted = " ".join(text.split()).casefold()
    for name in scheduler_choices():
        if name.casefold() == wanted:
            return name
    return text
