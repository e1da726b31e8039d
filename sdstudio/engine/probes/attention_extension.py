"""Attention capture as a loop extension: processors for the run, maps per finished image."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sdstudio.engine.generation.extensions import GenerationExtension
from sdstudio.engine.probes.outputs import AttentionMaps

if TYPE_CHECKING:
    from sdstudio.engine.generation.run_context import RunContext
    from sdstudio.engine.probes.attention_capture import AttentionCapture


class AttentionCaptureExtension(GenerationExtension):
    """Swaps in the capturing processors on enter, puts the originals back on exit."""

    def __init__(self, capture: AttentionCapture) -> None:
        self.capture = capture

    def __enter__(self) -> AttentionCaptureExtension:
        self.capture.attach()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.capture.detach()

    def after_loop(self, ctx: RunContext) -> None:
        ctx.emit(AttentionMaps(ctx.image_index, self.capture.take()))
