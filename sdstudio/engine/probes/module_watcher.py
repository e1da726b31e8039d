"""Watching modules during a generation: a forward hook per module, pictures per step.

The hooks only keep a copy of the output; turning it into a picture happens in
:meth:`ModuleWatcher.collect`, called by the consumer of the generation events on its own
(worker) thread. Hooks exist only inside the ``with`` block: nothing watched, nothing hooked.
Modules that run beside the pipeline in one run (a ControlNet unit's model) are watched when
the run gives them as ``run_components``.

    with ModuleWatcher(model.pipeline, ["unet.mid_block"], request) as watcher:
        for event in generate(model, request, cancel):
            for view in watcher.collect(event):
                ...  # view.image: an RGB PIL image of this step
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sdstudio.engine.generation.events import GenerationEvent, ImageFinished, StepEvent
from sdstudio.engine.probes.cfg_halves import CfgHalf, combined_shape
from sdstudio.engine.probes.module_paths import ResolvedModule, RunComponent, resolve_module
from sdstudio.engine.probes.output_tensors import first_tensor
from sdstudio.engine.probes.prompt_tokens import token_count
from sdstudio.engine.probes.spatial import latent_size
from sdstudio.engine.probes.views import ActivationView, ViewContext, ViewSettings, render_calls

if TYPE_CHECKING:
    from sdstudio.engine.generation.request import GenerationRequest

# Two calls are enough for both halves: the UNet's batch holds both, the text encoder runs twice.
_KEPT_CALLS = 2


class _Watched:
    """One module's hook target: the outputs captured since the last picture."""

    def __init__(self, resolved: ResolvedModule) -> None:
        self.resolved = resolved
        self.calls: deque[Any] = deque(maxlen=_KEPT_CALLS)
        self.last_view: ActivationView | None = None

    def record(self, module: Any, args: Any, output: Any) -> None:
        if not self.resolved.running():
            return  # the model runs for another unit now
        tensor = first_tensor(output)
        if tensor is not None:
            # A copy: a later in-place operation must not change what this step showed.
            self.calls.append(tensor.detach().clone())


class ModuleWatcher:
    """Forward hooks on chosen modules, registered on enter and removed on exit, always.

    Paths are checked when the watcher is made, so a typo fails before the run starts.
    ``run_components`` are the run's own modules by name (its ControlNet units' models).
    """

    def __init__(
        self,
        pipeline: Any,
        paths: Iterable[str],
        request: GenerationRequest | None = None,
        settings: ViewSettings | None = None,
        run_components: Mapping[str, RunComponent] | None = None,
    ) -> None:
        self._watched = [
            _Watched(resolve_module(pipeline, path, run_components))
            for path in dict.fromkeys(paths)
        ]
        self.settings = settings or ViewSettings()  # may change between steps
        self._context = _context_for(pipeline, request)
        self._handles: list[Any] = []
        self._step, self._total = 0, 0

    @property
    def paths(self) -> list[str]:
        return [watched.resolved.path for watched in self._watched]

    def __enter__(self) -> ModuleWatcher:
        self.attach()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.detach()

    def attach(self) -> None:
        if self._handles:
            return
        try:
            for watched in self._watched:
                module = watched.resolved.module
                self._handles.append(module.register_forward_hook(watched.record))
        except BaseException:
            self.detach()
            raise

    def detach(self) -> None:
        """Remove every hook and drop the captured tensors (safe to call twice)."""
        while self._handles:
            self._handles.pop().remove()
        for watched in self._watched:
            watched.calls.clear()

    def collect(self, event: GenerationEvent) -> list[ActivationView]:
        """Pictures for what ran since the last call; call after each step and finished image.

        After a :class:`StepEvent` every module that has run for this image gets a picture
        (``fresh=False`` if it did not run again). After an :class:`ImageFinished` only the
        modules that ran since the last step do (``final=True``: the VAE decoding).
        Call it after your own per-step work (a VAE preview) so that work shows this step.
        """
        if isinstance(event, StepEvent):
            self._step, self._total = event.step, event.total
            return self._views(event.image_index, final=False)
        if isinstance(event, ImageFinished):
            return self._views(event.image_index, final=True)
        for watched in self._watched:
            watched.calls.clear()
        return []

    def _views(self, image_index: int, final: bool) -> list[ActivationView]:
        views = []
        for watched in self._watched:
            if watched.calls:
                views.append(self._render(watched, image_index, final))
            elif not final and _same_image(watched.last_view, image_index):
                assert watched.last_view is not None
                views.append(replace(watched.last_view, step=self._step, fresh=False))
        return views

    def _render(self, watched: _Watched, image_index: int, final: bool) -> ActivationView:
        component = watched.resolved.component
        calls = list(watched.calls)
        watched.calls.clear()
        image, mode, half = render_calls(calls, component, self.settings, self._context)
        view = ActivationView(
            module_path=watched.resolved.path,
            image=image,
            shape=combined_shape(calls, component),
            mode=mode,
            half=half,
            step=self._step,
            total=self._total,
            image_index=image_index,
            final=final,
        )
        watched.last_view = view
        return view


def _same_image(view: ActivationView | None, image_index: int) -> bool:
    return view is not None and view.image_index == image_index and not view.final


def _context_for(pipeline: Any, request: GenerationRequest | None) -> ViewContext:
    if request is None:
        return ViewContext()
    tokenizer = getattr(pipeline, "tokenizer", None)
    counts = None
    if tokenizer is not None:
        counts = {
            CfgHalf.PROMPT: token_count(tokenizer, request.prompt),
            CfgHalf.NEGATIVE: token_count(tokenizer, request.negative_prompt),
        }
    return ViewContext(latent_size(pipeline, request.width, request.height), counts)
