"""The GUI-thread side of the generation worker: owns its QThread and drains the previews."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QImage

from sdstudio.engine.cancel import CancelToken
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.previews.settings import PreviewKind
from sdstudio.ui.latest_slot import LatestSlot
from sdstudio.ui.probes.messages import InspectionOptions
from sdstudio.ui.probes.run_inspector import RunInspector
from sdstudio.ui.worker import GenerationWorker, PreviewFrame

if TYPE_CHECKING:
    from sdstudio.engine.models.load_options import LoadOptions
    from sdstudio.engine.models.loading import LoadedModel

PREVIEW_KINDS = frozenset(kind.value for kind in PreviewKind)


class WorkerHost(QObject):
    """Starts the worker thread, forwards requests to it and relays its signals.

    The GUI never waits on the worker: requests are queued signals, cancel is a flag.
    Shutting down cancels the run and waits for the thread (at most the current step, or a
    model load that is already under way).

    Signals (all delivered on the GUI thread):
        modelLoading(str), modelReady(str, str), modelFailed(str), modelProgress(object),
            modelInUse(object): as the worker's.
        started(int), progress(int, int, int, int, float), finished(object),
        cancelled(int), failed(str), notice(str): as the worker's.
        stepPreview(int, int, QImage): the newest preview (step, total, image); stale ones
            are skipped, never queued.
        done(): the run is over; ``busy`` is False again.
        modelChanged(): ``model_ready`` changed.

    ``inspector`` (:class:`RunInspector`) carries the watched modules' pictures and the
    attention maps of runs that asked for them.
    """

    modelLoading = Signal(str)
    modelReady = Signal(str, str)
    modelFailed = Signal(str)
    modelProgress = Signal(object)
    modelInUse = Signal(object)
    modelChanged = Signal()
    started = Signal(int)
    progress = Signal(int, int, int, int, float)
    stepPreview = Signal(int, int, QImage)
    finished = Signal(object)
    cancelled = Signal(int)
    failed = Signal(str)
    notice = Signal(str)
    done = Signal()

    _loadRequested = Signal(str, object)
    _useRequested = Signal(object)
    _generateRequested = Signal(object, str, object)

    def __init__(
        self, output_dir: Path | None = None, device: str = "auto", parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._cancel = CancelToken()
        self._previews: LatestSlot[PreviewFrame] = LatestSlot()
        self._busy = False
        self._model_ready = False
        self._thread = QThread()
        self._thread.setObjectName("sdstudio-generation")
        self.inspector = RunInspector(self)
        self._worker = GenerationWorker(
            self._cancel, self._previews, output_dir, device, self.inspector
        )
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._connect_worker(self._worker)
        self._thread.start()

    def _connect_worker(self, worker: GenerationWorker) -> None:
        self._loadRequested.connect(worker.load_model)
        self._useRequested.connect(worker.use_model)
        self._generateRequested.connect(worker.generate)
        worker.modelLoading.connect(self._on_model_loading)
        worker.modelReady.connect(self._on_model_ready)
        worker.modelFailed.connect(self._on_model_failed)
        worker.modelProgress.connect(self.modelProgress)
        worker.modelInUse.connect(self.modelInUse)
        worker.previewPosted.connect(self._drain_preview)
        worker.done.connect(self._on_done)
        for name in ("started", "progress", "finished", "cancelled", "failed", "notice"):
            getattr(worker, name).connect(getattr(self, name))

    @property
    def busy(self) -> bool:
        """A run was requested and has not reported ``done`` yet."""
        return self._busy

    @property
    def model_ready(self) -> bool:
        return self._model_ready

    @property
    def running(self) -> bool:
        """The worker thread is alive (False after :meth:`shutdown`)."""
        return self._thread.isRunning()

    def load_model(self, spec: str, options: LoadOptions | None = None) -> None:
        """Load ``spec`` ("demo", a folder, a checkpoint, a hub id) in the worker thread."""
        self._set_model_ready(False)
        self._loadRequested.emit(spec, options)

    def use_model(self, model: LoadedModel) -> None:
        """Hand the worker a model that is already loaded."""
        self._useRequested.emit(model)

    def generate(
        self,
        request: GenerationRequest,
        preview_kind: str = "latent",
        inspection: InspectionOptions | None = None,
    ) -> bool:
        """Queue a run (watching modules / capturing attention as ``inspection`` asks);
        False (and nothing queued) while busy or without a model."""
        if preview_kind not in PREVIEW_KINDS:
            raise ValueError(f"unknown preview kind {preview_kind!r}")
        if self._busy or not self._model_ready or not self.running:
            return False
        self._busy = True
        self._cancel.reset()  # here, not in the worker, so an early Cancel is never lost
        self._previews.clear()
        self.inspector.clear()
        self._generateRequested.emit(request, preview_kind, inspection)
        return True

    def cancel(self) -> None:
        """Ask the run to stop before its next step (safe to call at any time)."""
        self._cancel.cancel()

    @Slot()
    def shutdown(self) -> None:
        """Cancel, stop the thread and wait for it; afterwards nothing more is emitted."""
        if not self._thread.isRunning():
            return
        self._cancel.cancel()
        self._thread.quit()
        self._thread.wait()
        self.blockSignals(True)
        self._busy = False

    @Slot()
    def _drain_preview(self) -> None:
        frame = self._previews.take()
        if frame is not None:
            self.stepPreview.emit(frame.step, frame.total, frame.image)

    @Slot(str)
    def _on_model_loading(self, spec: str) -> None:
        self._set_model_ready(False)
        self.modelLoading.emit(spec)

    @Slot(str, str)
    def _on_model_ready(self, name: str, description: str) -> None:
        self._set_model_ready(True)
        self.modelReady.emit(name, description)

    @Slot(str)
    def _on_model_failed(self, message: str) -> None:
        self._set_model_ready(False)
        self.modelFailed.emit(message)

    @Slot()
    def _on_done(self) -> None:
        self._busy = False
        self.done.emit()

    def _set_model_ready(self, ready: bool) -> None:
        if ready != self._model_ready:
            self._model_ready = ready
            self.modelChanged.emit()
