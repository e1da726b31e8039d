"""Deciding which steps get a preview, so previews never slow the run or pile up in the GUI."""

from __future__ import annotations

import time

from sdstudio.engine.generation.events import StepEvent
from sdstudio.engine.previews.settings import PreviewKind, PreviewSettings


class PreviewThrottle:
    """Every N steps and at most every M ms; the last step of each image always passes.

    A step that arrives too soon is dropped rather than queued: a preview of an old step is
    worthless once a newer one exists, and the last step (the finished picture) is never lost.
    """

    def __init__(self, settings: PreviewSettings) -> None:
        self._settings = settings
        self._last_shown: float | None = None

    def should_preview(self, event: StepEvent, now: float | None = None) -> bool:
        if self._settings.kind is PreviewKind.NONE:
            return False
        now = time.monotonic() if now is None else now
        if event.step >= event.total:
            self._last_shown = now
            return True
        if event.step % self._settings.every_n_steps != 0:
            return False
        interval = self._settings.min_interval_ms / 1000.0
        if self._last_shown is not None and now - self._last_shown < interval:
            return False
        self._last_shown = now
        return True

    def reset(self) -> None:
        """Forget the last preview time, e.g. when a new generation starts."""
        self._last_shown = None
