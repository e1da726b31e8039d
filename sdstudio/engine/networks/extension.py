"""The loop extension that puts a request's LoRAs and embeddings on the model before its
prompt is encoded, and tells the user what it could not use."""

from __future__ import annotations

from typing import Any

from sdstudio.engine.generation.events import Notice
from sdstudio.engine.generation.extensions import GenerationExtension
from sdstudio.engine.generation.run_context import RunContext
from sdstudio.engine.networks.embeddings import apply_embeddings
from sdstudio.engine.networks.lora_adapters import apply_loras
from sdstudio.engine.networks.selection import NetworkSelection


class ExtraNetworksExtension(GenerationExtension):
    """Applies ``selection`` when entered (every run has one, so LoRAs a previous run used
    are taken off when this one names none). They stay on the model afterwards, so the next
    run with the same files only changes weights."""

    def __init__(self, pipeline: Any, selection: NetworkSelection) -> None:
        self.pipeline = pipeline
        self.selection = selection
        self._notices: list[str] = []

    def __enter__(self) -> ExtraNetworksExtension:
        apply_loras(self.pipeline, self.selection.loras)
        applied, self._notices = apply_embeddings(self.pipeline, self.selection.embeddings)
        self.selection.embeddings = applied  # what the infotext's "TI hashes" lists
        return self

    def before_loop(self, ctx: RunContext) -> None:
        for text in self._notices:
            ctx.emit(Notice(text))
        self._notices = []
