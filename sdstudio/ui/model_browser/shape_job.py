"""Tracing shapes off the GUI thread: a meta-device pass over SDXL takes about a second."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from sdstudio.engine.modules import ShapeSpec, TreeNode, capture_tree_shapes
from sdstudio.ui.background import run_in_background

SUPERSEDED = "superseded by a newer request"


class _Superseded(Exception):
    pass


class ShapeJobRunner(QObject):
    """Runs ``capture_tree_shapes`` on one background thread, newest request wins: a job
    that has not started when a newer one is queued is skipped (reported as superseded).

    Signals:
        finished(int, object): a job's number and its shapes (``dict[str, ShapeMap]``).
        failed(int, str): a job's number and a message for the user.
    """

    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one trace at a time; the newest waits its turn
        self._latest = 0
        self._closed = False

    def start(self, root: TreeNode, spec: ShapeSpec) -> int:
        """Queue a trace; returns its number (results of older numbers are stale)."""
        self._latest += 1
        job = self._latest
        if self._closed:
            return job  # after shutdown: never runs, never reports
        run_in_background(
            lambda: self._trace(job, root, spec),
            lambda shapes: self.finished.emit(job, shapes),
            lambda error: self.failed.emit(job, _message(error)),
            parent=self,
            pool=self._pool,
        )
        return job

    def shutdown(self, wait: bool = True) -> None:
        self._closed = True
        self._latest += 1  # anything still queued is now stale
        self._pool.clear()
        if wait:
            self._pool.waitForDone()

    def _trace(self, job: int, root: TreeNode, spec: ShapeSpec) -> Any:
        """On the pool's thread."""
        if job != self._latest:
            raise _Superseded
        return capture_tree_shapes(root, spec)


def _message(error: Exception) -> str:
    if isinstance(error, _Superseded):
        return SUPERSEDED
    return f"{type(error).__name__}: {error}"  # a model the tracer cannot run: keep the tree
