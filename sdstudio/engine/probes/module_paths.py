"""Turning a dotted path such as ``unet.down_blocks.1.attentions.0`` into a module.

The first part names a pipeline component (``unet``, ``vae``, ``text_encoder``) or a module
that runs beside them in this run (a ControlNet unit's model: ``controlnet``,
``controlnet_1``..., see :mod:`~sdstudio.engine.generation.controlnet.watch_names`); the rest
is the module's attribute path inside it, exactly as the model browser shows it. A wrong path
is answered with what does exist there and with the closest spellings, because the user
typed it by hand.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.controlnet.watch_names import (
    is_controlnet_path,
    missing_unit_problem,
)
from sdstudio.engine.modules.pipeline_tree import pipeline_components


def _always() -> bool:
    return True


@dataclass(frozen=True)
class RunComponent:
    """A module that runs beside the pipeline's components in one run (a ControlNet unit's
    model). ``running`` tells whether a call of it is this component's: two units may run
    one model, and each is watched on its own calls only."""

    module: Any  # torch.nn.Module
    running: Callable[[], bool] = _always


@dataclass(frozen=True)
class ResolvedModule:
    """A watched module: its full path, the component it belongs to and the module itself."""

    path: str
    component: str
    module: Any  # torch.nn.Module
    running: Callable[[], bool] = _always  # whether a call of ``module`` is this path's


def module_components(pipeline: Any) -> dict[str, Any]:
    """The pipeline's parts that are torch modules (tokenizer and scheduler are not)."""
    import torch

    return {
        name: part
        for name, part in pipeline_components(pipeline).items()
        if isinstance(part, torch.nn.Module)
    }


def resolve_module(
    pipeline: Any, path: str, run_components: Mapping[str, RunComponent] | None = None
) -> ResolvedModule:
    """The module at ``path`` among the pipeline's components and ``run_components``; raises
    ``UserFacingError`` naming near matches when it is wrong."""
    extra = dict(run_components or {})
    components = {**module_components(pipeline), **{n: c.module for n, c in extra.items()}}
    parts = [part for part in path.strip().split(".") if part]
    if not parts or parts[0] not in components:
        shown = parts[0] if parts else path
        names = ", ".join(components)
        problem = missing_unit_problem(path, sum(1 for name in extra if is_controlnet_path(name)))
        if problem:
            raise UserFacingError(f"{problem} Watchable components: {names}.")
        raise UserFacingError(
            f"No component {shown!r} in the model; watchable components: {names}."
            f"{_suggestions(components, path)}"
        )
    component = parts[0]
    module = components[component]
    running = extra[component].running if component in extra else _always
    for index, part in enumerate(parts[1:], start=1):
        child = module._modules.get(part)
        if child is None:
            where = ".".join(parts[:index])
            children = ", ".join(module._modules) or "no submodules"
            hint = _suggestions(components, path)
            raise UserFacingError(f"No module {part!r} under {where} (it has: {children}).{hint}")
        module = child
    return ResolvedModule(".".join(parts), component, module, running)


def all_module_paths(components: dict[str, Any]) -> list[str]:
    """Every watchable path, components included (``unet``, ``unet.conv_in``, ...)."""
    paths: list[str] = []
    for name, component in components.items():
        paths.extend(f"{name}.{sub}" if sub else name for sub, _ in component.named_modules())
    return paths


def _suggestions(components: dict[str, Any], path: str) -> str:
    close = difflib.get_close_matches(path, all_module_paths(components), n=5, cutoff=0.75)
    return f" Did you mean: {', '.join(close)}?" if close else ""
