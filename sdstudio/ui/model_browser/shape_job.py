"""Tracing shapes off the GUI thread: a meta-device pass over SDXL takes about a second."""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from sdstudio.engine.modules import ShapeSpec, TreeNode, capture_tree_shapes


class ShapeJobRunner(QObject):
    """Runs ``capture_tree_shapes`` on one worker thread, newest request wins.

    Signals:
        finished(int, object): a job's number and its shapes (``dict[str, ShapeMap]``).
        failed(int, str): a job's number and a message for the user.
    """

    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shape-trace")
        self._latest = 0

    def start(self, root: TreeNode, spec: ShapeSpec) -> int:
        """Queue a trace; returns its number (results of older numbers are stale)."""
        self._latest += 1
        self._executor.submit(self._run, self._latest, root, spec)
        return self._latest

    def shutdown(self, wait: bool = True) -> None:
        self._latest += 1  # anything still running is now stale
        self._executor.shutdown(wait=wait, cancel_futures=True)

    def _run(self, job: int, root: TreeNode, spec: ShapeSpec) -> None:
        if job != self._latest:
            self._emit(self.failed, job, "superseded by a newer request")
            return
        try:
            shapes: Any = capture_tree_shapes(root, spec)
        except Exception as error:  # a model the tracer cannot run: say so, keep the tree
            self._emit(self.failed, job, f"{type(error).__name__}: {error}")
        else:
            self._emit(self.finished, job, shapes)

    def _emit(self, signal: Any, *payload: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the receiver was deleted while the job ran
            signal.emit(*payload)
