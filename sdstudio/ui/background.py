"""Small jobs off the GUI thread (read a file, save an image, trace shapes), results back on it.

One way for every short job: ``run_in_background(op, on_success, on_failure, parent)`` runs
``op()`` on a thread pool and calls ``on_success(result)`` or ``on_failure(error)`` on the GUI
thread. The callbacks belong to ``parent``: if it is deleted while the job runs, nothing is
called. Long-lived work with its own protocol (the generation worker) keeps its own QThread.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal, Slot

T = TypeVar("T")


class BackgroundOp(QObject):
    """The GUI-thread end of one background job; it deletes itself after reporting.

    Signals:
        succeeded(object): the job's result (emitted on the GUI thread).
        failed(object): the exception the job raised (emitted on the GUI thread).

    The job itself only emits the private ``_ended`` signal, queued to this object, so the
    callbacks always run on the thread that owns it, and never once it is gone.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    _ended = Signal(bool, object)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._ended.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def _report(self, ok: bool, value: object) -> None:
        """Called on the pool thread."""
        with contextlib.suppress(RuntimeError):  # deleted with its parent while the job ran
            self._ended.emit(ok, value)

    @Slot(bool, object)
    def _deliver(self, ok: bool, value: object) -> None:
        self.deleteLater()
        (self.succeeded if ok else self.failed).emit(value)


class _Job(QRunnable):
    def __init__(self, op: Callable[[], Any], handle: BackgroundOp) -> None:
        super().__init__()
        self._op = op
        self._handle = handle

    def run(self) -> None:
        try:
            result = self._op()
        except Exception as error:  # reported to on_failure on the GUI thread
            self._handle._report(False, error)
        else:
            self._handle._report(True, result)


def run_in_background(
    op: Callable[[], T],
    on_success: Callable[[T], object] | None = None,
    on_failure: Callable[[Exception], object] | None = None,
    parent: QObject | None = None,
    pool: QThreadPool | None = None,
) -> BackgroundOp:
    """Run ``op()`` on ``pool`` (the global one by default); report on the GUI thread.

    ``on_success(result)`` or ``on_failure(error)`` is called unless ``parent`` (the
    receiver) was deleted first. Without ``on_failure`` an exception is raised again on
    the GUI thread, where the excepthook shows it. Call from the GUI thread.
    """
    owner = parent if parent is not None else QCoreApplication.instance()
    if owner is None:
        raise RuntimeError("run_in_background needs a QCoreApplication")
    handle = BackgroundOp(owner)
    if on_success is not None:
        handle.succeeded.connect(on_success)
    handle.failed.connect(on_failure if on_failure is not None else _raise)
    (pool or QThreadPool.globalInstance()).start(_Job(op, handle))
    return handle


def _raise(error: Exception) -> None:
    raise error
