"""Live previews as a loop extension: decode the steps the throttle lets through, keep frames."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sdstudio.engine.generation.events import PREVIEWS_TOPIC, Notice
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

    The images of one UNet batch share each step, so the throttle decides once per step (at
    the batch's first row) and every image of the batch gets that step's preview; each image
    has its own recording. A decoder that fails stops the previews with a notice: a broken
    preview must never cost the user the image. ``take_frames`` hands over a finished image's
    recorded frames.
    """

    def __init__(
        self, decoder: PreviewDecoder, settings: PreviewSettings, max_frames: int = 200
    ) -> None:
        self._decoder: PreviewDecoder | None = decoder
        self._throttle = PreviewThrottle(settings)
        self._max_frames = max_frames
        # One per image index; the first made now, so a bad ``max_frames`` fails at once.
        self._recorders = {0: PreviewRecorder(max_frames)}
        self._wanted = False  # the throttle's word on the current step

    def after_step(self, ctx: RunContext, step: StepEvent) -> None:
        if self._decoder is None:
            return
        if ctx.row == 0:
            self._wanted = self._throttle.should_preview(step)
        if not self._wanted:
            return
        try:
            picture = self._decoder.decode(step)
        except Exception as error:
            logger.exception("Preview decoding failed")
            self._decoder = None
            ctx.emit(Notice(f"Previews stopped: {error}", PREVIEWS_TOPIC))
            return
        self._recorder(step.image_index).add(step.step, picture)
        ctx.emit(PreviewImage(step.step, step.total, picture, step.image_index, step.batch_count))

    def take_frames(self, image_index: int = 0) -> tuple[tuple[int, Image.Image], ...]:
        """The recorded ``(step, picture)`` frames of image ``image_index``, which has just
        finished; then it starts again with none."""
        recorder = self._recorders.pop(image_index, None)
        self._throttle.reset()
        return tuple(recorder.frames) if recorder is not None else ()

    def _recorder(self, image_index: int) -> PreviewRecorder:
        if image_index not in self._recorders:
            self._recorders[image_index] = PreviewRecorder(self._max_frames)
        return self._recorders[image_index]
