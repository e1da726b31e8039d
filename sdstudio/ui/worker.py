"""The generation worker: a QObject that lives in its own QThread and owns the model.

It turns the engine's events into Qt signals. It never touches a widget or a QPixmap;
previews travel as QImages through a :class:`LatestSlot` so the GUI only sees the newest.
torch and diffusers are imported here, in the worker thread, never on the GUI thread.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.previews.settings import PreviewKind
from sdstudio.ui.image_convert import pil_to_qimage
from sdstudio.ui.latest_slot import LatestSlot
from sdstudio.ui.load_progress_relay import LoadProgressRelay
from sdstudio.ui.probes.messages import InspectionOptions
from sdstudio.ui.probes.run_inspector import RunInspector
from sdstudio.ui.result_saving import save_result

if TYPE_CHECKING:
    from sdstudio.engine.models.load_options import LoadOptions
    from sdstudio.engine.models.loading import LoadedModel

logger = logging.getLogger(__name__)

MAX_FRAMES = 200
OUT_OF_MEMORY = (
    "Out of memory: try a smaller width and height, fewer images per batch, or a smaller model."
)


@dataclass(frozen=True)
class PreviewFrame:
    """One decoded preview: what step ``step`` of ``total`` looked like."""

    step: int
    total: int
    image: QImage


@dataclass(frozen=True)
class FinishedImage:
    """A finished image, where it was saved (None if saving failed) and how it was made."""

    image: QImage
    path: Path | None
    seed: int
    request: GenerationRequest
    image_index: int = 0
    batch_count: int = 1
    frames: tuple[PreviewFrame, ...] = field(default=(), repr=False)


def describe_failure(error: BaseException) -> str:
    """A one-line message for an unexpected failure (no traceback for the user)."""
    if isinstance(error, MemoryError) or "out of memory" in str(error).lower():
        return OUT_OF_MEMORY
    return f"Generation failed: {type(error).__name__}: {error}"


class GenerationWorker(QObject):
    """Loads a model and runs generations in the thread it was moved to.

    Signals:
        modelLoading(str): loading the named model started.
        modelReady(str, str): a model is ready (name, description to show).
        modelFailed(str): loading failed (message for the user); when the previous model is
            still loaded, ``modelReady`` follows for it.
        modelProgress(object): a :class:`LoadProgress` of the load under way (throttled).
        modelInUse(object): the :class:`LoadedModel` in use, just before each ``modelReady``
            (for reading its module structure; it runs on this thread only).
        started(int): a run began (batch count).
        progress(int, int, int, int, float): step, total, image index, batch count, seconds
            since the run's first step.
        previewPosted(): a preview waits in the slot (sent only when the slot was empty).
        finished(object): a :class:`FinishedImage`, once per image of the batch.
        cancelled(int): the run stopped after that many steps of the current image.
        failed(str): the run failed (message for the user).
        notice(str): something worth telling the user that did not stop the run.
        done(): the run is over, however it ended.
    """

    modelLoading = Signal(str)
    modelReady = Signal(str, str)
    modelFailed = Signal(str)
    modelProgress = Signal(object)
    modelInUse = Signal(object)
    started = Signal(int)
    progress = Signal(int, int, int, int, float)
    previewPosted = Signal()
    finished = Signal(object)
    cancelled = Signal(int)
    failed = Signal(str)
    notice = Signal(str)
    done = Signal()

    def __init__(
        self,
        cancel: CancelToken,
        previews: LatestSlot[PreviewFrame],
        output_dir: Path | None = None,
        device: str = "auto",
        inspector: RunInspector | None = None,
    ) -> None:
        super().__init__()
        self._inspector = inspector if inspector is not None else RunInspector()
        self._cancel = cancel
        self._previews = previews
        self._output_dir = output_dir
        self._device = device
        self._model: LoadedModel | None = None
        self._owns_model = False  # a model handed in by use_model() is never unloaded here

    @Slot(str, object)
    def load_model(self, spec: str, options: LoadOptions | None = None) -> None:
        """Switch to ``spec``; the current model stays usable if the new one cannot load."""
        self.modelLoading.emit(spec)
        try:
            from sdstudio.engine.generation import denoising  # noqa: F401  (warm the import for Generate)
            from sdstudio.engine.models.loading import switch_model

            current = self._model if self._owns_model else None
            relay = LoadProgressRelay(self.modelProgress.emit)
            model = switch_model(current, spec, self._device, options, relay)
        except UserFacingError as error:
            self._load_failed(str(error))
        except Exception as error:
            logger.exception("Loading %s failed", spec)
            self._load_failed(f"Could not load the model: {error}")
        else:
            self._adopt(model, owned=True)

    def _load_failed(self, message: str) -> None:
        self.modelFailed.emit(message)
        if self._model is not None and self._model.is_loaded:
            self.modelInUse.emit(self._model)
            self.modelReady.emit(self._model.name, self._model.description)
        else:
            self._model = None

    @Slot(object)
    def use_model(self, model: LoadedModel) -> None:
        """Adopt an already loaded model (tests and other front ends share one)."""
        self._adopt(model, owned=False)

    def _adopt(self, model: LoadedModel, owned: bool) -> None:
        from sdstudio.engine.metadata import start_model_hash

        self._model, self._owns_model = model, owned
        start_model_hash(model.source)  # in the background, ready for the saved images
        self.modelInUse.emit(model)
        self.modelReady.emit(model.name, model.description)

    @Slot(object, str, object)
    def generate(
        self,
        request: GenerationRequest,
        preview_kind: str,
        inspection: InspectionOptions | None = None,
    ) -> None:
        self.started.emit(request.batch_count)
        try:
            model = self._model
            if model is None:
                raise UserFacingError("No model is loaded yet.")
            from sdstudio.engine.memory import run_guarded

            run_guarded(lambda: self._run(model, request, preview_kind, inspection), "generation")
        except UserFacingError as error:
            self.failed.emit(str(error))
        except Exception as error:
            logger.exception("Generation failed")
            self.failed.emit(describe_failure(error))
        finally:
            self._inspector.close()  # no hook or processor outlives the run
            self.done.emit()

    def _run(
        self,
        model: LoadedModel,
        request: GenerationRequest,
        preview_kind: str,
        inspection: InspectionOptions | None = None,
    ) -> None:
        from sdstudio.engine.generation.denoising import generate
        from sdstudio.engine.generation.events import Cancelled, ImageFinished, StepEvent

        previews = self._preview_tools(model, preview_kind)
        first_step_at: float | None = None
        total = 0
        events = generate(model, request, self._cancel)
        for event in self._inspector.inspect(model.pipeline, request, inspection, events):
            if isinstance(event, StepEvent):
                now = time.monotonic()
                first_step_at = first_step_at if first_step_at is not None else now
                total = event.total
                self.progress.emit(
                    event.step, event.total, event.image_index, event.batch_count,
                    now - first_step_at,
                )  # fmt: skip
                if previews is not None and not self._post_preview(previews, event):
                    previews = None
            elif isinstance(event, ImageFinished):
                frames = previews.take_frames(total) if previews is not None else ()
                self.finished.emit(
                    self._finished_image(event, request, frames, model, preview_kind)
                )
            elif isinstance(event, Cancelled):
                self.cancelled.emit(event.after_step)

    def _preview_tools(self, model: LoadedModel, kind: str) -> _PreviewTools | None:
        """Decoder, throttle and recorder for ``kind``; None when off or unavailable."""
        if kind == PreviewKind.NONE:
            return None
        from sdstudio.engine.previews import (
            PreviewRecorder,
            PreviewSettings,
            PreviewThrottle,
            create_preview_decoder,
        )

        settings = PreviewSettings(kind=PreviewKind(kind))
        try:
            decoder = create_preview_decoder(model, settings)
        except UserFacingError as error:
            self.notice.emit(f"{error} Generating without previews.")
            return None
        if decoder is None:
            return None
        return _PreviewTools(decoder, PreviewThrottle(settings), PreviewRecorder(MAX_FRAMES))

    def _post_preview(self, previews: _PreviewTools, event: Any) -> bool:
        """Decode and post a preview if it is due; False if previews broke and must stop."""
        if not previews.throttle.should_preview(event):
            return True
        try:
            picture = previews.decoder.decode(event)
        except Exception as error:  # a broken preview must not cost the user the image
            logger.exception("Preview decoding failed")
            self.notice.emit(f"Previews stopped: {error}")
            return False
        previews.recorder.add(event.step, picture)
        if self._previews.put(PreviewFrame(event.step, event.total, pil_to_qimage(picture))):
            self.previewPosted.emit()
        return True

    def _finished_image(
        self,
        event: Any,
        request: GenerationRequest,
        frames: tuple[PreviewFrame, ...],
        model: LoadedModel,
        preview_kind: str,
    ) -> FinishedImage:
        try:
            path: Path | None = save_result(
                event.image, request, model, event.seed, self._output_dir, preview_kind
            )
        except OSError as error:
            self.notice.emit(f"Could not save the image: {error}")
            path = None
        return FinishedImage(
            image=pil_to_qimage(event.image),
            path=path,
            seed=event.seed,
            request=request,
            image_index=event.image_index,
            batch_count=event.batch_count,
            frames=frames,
        )


@dataclass
class _PreviewTools:
    """What one run's previews need: the decoder, when to decode, and the frames so far."""

    decoder: Any  # PreviewDecoder
    throttle: Any  # PreviewThrottle
    recorder: Any  # PreviewRecorder (bounded: thins older frames, keeps first and newest)

    def take_frames(self, total: int) -> tuple[PreviewFrame, ...]:
        """The recorded frames of the image that just finished, as QImages; then forget them."""
        frames = tuple(
            PreviewFrame(step, total, pil_to_qimage(picture))
            for step, picture in self.recorder.frames
        )
        self.recorder.clear()
        self.throttle.reset()
        return frames
