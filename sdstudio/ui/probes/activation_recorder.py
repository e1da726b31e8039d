"""The watched modules' frames of the image being made, bounded like the step previews."""

from __future__ import annotations

from sdstudio.ui.probes.messages import ActivationFrame, RecordedActivations

MAX_FRAMES = 200


class ActivationRecorder:
    """Per module path, a bounded list of frames (worker thread only).

    When a module's list is full, every other older frame is dropped (never the first or the
    newest), as the preview recording does, so a long run still spans start to finish.
    """

    def __init__(self, max_frames: int = MAX_FRAMES) -> None:
        self._max_frames = max(2, max_frames)
        self._frames: dict[str, list[ActivationFrame]] = {}

    def add(self, frame: ActivationFrame) -> None:
        frames = self._frames.setdefault(frame.module_path, [])
        frames.append(frame)
        if len(frames) > self._max_frames:
            frames[:] = [frames[0], *frames[1:-1][1::2], frames[-1]]

    def take(self, image_index: int) -> RecordedActivations:
        """What was recorded for ``image_index``; the next image starts empty."""
        frames = {path: tuple(kept) for path, kept in self._frames.items()}
        self._frames.clear()
        return RecordedActivations(image_index, frames)

    def clear(self) -> None:
        self._frames.clear()
