"""Per-token cross-attention maps of one image, and heat maps for what the user picked.

``probabilities[t, y, x]`` is the attention that latent pixel (y, x) paid to text position
``t``, averaged over heads, cross-attention layers (each resized to the latent grid) and
steps. Softmax makes every pixel's attention sum to 1 over the text positions; averaging and
bilinear resizing keep that. The grid is the latent's, so it has the image's aspect ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sdstudio.engine.probes.prompt_tokens import PromptToken, TokenSelection, find_token


@dataclass(frozen=True)
class TokenMaps:
    """Attention of every latent pixel to every text position, for one image."""

    tokens: tuple[PromptToken, ...]  # the prompt's own tokens, for a token picker
    probabilities: np.ndarray  # (text positions, latent height, latent width) float32
    steps: int
    layers: int

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the map grid, like a PIL size."""
        return self.probabilities.shape[2], self.probabilities.shape[1]

    def find(self, word: str) -> TokenSelection:
        return find_token(self.tokens, word)

    def heat(self, choice: TokenSelection | PromptToken | str) -> np.ndarray:
        """(height, width) float32 in [0, 1] with its maximum exactly 1 (peak-normalised).

        A selection of several tokens (a split word) is their mean. A token that got no
        attention at all gives all zeros.
        """
        indices = _indices(self, choice)
        mean = self.probabilities[indices].mean(axis=0, dtype=np.float64)
        peak = float(mean.max()) if mean.size else 0.0
        if peak <= 0.0:
            return np.zeros(mean.shape, np.float32)
        return (mean / peak).astype(np.float32)


def _indices(maps: TokenMaps, choice: TokenSelection | PromptToken | str) -> list[int]:
    if isinstance(choice, str):
        choice = maps.find(choice)
    if isinstance(choice, PromptToken):
        return [choice.index]
    return choice.indices
