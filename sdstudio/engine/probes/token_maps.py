"""Per-token cross-attention maps of one image, and heat maps for what the user picked.

``probabilities[t, y, x]`` is the attention that latent pixel (y, x) paid to text position
``t``, averaged over heads, cross-attention layers (each resized to the latent grid) and
steps. Softmax makes every pixel's attention sum to 1 over the text positions; averaging and
bilinear resizing keep that. The grid is the latent's, so it has the image's aspect ratio.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sdstudio.engine.probes.prompt_tokens import PromptToken, TokenSelection, find_token
from sdstudio.engine.probes.prompt_words import PromptWord, prompt_words

Choice = PromptWord | TokenSelection | PromptToken | str


@dataclass(frozen=True)
class TokenMaps:
    """Attention of every latent pixel to every text position, for one image.

    ``words`` are the prompt's words for a picker; without them they are grouped from
    ``tokens`` and decoded with CLIP's byte table.
    """

    tokens: tuple[PromptToken, ...]  # the prompt's own tokens
    probabilities: np.ndarray  # (text positions, latent height, latent width) float32
    steps: int
    layers: int
    words: tuple[PromptWord, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.words and self.tokens:
            object.__setattr__(self, "words", prompt_words(self.tokens))

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the map grid, like a PIL size."""
        return self.probabilities.shape[2], self.probabilities.shape[1]

    def find(self, word: str) -> TokenSelection:
        return find_token(self.tokens, word)

    def attention(self, choice: Choice) -> np.ndarray:
        """(height, width) float32: the share of each pixel's attention that ``choice`` got.

        A word is the union of its pieces: their shares add up (softmax shares of distinct
        positions), so a word split into five pieces is as strong as a whole one. A
        selection (a word found by name, perhaps several times) is the mean of its tokens.
        """
        if isinstance(choice, PromptWord):
            picked = self.probabilities[choice.indices]
            return picked.sum(axis=0, dtype=np.float64).astype(np.float32)
        indices = _indices(self, choice)
        return self.probabilities[indices].mean(axis=0, dtype=np.float64).astype(np.float32)

    def peak(self, choice: Choice) -> float:
        """The largest share in :meth:`attention`: what the heat map's brightest colour means."""
        attention = self.attention(choice)
        return float(attention.max()) if attention.size else 0.0

    def heat(self, choice: Choice) -> np.ndarray:
        """(height, width) float32 in [0, 1] with its maximum exactly 1 (peak-normalised).

        A token that got no attention at all gives all zeros.
        """
        attention = self.attention(choice)
        peak = float(attention.max()) if attention.size else 0.0
        if peak <= 0.0:
            return np.zeros(attention.shape, np.float32)
        return attention / np.float32(peak)


def _indices(maps: TokenMaps, choice: TokenSelection | PromptToken | str) -> list[int]:
    if isinstance(choice, str):
        choice = maps.find(choice)
    if isinstance(choice, PromptToken):
        return [choice.index]
    return choice.indices
