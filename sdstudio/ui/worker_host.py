"""The GUI-thread side of the generation worker: owns its QThread and relays its events."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

import sdstudio.ui.worker_events as events
from sdstudio.engine.probes.views import ViewSettings
from sdstudio.ui.job_handoff import JobHandoff
from sdstudio.ui.latest_slot import LatestSlot
from sdstudio.ui.probes.messages import ActivationFrame
from sdstudio.ui.server.server_jobs import SERVER_JOBS
from sdstudio.ui.worker import GenerationWorker

if TYPE_CHECKING:
    from sdstudio.engine.jobs.job import Job
    from sdstudio.engine.models.load_options import LoadOptions
    from sdstudio.engine.models.loading import LoadedModel

Event = TypeVar("Event")


class WorkerHost(QObject):
    """Starts the worker thread, forwards jobs to it and relays its events.

    The GUI never waits on the worker: requests are queued signals, cancel is a flag (one
    per job). While a job runs, the next one can be offered (:meth:`offer_next`): the worker
    starts it as soon as the running one ends, without waiting for the GUI, and its
    ``RunDone`` says so. Shutting down cancels the run and waits for the thread (at most the
    current step, or a model load that is already under way).

    Signals (delivered on the GUI thread):
        event(object): a :mod:`~sdstudio.ui.worker_events` value. :meth:`on` subscribes to
            one kind of event. ``busy``, ``running_job`` and ``model_ready`` are already up
            to date when a ``RunDone`` or ``ModelReady`` arrives.
    """

    event = Signal(object)

    _loadRequested = Signal(str, object)
    _useRequested = Signal(object)
    _runRequested = Signal(object)

    def __init__(self, device: str = "auto", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handoff = JobHandoff()
        self._previews: LatestSlot[tuple[str, events.PreviewFrame]] = LatestSlot()
        self._activations: LatestSlot[tuple[str, tuple[ActivationFrame, ...]]] = LatestSlot()
        self._view = ViewSettings()
        self._busy = False
        self._running_job: str | None = None
        self._model_ready = False
        self._thread = QThread()
        self._thread.setObjectName("sdstudio-generation")
        self._worker = GenerationWorker(
            self._handoff,
            self._previews,
            self._activations,
            (self.view_settings, self.set_view_settings),
            device,
        )
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._loadRequested.connect(self._worker.load_model)
        self._useRequested.connect(self._worker.use_model)
        self._runRequested.connect(self._worker.run)
        self._worker.event.connect(self._relay)
        self._thread.start()

    @property
    def busy(self) -> bool:
        """A job was submitted and has not reported ``RunDone`` yet."""
        return self._busy

    @property
    def running_job(self) -> str | None:
        """The id of the job on the worker (None when idle)."""
        return self._running_job

    @property
    def model_ready(self) -> bool:
        return self._model_ready

    @property
    def running(self) -> bool:
        """The worker thread is alive (False after :meth:`shutdown`)."""
        return self._thread.isRunning()

    def on(self, kind: type[Event], handler: Callable[[Event], Any]) -> None:
        """Call ``handler`` with each event of type ``kind``.

        When ``handler`` is a QObject's method, the subscription ends with that object.
        """
        owner = getattr(handler, "__self__", None)
        relay = _EventFilter(kind, handler, owner if isinstance(owner, QObject) else self)
        self.event.connect(relay.deliver)

    def load_model(self, spec: str, options: LoadOptions | None = None) -> None:
        """Load ``spec`` ("demo", a folder, a checkpoint, a hub id) in the worker thread."""
        self._model_ready = False
        self._loadRequested.emit(spec, options)

    def use_model(self, model: LoadedModel) -> None:
        """Hand the worker a model that is already loaded."""
        self._useRequested.emit(model)

    def submit(self, job: Job) -> bool:
        """Run ``job``; False (and nothing queued) while busy, or without a model for a job
        that runs here (one marked for a server needs none)."""
        needs_model = SERVER_JOBS.server_of(job.id) is None
        if self._busy or (needs_model and not self._model_ready) or not self.running:
            return False
        self._busy = True
        self._running_job = job.id
        self._handoff.token_for(job.id)  # here, not in the worker: an early Cancel counts
        self._view = job.probes.view
        self._runRequested.emit(job)
        return True

    def offer_next(self, job: Job | None) -> None:
        """The job to start the moment the running one ends (None: none). It may be
        replaced or withdrawn until the worker takes it; ``RunDone.next_job_id`` says
        when it did."""
        self._handoff.offer(job)

    def offered_job(self) -> str | None:
        """The id of the job on offer that the worker has not taken yet."""
        return self._handoff.offered()

    def cancel(self, job_id: str | None = None) -> None:
        """Ask ``job_id`` (default: the running job) to stop before its next step (safe to
        call at any time; a job that has ended is not affected)."""
        job_id = job_id or self._running_job
        if job_id is not None:
            self._handoff.cancel(job_id)

    def set_view_settings(self, settings: ViewSettings) -> None:
        """How watched modules are drawn from the running job's next step on (also called
        by the worker, for a job it takes from the hand-off)."""
        self._view = settings  # one reference swap: the worker reads whole settings

    def view_settings(self) -> ViewSettings:
        return self._view

    @Slot()
    def shutdown(self) -> None:
        """Cancel, stop the thread and wait for it; afterwards nothing more is emitted."""
        if not self._thread.isRunning():
            return
        self._handoff.cancel_everything()
        self._thread.quit()
        self._thread.wait()
        self.blockSignals(True)
        self._busy = False

    @Slot(object)
    def _relay(self, event: object) -> None:
        if isinstance(event, events._Posted):
            self._drain()
            return
        if isinstance(event, events.ModelLoading | events.ModelFailed):
            self._model_ready = False
        elif isinstance(event, events.ModelReady):
            self._model_ready = True
        elif isinstance(event, events.RunDone):
            self._handoff.forget(event.job_id)
            self._running_job = event.next_job_id
            self._busy = event.next_job_id is not None
        self.event.emit(event)

    def _drain(self) -> None:
        """Deliver what waits in the slots, under the id of the job that put it there (a
        job taken from the hand-off may already have replaced the one that posted)."""
        preview = self._previews.take()
        if preview is not None:
            self.event.emit(events.StepPreview(*preview))
        activations = self._activations.take()
        if activations is not None:
            self.event.emit(events.StepActivations(*activations))


class _EventFilter(QObject):
    """One subscription: passes the events of one kind on; lives as long as its owner."""

    def __init__(self, kind: type, handler: Callable[[Any], Any], owner: QObject) -> None:
        super().__init__(owner)
        self._kind = kind
        self._handler = handler

    @Slot(object)
    def deliver(self, event: object) -> None:
        if isinstance(event, self._kind):
            self._handler(event)
