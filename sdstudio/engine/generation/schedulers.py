"""Build a fresh diffusers scheduler for one generation.

Schedulers carry per-run state (step index, solver history), so every run gets its own
instance built from the model's saved scheduler config.
"""

from __future__ import annotations

from typing import Any

import diffusers

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.scheduler_names import MODEL_DEFAULT, SCHEDULERS

# Names used by A1111 infotext for schedulers we map by class, for the model's own default.
_CLASS_TO_NAME = {spec.class_name: name for name, spec in reversed(SCHEDULERS.items())}


def make_scheduler(model_scheduler: Any, name: str | None) -> Any:
    """A new scheduler of the named kind, configured like ``model_scheduler``."""
    if name in (None, MODEL_DEFAULT):
        scheduler_class, overrides = type(model_scheduler), {}
    else:
        spec = SCHEDULERS.get(name)
        if spec is None:
            choices = ", ".join(SCHEDULERS)
            raise RequestError(f"Unknown scheduler {name!r}; choose one of: {choices}")
        scheduler_class, overrides = getattr(diffusers, spec.class_name), spec.overrides
    scheduler = scheduler_class.from_config(model_scheduler.config, **overrides)
    return _as_stable_diffusion_pipelines_configure(scheduler)


def _as_stable_diffusion_pipelines_configure(scheduler: Any) -> Any:
    """Apply the config fixes diffusers' SD pipelines make to the scheduler they are given.

    ``StableDiffusionPipeline.__init__`` forces ``steps_offset=1`` and ``clip_sample=False``
    (clipping x0 to [-1, 1] is wrong for SD latents); doing the same keeps our images equal to
    the pipelines' for schedulers such as DDIM whose defaults differ.
    """
    fixes = {}
    if getattr(scheduler.config, "steps_offset", 1) != 1:
        fixes["steps_offset"] = 1
    if getattr(scheduler.config, "clip_sample", False) is True:
        fixes["clip_sample"] = False
    if fixes:
        scheduler = type(scheduler).from_config(scheduler.config, **fixes)
    return scheduler


def display_name(scheduler: Any) -> str:
    """The A1111-style name of a scheduler instance (its class name when unknown)."""
    class_name = type(scheduler).__name__
    if class_name == "DPMSolverMultistepScheduler" and scheduler.config.get("use_karras_sigmas"):
        return "DPM++ 2M Karras"
    return _CLASS_TO_NAME.get(class_name, class_name)
