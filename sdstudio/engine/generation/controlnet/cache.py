"""The ControlNets a job's units name, loaded for the model and kept for the next job.

A user who sets up ControlNet usually runs it job after job, and a ControlNet takes as long to
read as a UNet, so the last job's ControlNets stay loaded while the next job names them for
the same model; the others are dropped when a job names other ones or none at all, or when
:meth:`ControlNetCache.release` is called (on a model switch, before the new model loads).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sdstudio.engine.generation.controlnet.extension import LoadedUnit
from sdstudio.engine.generation.controlnet.library import find_controlnet
from sdstudio.engine.generation.controlnet.loading import load_controlnet

if TYPE_CHECKING:
    from sdstudio.engine.generation.controlnet.unit import ControlUnit
    from sdstudio.engine.models.loading import LoadedModel

_Key = tuple[str, int, int, str, str, str]


class ControlNetCache:
    """The ControlNets of the last job, by file (and its modification time) and model."""

    def __init__(self) -> None:
        self._loaded: dict[_Key, Any] = {}

    def loaded_units(self, units: Sequence[ControlUnit], model: LoadedModel) -> list[LoadedUnit]:
        """Each unit with its ControlNet, read unless the last job read it for this model;
        two units naming the same file share one."""
        kept: dict[_Key, Any] = {}
        chosen = []
        for unit in units:
            path = find_controlnet(unit.model)
            key = _key(path, model)
            if key not in kept:
                kept[key] = self._loaded.get(key) or load_controlnet(path, model)
            chosen.append(LoadedUnit(unit, kept[key]))
        dropped = self._loaded.keys() - kept.keys()
        self._loaded = kept
        if dropped:
            _release_memory()
        return chosen

    def release(self) -> None:
        if self._loaded:
            self._loaded = {}
            _release_memory()


def _key(path: Path, model: LoadedModel) -> _Key:
    stat = path.stat()
    placement = model.placement
    return (
        str(path.resolve()),
        stat.st_mtime_ns,
        stat.st_size,
        model.source,
        str(placement.device),
        str(placement.dtype),
    )


def _release_memory() -> None:
    from sdstudio.engine.memory import release_memory

    release_memory()


CONTROLNETS = ControlNetCache()  # the jobs' ControlNets, shared by every front end's runner
