"""Capturing per-token cross-attention maps while an image is generated.

Inside the ``with`` block every cross-attention layer of the UNet runs an
:class:`AttentionMapProcessor`; on exit the original processors are put back, however the
block ends (finished, cancelled, failed).

    with AttentionCapture(model.pipeline, request) as capture:
        for event in generate(model, request, cancel):
            if isinstance(event, ImageFinished):
                maps = capture.take()  # this image's TokenMaps
                picture = overlay_on(event.image, maps.heat("dragon"), opacity=0.6)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sdstudio.engine.probes.attention_processor import AttentionMapProcessor
from sdstudio.engine.probes.prompt_tokens import (
    TokenSelection,
    find_token,
    prompt_tokenizer,
    prompt_tokens,
    sequence_length,
)
from sdstudio.engine.probes.prompt_words import prompt_words
from sdstudio.engine.probes.spatial import latent_size, token_grid
from sdstudio.engine.probes.token_maps import TokenMaps

if TYPE_CHECKING:
    from sdstudio.engine.generation.request import GenerationRequest


def cross_attention_layers(unet: Any) -> list[tuple[str, Any]]:
    """(path, module) of every attention module of the UNet whose keys come from the text."""
    return [
        (path, module)
        for path, module in unet.named_modules()
        if getattr(module, "is_cross_attention", False) is True and hasattr(module, "processor")
    ]


class AttentionCapture:
    """Sums each layer's prompt-token attention, resized to the latent grid, until taken."""

    def __init__(self, pipeline: Any, request: GenerationRequest) -> None:
        self._unet = pipeline.unet
        self._latent = latent_size(pipeline, request.width, request.height)
        tokenizer = prompt_tokenizer(pipeline)
        self.tokens = prompt_tokens(tokenizer, request.prompt)
        self.words = prompt_words(self.tokens, tokenizer)
        self._positions = sequence_length(tokenizer, request.prompt)
        self._layers = cross_attention_layers(self._unet)
        self._originals: list[tuple[Any, Any]] = []
        self._total: Any = None
        self._count = 0

    def __enter__(self) -> AttentionCapture:
        self.attach()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.detach()

    def attach(self) -> None:
        if self._originals:
            return
        try:
            for _, module in self._layers:
                original = module.processor
                module.set_processor(AttentionMapProcessor(original, self.add))
                self._originals.append((module, original))
        except BaseException:
            self.detach()
            raise

    def detach(self) -> None:
        """Put every original processor back (safe to call twice)."""
        while self._originals:
            module, original = self._originals.pop()
            module.set_processor(original)

    def find(self, word: str) -> TokenSelection:
        """The prompt's tokens for ``word``; fails (listing the tokens) before anything runs."""
        return find_token(self.tokens, word)

    def add(self, probabilities: Any) -> None:
        """One layer's (image tokens, text tokens) probabilities; called by the processors."""
        import torch.nn.functional as functional

        if probabilities.shape[1] != self._positions:
            return  # the negative's own UNet call (its length differs from the prompt's)
        grid = token_grid(probabilities.shape[0], self._latent)
        if grid is None:  # a layer whose tokens do not form the image grid: not a map
            return
        maps = probabilities.T.reshape(1, probabilities.shape[1], *grid)
        if grid != self._latent:
            maps = functional.interpolate(maps, size=self._latent, mode="bilinear")
        self._total = maps[0] if self._total is None else self._total + maps[0]
        self._count += 1

    def maps(self) -> TokenMaps:
        """The mean over everything captured so far for the current image (a live look)."""
        layers = max(1, len(self._layers))
        if self._total is None:
            empty = np.zeros((self._positions, *self._latent), np.float32)
            return TokenMaps(self.tokens, empty, 0, len(self._layers), self.words)
        mean = (self._total / self._count).cpu().numpy().astype(np.float32)
        return TokenMaps(self.tokens, mean, self._count // layers, len(self._layers), self.words)

    def take(self) -> TokenMaps:
        """This image's maps; the next image of a batch starts from zero."""
        maps = self.maps()
        self._total, self._count = None, 0
        return maps
