"""Waits for an X/Y/Z plot's jobs and, once every cell is saved, saves the labelled grid.

The cells are ordinary queued jobs (each saved with its own infotext); the grid is composed
from their files off the GUI thread, so a big grid never stalls the window.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import QObject, Signal, Slot

from sdstudio.engine.grids.plan import XyzPlan
from sdstudio.ui.background import run_in_background
from sdstudio.ui.queue.queue_runner import QueueRunner
from sdstudio.ui.worker_events import FinishedImage
from sdstudio.ui.worker_host import WorkerHost

Place = tuple[int, int, int]  # (z, y, x)


class GridCollector(QObject):
    """Collects the saved picture of each job in ``places`` (job id -> its cell).

    Signals:
        saved(str): the grid's path.
        failed(str): why no grid was made (a cell failed, was cancelled or not saved).
    """

    saved = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        plan: XyzPlan,
        places: dict[str, Place],
        worker: WorkerHost,
        queue: QueueRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._plan = plan
        self._places = places
        self._waiting = set(places)
        self._paths: dict[Place, Path] = {}
        worker.on(FinishedImage, self._on_finished)
        queue.jobEnded.connect(self._on_gone)
        queue.jobDropped.connect(self._on_gone)

    def _on_finished(self, event: FinishedImage) -> None:
        place = self._places.get(event.job_id)
        if place is not None and event.path is not None:
            self._paths[place] = event.path

    @Slot(str)
    def _on_gone(self, job_id: str) -> None:
        if job_id not in self._waiting:
            return
        self._waiting.discard(job_id)
        if self._waiting:
            return
        missing = len(self._places) - len(self._paths)
        if missing:
            self.failed.emit(
                f"The X/Y/Z grid was not made: {missing} of {len(self._places)} pictures "
                "did not finish."
            )
            self.deleteLater()
            return
        plan, paths = self._plan, dict(self._paths)
        run_in_background(
            lambda: _compose(plan, paths),
            self._on_composed,
            lambda error: self._on_compose_failed(error),
            parent=self,
        )

    def _on_composed(self, path: Path) -> None:
        self.saved.emit(str(path))
        self.deleteLater()

    def _on_compose_failed(self, error: Exception) -> None:
        self.failed.emit(f"The X/Y/Z grid could not be saved: {error}")
        self.deleteLater()


def _compose(plan: XyzPlan, paths: dict[Place, Path]) -> Path:
    """Read the cells back and save the grid beside the first one (a background thread)."""
    from sdstudio.engine.grids.grid_file import grid_path_beside, save_grid
    from sdstudio.engine.metadata.png_chunks import read_text_chunks

    pictures = {}
    for place, path in paths.items():
        with Image.open(path) as image:
            pictures[place] = image.convert("RGB")
    first = paths[(0, 0, 0)]
    infotext = read_text_chunks(first).get("parameters", "")
    return save_grid(plan, pictures, infotext, grid_path_beside(first))
