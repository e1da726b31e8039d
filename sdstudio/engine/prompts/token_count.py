"""How long a prompt is, as A1111's counter shows it ("37/75", and how many chunks), for the
window's counters and the command line's note about long prompts."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sdstudio.engine.prompts.network_tags import without_network_tags
from sdstudio.engine.prompts.token_chunks import chunk_prompt
from sdstudio.engine.prompts.weighted_encoding import embedding_vectors


@dataclass(frozen=True)
class PromptLength:
    tokens: int
    chunks: int
    limit: int  # 75 per chunk

    @property
    def text(self) -> str:
        """``37/75``, or ``80/150 · 2 chunks`` once the prompt needs more than one."""
        counted = f"{self.tokens}/{self.limit}"
        return counted if self.chunks == 1 else f"{counted} · {self.chunks} chunks"


class PromptCounter:
    """Counts with a copy of the model's first tokenizer, so the window's thread can use it
    while the model's own tokenizer works on the generation thread."""

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = copy.deepcopy(tokenizer)

    @classmethod
    def for_pipeline(cls, pipeline: Any) -> PromptCounter:
        tokenizer = getattr(pipeline, "tokenizer", None) or pipeline.tokenizer_2
        return cls(tokenizer)

    def count(self, prompt: str) -> PromptLength:
        text = without_network_tags(prompt)
        chunked = chunk_prompt(self._tokenizer, text, embedding_vectors(self._tokenizer))
        return PromptLength(chunked.token_count, len(chunked.chunks), chunked.limit)
