"""The previews of the last generation, kept for scrubbing and exported as a denoising clip."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from sdstudio.engine.previews.settings import PreviewError

ANIMATION_SUFFIXES = (".gif", ".webp")


class PreviewRecorder:
    """A bounded, thread-safe list of ``(step, image)``.

    When full, every other older frame is dropped (never the first or the newest), so a long
    run still spans start to finish instead of losing its noisy beginning.
    """

    def __init__(self, max_frames: int = 200) -> None:
        if max_frames < 2:
            raise PreviewError(f"A preview recording needs room for 2 frames, got {max_frames}")
        self._max_frames = max_frames
        self._frames: list[tuple[int, Image.Image]] = []
        self._lock = threading.Lock()

    def add(self, step: int, image: Image.Image) -> None:
        with self._lock:
            self._frames.append((step, image))
            if len(self._frames) > self._max_frames:
                middle = self._frames[1:-1]
                self._frames = [self._frames[0], *middle[1::2], self._frames[-1]]

    @property
    def frames(self) -> list[tuple[int, Image.Image]]:
        """A copy, safe to read while the worker keeps adding."""
        with self._lock:
            return list(self._frames)

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()

    def export_animation(
        self, path: str | Path, frame_ms: int = 120, last_frame_ms: int = 1500
    ) -> Path:
        """Write the recorded frames as an animation (see :func:`export_animation`)."""
        return export_animation(self.frames, path, frame_ms, last_frame_ms)


def export_animation(
    frames: Sequence[tuple[int, Image.Image]],
    path: str | Path,
    frame_ms: int = 120,
    last_frame_ms: int = 1500,
) -> Path:
    """Write an animated GIF or WebP (by suffix), one frame per recorded step.

    Frames are scaled to the largest frame's size; the finished picture stays on screen
    longer so the clip reads as "noise -> image". Pillow merges identical consecutive
    GIF frames, which only happens when two steps preview the same picture.
    """
    path = Path(path).expanduser()
    if path.suffix.lower() not in ANIMATION_SUFFIXES:
        raise PreviewError(f"The animation must be a .gif or .webp file, got {path.name}")
    if not frames:
        raise PreviewError("There are no previews to animate: run a generation with previews on")
    size = max((image.size for _, image in frames), key=lambda wh: wh[0] * wh[1])
    images = [_fit(image, size) for _, image in frames]
    durations = [frame_ms] * (len(images) - 1) + [last_frame_ms]
    path.parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, object] = {"lossless": True} if path.suffix.lower() == ".webp" else {}
    images[0].save(
        path,
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=0,
        **options,
    )
    return path


def _fit(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    image = image.convert("RGB")
    if image.size == size:
        return image
    return image.resize(size, Image.Resampling.NEAREST)
