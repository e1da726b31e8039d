"""Progress of a model load, reported through a plain callback so any front end can show it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class LoadStage(Enum):
    DOWNLOADING = "downloading"
    READING = "reading"
    PLACING = "placing"


@dataclass(frozen=True)
class LoadProgress:
    """One progress report; ``done``/``total`` are bytes while downloading, else ``None``."""

    stage: LoadStage
    message: str
    done: int | None = None
    total: int | None = None

    @property
    def fraction(self) -> float | None:
        if self.done is None or not self.total:
            return None
        return min(self.done / self.total, 1.0)


ProgressCallback = Callable[[LoadProgress], None]


def report(progress: ProgressCallback | None, stage: LoadStage, message: str) -> None:
    """Send a stage message when someone listens."""
    if progress is not None:
        progress(LoadProgress(stage, message))
