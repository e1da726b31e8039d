"""The generation worker: a QObject that lives in its own QThread and owns the model.

It runs the engine's jobs and turns their events into :mod:`~sdstudio.ui.worker_events`
values on one signal. It never touches a widget or a QPixmap; previews and the watched
modules' pictures travel as QImages through :class:`LatestSlot`\\ s so the GUI only sees
the newest. torch and diffusers are imported here, in the worker thread, never on the GUI
thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

import sdstudio.ui.worker_events as events
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.probes.views import ViewSettings
from sdstudio.ui.image_convert import pil_to_qimage
from sdstudio.ui.job_handoff import JobHandoff
from sdstudio.ui.latest_slot import LatestSlot
from sdstudio.ui.load_progress_relay import LoadProgressRelay
from sdstudio.ui.probes.activation_recorder import ActivationRecorder
from sdstudio.ui.probes.messages import ActivationFrame, AttentionResult
from sdstudio.ui.server.server_jobs import SERVER_JOBS, run_on_server

if TYPE_CHECKING:
    from sdstudio.engine.jobs.job import Job
    from sdstudio.engine.models.load_options import LoadOptions
    from sdstudio.engine.models.loading import LoadedModel
    from sdstudio.engine.probes.views import ActivationView

logger = logging.getLogger(__name__)


class GenerationWorker(QObject):
    """Loads a model and runs jobs in the thread it was moved to.

    Signals:
        event(object): one of the :mod:`~sdstudio.ui.worker_events` values. Previews and
            live activation pictures wait in ``previews``/``activations`` (tagged with
            their job's id); a ``_Posted`` event says so only when the slot was empty.

    When a job ends, the worker takes the next one from ``handoff`` (if the window offered
    one) and starts it at once; ``view`` is the host's (read, set) pair of the view
    settings, so the taken job's own apply from its first step.
    """

    event = Signal(object)

    def __init__(
        self,
        handoff: JobHandoff,
        previews: LatestSlot[tuple[str, events.PreviewFrame]],
        activations: LatestSlot[tuple[str, tuple[ActivationFrame, ...]]],
        view: tuple[Callable[[], ViewSettings], Callable[[ViewSettings], None]],
        device: str = "auto",
    ) -> None:
        super().__init__()
        self._handoff = handoff
        self._previews = previews
        self._activations = activations
        self._view_settings, self._set_view = view
        self._device = device
        self._model: LoadedModel | None = None
        self._owns_model = False  # a model handed in by use_model() is never unloaded here

    @Slot(str, object)
    def load_model(self, spec: str, options: LoadOptions | None = None) -> None:
        """Switch to ``spec``; the current model stays usable if the new one cannot load."""
        self.event.emit(events.ModelLoading(spec))
        try:
            from sdstudio.engine.jobs import runner  # noqa: F401  (warm the import for Generate)
            from sdstudio.engine.models.loading import switch_model

            current = self._model if self._owns_model else None
            relay = LoadProgressRelay(
                lambda progress: self.event.emit(events.ModelProgress(progress))
            )
            model = switch_model(current, spec, self._device, options, relay)
        except UserFacingError as error:
            self._load_failed(str(error))
        except Exception as error:
            logger.exception("Loading %s failed", spec)
            self._load_failed(f"Could not load the model: {error}")
        else:
            self._adopt(model, owned=True)

    def _load_failed(self, message: str) -> None:
        self.event.emit(events.ModelFailed(message))
        if self._model is not None and self._model.is_loaded:
            self._announce(self._model)
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
        self._announce(model)

    def _announce(self, model: LoadedModel) -> None:
        from sdstudio.engine.prompts.token_count import PromptCounter

        counter = PromptCounter.for_pipeline(model.pipeline)
        self.event.emit(events.ModelReady(model.name, model.description, model, counter))

    @Slot(object)
    def run(self, job: Job) -> None:
        """Run ``job``, then each job taken from the hand-off; every job ends with a
        ``RunDone`` that names the job taken after it."""
        from sdstudio.engine.jobs import events as job_events
        from sdstudio.engine.jobs.runner import run_job

        running: Job | None = job
        while running is not None:
            translator = _JobTranslator(running, self.event.emit, self._previews, self._activations)
            cancel = self._handoff.token_for(running.id)
            taken = None
            server = SERVER_JOBS.server_of(running.id)  # marked by the queue: no model here
            if server is not None:
                job_events_of = run_on_server(running, server, cancel)
            else:
                job_events_of = run_job(self._model, running, cancel, self._view_settings)
            for event in job_events_of:
                if isinstance(event.payload, job_events.JobDone):
                    taken = self._handoff.take()  # before RunDone, which tells the window
                    if taken is not None:
                        self._set_view(taken.probes.view)
                    next_id = None if taken is None else taken.id
                    self.event.emit(events.RunDone(running.id, next_id))
                else:
                    translator.send(event.payload)
            running = taken


class _JobTranslator:
    """Engine payloads of one job to window events (QImages, per-image recordings)."""

    def __init__(
        self,
        job: Job,
        emit: Callable[[object], None],
        previews: LatestSlot[tuple[str, events.PreviewFrame]],
        activations: LatestSlot[tuple[str, tuple[ActivationFrame, ...]]],
    ) -> None:
        self._job = job
        self._emit = emit
        self._previews = previews
        self._activations = activations
        self._recorder = ActivationRecorder()
        self._attention: dict[int, AttentionResult] = {}  # sent after their image
        self._first_step_at: float | None = None
        self._total = 0
        # Previews already made QImages, by picture: the finished image's frames reuse them
        # instead of converting again while the next job waits (the picture is kept too,
        # so its id stays its own).
        self._shown: dict[int, tuple[Any, QImage]] = {}

    def send(self, payload: Any) -> None:
        from sdstudio.engine.generation import events as loop
        from sdstudio.engine.jobs import events as job
        from sdstudio.engine.previews.extension import PreviewImage
        from sdstudio.engine.probes.outputs import ActivationViews, AttentionMaps

        job_id = self._job.id
        if isinstance(payload, loop.StepEvent):
            now = time.monotonic()
            if self._first_step_at is None:
                self._first_step_at = now
            self._total = payload.total
            self._progress(payload, now - self._first_step_at)
        elif isinstance(payload, PreviewImage):
            if payload.image_index % self._job.request.batch_size != 0:
                return  # the canvas follows a batch's first image, as A1111's preview does
            qimage = pil_to_qimage(payload.image)
            self._shown[id(payload.image)] = (payload.image, qimage)
            frame = events.PreviewFrame(payload.step, payload.total, qimage)
            if self._previews.put((job_id, frame)):
                self._emit(events._Posted())
        elif isinstance(payload, ActivationViews):
            frames = tuple(_frame(view) for view in payload.views)
            for frame in frames:
                self._recorder.add(frame)
            if self._activations.put((job_id, frames)):
                self._emit(events._Posted())
        elif isinstance(payload, AttentionMaps):
            self._attention[payload.image_index] = AttentionResult(
                payload.image_index, payload.maps
            )
        elif isinstance(payload, job.ImageSaved):
            self._image_saved(payload)
        elif isinstance(payload, job.JobStarted):
            self._emit(events.RunStarted(job_id, payload.batch_count))
        elif isinstance(payload, loop.Cancelled):
            self._emit(events.RunCancelled(job_id, self._user_step(payload.after_step)))
        elif isinstance(payload, loop.Notice):
            self._emit(events.Notice(job_id, payload.text, payload.topic))
        elif isinstance(payload, job.JobFailed):
            self._emit(events.RunFailed(job_id, payload.message))

    def _progress(self, step: Any, elapsed: float) -> None:
        """One progress event per UNet step: the images of a batch step together, so their
        progress counts batches (the bar then moves evenly and the rate is per UNet step).
        Steps are the user's, not the UNet calls (PNDM's 20 steps make 21 calls)."""
        from sdstudio.ui.step_numbers import shown_step

        request = self._job.request
        size = request.batch_size
        if step.row != size - 1:
            return  # the batch's last image closes the step
        number, total = shown_step(step.step, step.total, request.effective_steps)
        self._emit(
            events.RunProgress(
                self._job.id, number, total, step.image_index // size,
                step.batch_count // size, elapsed, size, self._job.sd_upscale is not None,
            )
        )  # fmt: skip

    def _user_step(self, calls_done: int) -> int:
        """The step the user reads for ``calls_done`` UNet calls (PNDM makes one more)."""
        from sdstudio.ui.step_numbers import shown_step

        if calls_done <= 0:
            return 0
        return shown_step(calls_done, self._total, self._job.request.effective_steps)[0]

    def _qimage_of(self, picture: Any) -> QImage:
        shown = self._shown.get(id(picture))
        return shown[1] if shown is not None and shown[0] is picture else pil_to_qimage(picture)

    def _image_saved(self, saved: Any) -> None:
        """The image first, then what was recorded about it, as the panels expect."""
        job_id = self._job.id
        frames = tuple(
            events.PreviewFrame(step, self._total, self._qimage_of(picture))
            for step, picture in saved.frames
        )
        self._shown.clear()  # the next image's previews start afresh
        self._emit(
            events.FinishedImage(
                job_id=job_id,
                image=pil_to_qimage(saved.image),
                path=saved.path,
                seed=saved.seed,
                request=self._job.request,
                image_index=saved.image_index,
                batch_count=saved.batch_count,
                frames=frames,
            )
        )
        if self._job.probes.watch:
            self._emit(events.ImageActivations(job_id, self._recorder.take(saved.image_index)))
        attention = self._attention.pop(saved.image_index, None)
        if attention is not None:
            self._emit(events.AttentionReady(job_id, attention))


def _frame(view: ActivationView) -> ActivationFrame:
    return ActivationFrame(
        module_path=view.module_path,
        step=view.step,
        total=view.total,
        image=pil_to_qimage(view.image),
        shape=view.shape,
        mode=view.mode,
        half=view.half.value,
        image_index=view.image_index,
        fresh=view.fresh,
        final=view.final,
    )
