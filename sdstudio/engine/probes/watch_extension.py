"""Module watching as a loop extension: hooks for the run, pictures after each step."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.generation.extensions import GenerationExtension
from sdstudio.engine.probes.outputs import ActivationViews

if TYPE_CHECKING:
    from sdstudio.engine.generation.events import GenerationEvent, StepEvent
    from sdstudio.engine.generation.run_context import RunContext
    from sdstudio.engine.probes.module_watcher import ModuleWatcher
    from sdstudio.engine.probes.views import ViewSettings


class ModuleWatchExtension(GenerationExtension):
    """Registers the watcher's hooks on enter, removes them on exit, emits its pictures.

    ``view_settings``, when given, is asked before each picture, so a front end can change
    how the running run is drawn (channels or PCA, which guidance half) between steps.
    Placed after the preview extension, it pictures a VAE preview's decoding at its step.
    """

    def __init__(
        self, watcher: ModuleWatcher, view_settings: Callable[[], ViewSettings] | None = None
    ) -> None:
        self._watcher = watcher
        self._view_settings = view_settings

    def __enter__(self) -> ModuleWatchExtension:
        self._watcher.attach()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._watcher.detach()

    def after_step(self, ctx: RunContext, step: StepEvent) -> None:
        self._collect(ctx, step)

    def after_loop(self, ctx: RunContext) -> None:
        assert ctx.image is not None
        finished = ImageFinished(ctx.image, ctx.seed, ctx.image_index, ctx.request.image_count)
        self._collect(ctx, finished)

    def _collect(self, ctx: RunContext, event: GenerationEvent) -> None:
        if self._view_settings is not None:
            self._watcher.settings = self._view_settings()
        views = self._watcher.collect(event)
        if views:
            ctx.emit(ActivationViews(ctx.image_index, tuple(views)))
