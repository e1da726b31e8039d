"""Runs the queue's jobs one after another on the worker, switching models when a job asks.

The window hands every Generate click here as a job; this decides when it runs. While a job
runs, the one that comes next is offered to the worker (:mod:`~sdstudio.ui.job_handoff`),
which starts it the moment the running one ends, so the model never waits on the window;
every change of the queue (a reorder, a removal, Pause, a model switch) updates that offer.
Every change of jobs, order or state is written to ``SDSTUDIO_HOME/queue`` at once.
While Preferences sends queued jobs to a server, new jobs are marked to run there
(:mod:`~sdstudio.ui.server.server_jobs`, and the server's address in the queue file, so a
restored queue still sends them there): they need no model on this machine, and start as
soon as the worker is free, even while no model is loaded here (or one failed to load).
"Run again" queues the copy where Preferences point now, as a new Generate click would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from sdstudio.engine.jobs.job import Job, new_job_id
from sdstudio.engine.jobs.queue_file import QueuedJob, QueueFile
from sdstudio.ui.app_state import AppState
from sdstudio.ui.queue.queue_model import FINISHED_STATES, JobQueueModel
from sdstudio.ui.server.server_jobs import SERVER_JOBS
from sdstudio.ui.server.server_settings import ServerChoice, read_server_choice
from sdstudio.ui.settings_store import SettingsStore
from sdstudio.ui.worker_events import (
    FinishedImage,
    ModelFailed,
    ModelLoading,
    ModelReady,
    RunCancelled,
    RunDone,
    RunFailed,
    RunProgress,
)
from sdstudio.ui.worker_host import WorkerHost


class QueueRunner(QObject):
    """Owns the queue (``model``) and feeds ``worker`` from it.

    ``load_model(spec, allow_download)`` is asked to switch models when the next job names
    another one (once for a run of jobs on the same model). A model that cannot load fails
    the jobs that name it, with the reason, and the queue goes on. The model the user
    chooses (:meth:`choose_model`) is the one new jobs name; while a job runs it loads when
    the queue reaches a job that names it, or when the queue is empty.

    A queue restored at start (:meth:`restore`) is paused, so nothing runs before the user
    says so.

    ``server_choice()`` says, when a job is queued, whether it goes to a server (by
    default the Server preference in settings.ini).

    Signals:
        jobStarted(str): the job with this id was handed to the worker.
        jobEnded(str): the job with this id stopped (done, failed or cancelled); sent
            before the next job starts.
        jobDropped(str): a job that had not started was removed or cancelled (or failed
            because its model did not load): it will not run.
        pausedChanged(bool)
    """

    jobStarted = Signal(str)
    jobEnded = Signal(str)
    jobDropped = Signal(str)
    pausedChanged = Signal(bool)

    def __init__(
        self,
        worker: WorkerHost,
        folder: Path,
        load_model: Callable[[str, bool], None],
        state: AppState,
        parent: QObject | None = None,
        server_choice: Callable[[], ServerChoice] | None = None,
    ) -> None:
        super().__init__(parent)
        self._server_choice = server_choice or (lambda: read_server_choice(SettingsStore()))
        self.model = JobQueueModel(self)
        self._worker = worker
        self._file = QueueFile(folder)
        self._load_model = load_model
        self._state = state
        self._paused = False
        self._running: str | None = None  # the id of the job on the worker
        self._loaded: str | None = None  # the spec of the model the worker holds
        self._loading: str | None = None
        self._asked_for: str | None = None  # a spec this runner asked to load
        self._remove_when_stopped: set[str] = set()
        self._selected: str | None = None  # the model new jobs name (the user's choice)
        self._selected_download = False
        self.model.changed.connect(self._offer_next)
        self.model.changed.connect(self._save)
        worker.on(ModelLoading, self._on_model_loading)
        worker.on(ModelReady, self._on_model_ready)
        worker.on(ModelFailed, self._on_model_failed)
        worker.on(RunProgress, self._on_progress)
        worker.on(FinishedImage, self._on_finished)
        worker.on(RunFailed, self._on_failed)
        worker.on(RunCancelled, self._on_cancelled)
        worker.on(RunDone, self._on_done)

    # -- state ---------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def running_job(self) -> str | None:
        return self._running

    @property
    def loaded_model(self) -> str | None:
        """The spec of the model on the worker (None: one handed in, or none yet)."""
        return self._loaded

    @property
    def selected_model(self) -> str | None:
        """The model new jobs run on; None until one was loaded by name."""
        return self._selected

    @property
    def loading_model(self) -> str | None:
        return self._loading

    def pending_count(self) -> int:
        return self.model.count("pending")

    # -- what the window and the panel ask for -------------------------------------------

    def enqueue(self, job: Job, model_spec: str) -> None:
        """Add ``job`` (to run on ``model_spec``, or on the server when Preferences say
        so) at the end; it starts now if nothing runs."""
        choice = self._server_choice()
        server = None
        if choice.sends_jobs:
            SERVER_JOBS.mark(job.id, choice.url, choice.token)
            server = choice.url
        self.model.add(QueuedJob(job, model_spec, "pending", server))
        self.dispatch()

    def sends_to_server(self) -> bool:
        """New jobs go to a server (Preferences): they can be queued without a model here."""
        return self._server_choice().sends_jobs

    def choose_model(self, spec: str, allow_download: bool = False) -> bool:
        """The user chose ``spec``: load it now if nothing runs (True), else once the
        running job ends and no waiting job names another model (False)."""
        self._selected, self._selected_download = spec, allow_download
        if self._running is None and self._loading is None and not self._worker.busy:
            self._asked_for = None
            self._load_model(spec, allow_download)
            return True
        return False

    @Slot()
    def pause(self) -> None:
        """Start no new job; the running one finishes."""
        self._set_paused(True)

    @Slot()
    def resume(self) -> None:
        self._set_paused(False)
        self.dispatch()

    def remove(self, job_id: str) -> None:
        """Take a job out of the queue; the running one is cancelled first."""
        if job_id == self._running:
            self._remove_when_stopped.add(job_id)
            self._worker.cancel(job_id)
            return
        row = self.model.get(job_id)
        if row is not None and self.model.remove(job_id) and row.state == "pending":
            SERVER_JOBS.forget(job_id)
            self.jobDropped.emit(job_id)

    def cancel_running(self) -> None:
        if self._running is not None:
            self._worker.cancel(self._running)

    def cancel_all(self) -> None:
        """Cancel the running job and every pending one (they stay listed, cancelled)."""
        for queued in self.model.jobs():
            if queued.state == "pending":
                self.model.set_state(queued.job.id, "cancelled", "Cancelled before it ran")
                SERVER_JOBS.forget(queued.job.id)
                self.jobDropped.emit(queued.job.id)
        self.cancel_running()

    def run_again(self, job_id: str) -> None:
        """Queue a copy of a job (same settings and model) at the end, to run where
        Preferences point now (here, or the server), not necessarily where it ran."""
        row = self.model.get(job_id)
        if row is not None:
            self.enqueue(replace(row.queued.job, id=new_job_id()), row.queued.model)

    def clear_finished(self) -> None:
        for queued in self.model.jobs():
            if queued.state in FINISHED_STATES:
                self.model.remove(queued.job.id)

    @Slot()
    def dispatch(self) -> None:
        """Start the next pending job when the worker is free (loading its model first)."""
        if self._paused or self._running is not None or self._loading is not None:
            return
        if self._worker.busy or not self._worker.running:
            return
        queued = self.model.next_pending()
        if queued is None:
            if self._selected is not None and self._selected != self._loaded:
                self._load_model(self._selected, self._selected_download)  # chosen meanwhile
            return
        if not _on_server(queued) and not self._runs_on_loaded_model(queued):
            self._asked_for = queued.model
            self._load_model(queued.model, False)
            return
        if not _on_server(queued) and not self._worker.model_ready:
            # no model here (none given yet, or it failed: the window says so): local jobs
            # wait for one, jobs sent to a server need none and run meanwhile
            queued = self._first_server_job()
            if queued is None:
                return
        self._running = queued.job.id  # before submitting: its events may come at once
        self.model.set_state(queued.job.id, "running")
        self.jobStarted.emit(queued.job.id)
        if not self._worker.submit(queued.job):  # not expected: checked above
            self._running = None
            self.model.set_state(queued.job.id, "pending")
            self._state.error.emit("The worker did not take the job; press Generate again.")

    def _runs_on_loaded_model(self, queued: QueuedJob) -> bool:
        """A model handed in (``loaded_model`` None) runs whatever is queued."""
        return self._loaded is None or queued.model == self._loaded

    def _first_server_job(self) -> QueuedJob | None:
        return next((q for q in self.model.jobs() if q.state == "pending" and _on_server(q)), None)

    @Slot()
    def _offer_next(self) -> None:
        """Keep the worker's hand-off in step with the queue: while a job runs, offer the
        job :meth:`dispatch` would start after it, unless the queue is paused or that job
        needs another model (the switch goes through :meth:`dispatch`)."""
        offer = None
        if self._running is not None and not self._paused and self._loading is None:
            queued = self.model.next_pending()
            if queued is not None and not _on_server(queued):
                if not self._runs_on_loaded_model(queued):
                    queued = None  # a model switch first
                elif not self._worker.model_ready:
                    queued = self._first_server_job()  # as dispatch() would choose
            if queued is not None:
                offer = queued.job
        self._worker.offer_next(offer)

    # -- the worker's reports ------------------------------------------------------------

    def _on_model_loading(self, event: ModelLoading) -> None:
        self._loading = event.spec
        if event.spec != self._asked_for:  # the user's choice (or the start-up model)
            self._selected = event.spec

    def _on_model_ready(self, _event: ModelReady) -> None:
        if self._loading is not None:
            self._loaded, self._loading = self._loading, None
        self._asked_for = None
        self.dispatch()

    def _on_model_failed(self, event: ModelFailed) -> None:
        failed, self._loading = self._loading, None
        if failed is not None and failed == self._asked_for:
            for queued in self.model.jobs():  # they would only ask again, and fail again
                if queued.state == "pending" and queued.model == failed and not _on_server(queued):
                    self.model.set_state(queued.job.id, "failed", event.message)
                    self.jobDropped.emit(queued.job.id)
        self._asked_for = None
        if failed is not None and failed == self._selected:
            self._selected = self._loaded  # never ask again for a model that failed
        # a ModelReady for the previous model follows when it is still loaded; meanwhile
        # (or for good, when none was) the jobs sent to a server can run
        self.dispatch()

    def _on_progress(self, event: RunProgress) -> None:
        done = event.image_index * event.total + event.step
        self.model.set_progress(event.job_id, done / max(1, event.total * event.batch_count))

    def _on_finished(self, event: FinishedImage) -> None:
        self.model.set_thumbnail(event.job_id, event.image)
        if event.path is not None:
            row = self.model.get(event.job_id)
            if row is not None:
                row.message = f"Saved to {event.path}"

    def _on_failed(self, event: RunFailed) -> None:
        self.model.set_state(event.job_id, "failed", event.message)

    def _on_cancelled(self, event: RunCancelled) -> None:
        self.model.set_state(event.job_id, "cancelled", f"Cancelled after step {event.after_step}")

    def _on_done(self, event: RunDone) -> None:
        if event.job_id != self._running:
            return
        self._running = None
        SERVER_JOBS.forget(event.job_id)
        row = self.model.get(event.job_id)
        if row is not None and row.state == "running":
            self.model.set_state(event.job_id, "done")
        self.jobEnded.emit(event.job_id)
        if event.next_job_id is not None:
            self._taken_by_worker(event.next_job_id)
        else:
            self.dispatch()
        if event.job_id in self._remove_when_stopped:
            self._remove_when_stopped.discard(event.job_id)
            self.model.remove(event.job_id)

    def _taken_by_worker(self, job_id: str) -> None:
        """The worker started the offered ``job_id`` on its own. If the user withdrew it in
        the meantime (removed, cancelled), it is cancelled before its next step."""
        self._running = job_id
        row = self.model.get(job_id)
        if row is None or row.state != "pending":
            self._worker.cancel(job_id)
            return
        self.model.set_state(job_id, "running")
        self.jobStarted.emit(job_id)

    # -- persistence ---------------------------------------------------------------------

    def _set_paused(self, paused: bool) -> None:
        if paused != self._paused:
            self._paused = paused
            self._offer_next()
            self.pausedChanged.emit(paused)

    def restore(self) -> None:
        """Bring back the jobs that were waiting when the app last stopped, paused (call
        once, when messages can be shown)."""
        loaded = self._file.load()
        for message in loaded.messages:
            self._state.error.emit(message)
        choice = self._server_choice()
        for queued in loaded.jobs:
            if queued.state != "pending":
                continue
            if queued.server:  # still sent there; the token is the one kept in settings
                token = choice.token if queued.server == choice.url else ""
                SERVER_JOBS.mark(queued.job.id, queued.server, token)
            self.model.add(queued)
        if self.model.rowCount():
            self._set_paused(True)
            self._state.tell(
                f"{self.model.rowCount()} queued jobs from last time are waiting: "
                "press Resume to run them."
            )

    @Slot()
    def _save(self) -> None:
        waiting = [queued for queued in self.model.jobs() if queued.state in ("pending", "running")]
        try:
            self._file.save(waiting)
        except OSError as error:
            self._state.error.emit(f"Could not save the queue: {error}")


def _on_server(queued: QueuedJob) -> bool:
    """The job was sent to a server (it needs no model here)."""
    return queued.server is not None
