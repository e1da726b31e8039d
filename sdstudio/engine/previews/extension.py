"""Live previews as a loop extension: decode the steps the throttle lets through, keep frames."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sdstudio.engine.generation.events import Notice
from sdstudio.engine.generation.extensions import GenerationExtension
from sdstudio.engine.previews.recorder import PreviewRecorder
from sdstudio.engine.previews.throttle import PreviewThrottle

if TYPE_CHECKING:
    from PIL import Image

    from sdstudio.engine.generation.events import StepEvent
    from sdstudio.engine.generation.run_context import RunContext
    from sdstudio.engine.previews.decoder import PreviewDecoder
    from sdstudio.engine.previews.settings import PreviewSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreviewImage:
    """What step ``step`` of ``total`` of one image of the batch looked like."""

    step: int
    total: int
    image: Image.Image
    image_index: int = 0
    batch_count: int = 1


class PreviewExtension(GenerationExtension):
    """Emits a :class:`PreviewImage` for each step the throttle picks and records it.

    A decoder that fails stops the previews with a notice: a broken preview must never cost
    the user the image. ``take_frames`` hands over the finished image's recorded frames.
    """

    def __init__(
        self, decoder: PreviewDecoder, settings: PreviewSettings, max_frames: int = 200
    ) -> None:
        self._decoder: PreviewDecoder | None = decoder
        self._throttle = PreviewThrottle(settings)
        self._recorder = PreviewRecorder(max_frames)

    def after_step(self, ctx: RunContext, step: StepEvent) -> None:
        if self._decoder is None or not self._throttle.should_preview(step):
            return
        try:
            picture = self._decoder.decode(step)
        except Exception as error:
            logger.exception("Preview decoding failed")
            self._decoder = None
            ctx.emit(Notice(f"Previews stopped: {error}"))
            return
        self._recorder.add(step.step, picture)
        ctx.emit(PreviewImage(step.step, step.total, picture, step.image_index, step.batch_count))

    def take_frames(self) -> tuple[tuple[int, Image.Image], ...]:
        """The recorded ``(step, picture)`` frames of the image that just finished; then
        the next image starts with none."""
        frames = tuple(self._recorder.frames)
        self._recorder.clear()
        self._throttle.reset()
        return frames
