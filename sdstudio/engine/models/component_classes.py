"""Which classes a model folder's ``model_index.json`` may name: library classes, nothing else.

The index maps each component to ``[library, class]``. Resolving that the usual way,
``importlib.import_module(library)``, runs whatever module the file names: ``"this"`` prints
the Zen of Python, an ``evilmod.py`` beside the folder runs. Here a class is only looked up as
an attribute of diffusers' or transformers' top-level module (or of one of diffusers' own
pipeline packages, where SD 1.x names its safety checker), and it must be a model, tokenizer,
scheduler, feature-extractor or processor class. Anything else is refused by name and never
imported.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

LIBRARIES = ("diffusers", "transformers")


@dataclass(frozen=True)
class RefusedComponent:
    """A component whose ``[library, class]`` is not one sdstudio resolves."""

    name: str
    entry: Any  # as the index gives it

    @property
    def library(self) -> str:
        return str(self.entry[0]) if _is_pair(self.entry) else repr(self.entry)

    def describe(self) -> str:
        """One sentence naming the component and the library, for any front end."""
        if not _is_pair(self.entry):
            return (
                f"model_index.json gives the '{self.name}' component as {self.entry!r}, "
                "not as [library, class]."
            )
        return (
            f"model_index.json names the '{self.name}' component {self.entry[1]!r} from "
            f"{self.library!r}; sdstudio only loads model, tokenizer and scheduler classes of "
            f"{' and '.join(LIBRARIES)}, so it does not import it."
        )


def component_entries(index: Mapping[str, Any]) -> dict[str, Any]:
    """The components an index names, without those it marks absent (``[null, null]``: no
    library, which diffusers skips too). Settings are booleans and numbers; any list, string
    or object could be unpacked as ``(library, class)``, so each counts as a component."""
    return {
        name: entry
        for name, entry in index.items()
        if not name.startswith("_")
        and isinstance(entry, list | str | dict)
        and not (isinstance(entry, list) and entry[:1] == [None])
    }


def refused_components(index: Mapping[str, Any]) -> dict[str, RefusedComponent]:
    """Every component whose class is not an allowed library class, by name."""
    return {
        name: RefusedComponent(name, entry)
        for name, entry in component_entries(index).items()
        if component_class(entry) is None
    }


def left_out_components(pipeline_class: type, index: Mapping[str, Any]) -> dict[str, None]:
    """``from_pretrained`` keywords that leave out each refused component the pipeline would
    load (diffusers skips a component given as None; it ignores names it does not take)."""
    accepted = inspect.signature(pipeline_class.__init__).parameters
    return {name: None for name in refused_components(index) if name in accepted}


def component_class(entry: Any) -> type | None:
    """The class ``[library, class]`` names when it is an allowed one, else None.

    Only diffusers, transformers and diffusers' pipeline packages are ever imported."""
    if not _is_pair(entry):
        return None
    library, class_name = entry
    if not class_name.isidentifier() or class_name.startswith("_"):
        return None
    try:
        module = _library_module(library)
        found = getattr(module, class_name, None) if module is not None else None
    except (ImportError, RuntimeError):  # a class whose optional dependency is missing
        return None
    if isinstance(found, type) and issubclass(found, _allowed_bases()):
        return found
    return None


def _is_pair(entry: Any) -> bool:
    return (
        isinstance(entry, list | tuple)
        and len(entry) == 2
        and all(isinstance(part, str) for part in entry)
    )


def _library_module(library: str) -> ModuleType | None:
    if library in LIBRARIES:
        return importlib.import_module(library)  # one of two fixed names, never the file's
    if not library.isidentifier() or library.startswith("_"):
        return None
    from diffusers import pipelines

    # diffusers' own packages (``stable_diffusion``), found the way its loader finds them
    package = getattr(pipelines, library, None)
    if isinstance(package, ModuleType) and package.__name__ == f"{pipelines.__name__}.{library}":
        return package
    return None


@cache
def _allowed_bases() -> tuple[type, ...]:
    """Models, tokenizers, schedulers, feature extractors and processors; not pipelines
    (a nested index) nor Auto classes (which pick a class from the files)."""
    from diffusers import ModelMixin, SchedulerMixin
    from transformers import (
        FeatureExtractionMixin,
        ImageProcessingMixin,
        PreTrainedModel,
        PreTrainedTokenizerBase,
        ProcessorMixin,
    )

    return (
        ModelMixin,
        SchedulerMixin,
        PreTrainedModel,
        PreTrainedTokenizerBase,
        FeatureExtractionMixin,
        ImageProcessingMixin,
        ProcessorMixin,
    )
