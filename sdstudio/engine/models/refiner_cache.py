"""The refiner a job names, loaded beside the main model and kept for the next job.

Loading a model takes seconds to minutes, and a user who sets a refiner keeps it for run after
run, so the last one stays loaded until another is named, the main model moves to another
device, or :meth:`RefinerCache.release` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sdstudio.engine.models.loading import load_model, unload

if TYPE_CHECKING:
    from sdstudio.engine.models.loading import LoadedModel


class RefinerCache:
    """At most one refiner, on the main model's device, with its load options."""

    def __init__(self) -> None:
        self._model: LoadedModel | None = None
        self._key: tuple[str, str, object] | None = None

    def refiner_for(self, spec: str, main: LoadedModel) -> LoadedModel:
        key = (spec, main.placement.device.type, main.options)
        if self._model is None or self._key != key:
            self.release()
            self._model = load_model(spec, device=main.placement.device.type, options=main.options)
            self._key = key
        return self._model

    def release(self) -> None:
        if self._model is not None:
            unload(self._model)
        self._model, self._key = None, None


REFINERS = RefinerCache()  # the jobs' one refiner, shared by every front end's runner
