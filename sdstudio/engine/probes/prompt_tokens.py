"""The prompt as the tokenizer split it, and finding a user's word among those tokens.

Tokens are those the text encoder reads: A1111's chunks, where weights syntax and
``<lora:…>`` tags are not tokens. Users see the tokenizer's own tokens (``dragon</w>``;
``</w>`` ends a word), because how a word was split is part of what attention maps explain.
A word split into several tokens is found as the run of tokens that spells it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.models.demo.tokenizer import bytes_to_unicode
from sdstudio.engine.prompts.network_tags import without_network_tags
from sdstudio.engine.prompts.token_chunks import ChunkedPrompt, chunk_prompt
from sdstudio.engine.prompts.weighted_encoding import embedding_vectors

WORD_END = "</w>"


@dataclass(frozen=True)
class PromptToken:
    """One token: its position in the encoded sequence (0 is the start token) and spelling."""

    index: int
    text: str

    @property
    def ends_word(self) -> bool:
        return self.text.endswith(WORD_END)


@dataclass(frozen=True)
class TokenSelection:
    """What a user's word matched: one token, the pieces of a split word, or repeats."""

    query: str
    tokens: tuple[PromptToken, ...]

    @property
    def indices(self) -> list[int]:
        return [token.index for token in self.tokens]

    @property
    def label(self) -> str:
        return " ".join(token.text for token in self.tokens)


def prompt_chunks(tokenizer: Any, prompt: str) -> ChunkedPrompt:
    """The prompt as the text encoder reads it: A1111's chunks of the text without its
    ``<lora:…>`` tags (:mod:`sdstudio.engine.prompts`)."""
    text = without_network_tags(prompt)
    return chunk_prompt(tokenizer, text, embedding_vectors(tokenizer))


def token_count(tokenizer: Any, text: str) -> int:
    """Positions of the first chunk up to its end token (start and end included)."""
    first = prompt_chunks(tokenizer, text).chunks[0]
    return first.ids.index(tokenizer.eos_token_id, 1) + 1


def sequence_length(tokenizer: Any, prompt: str) -> int:
    """How many positions the prompt's embeddings have: 77 per chunk."""
    return sum(len(chunk.ids) for chunk in prompt_chunks(tokenizer, prompt).chunks)


def prompt_tokenizer(pipeline: Any) -> Any:
    """The tokenizer the cross-attention's key positions follow. SDXL's two tokenizers share
    CLIP's BPE, so they split a prompt alike; its refiner has only the second."""
    tokenizer = getattr(pipeline, "tokenizer", None)
    return tokenizer if tokenizer is not None else pipeline.tokenizer_2


def prompt_tokens(tokenizer: Any, prompt: str) -> tuple[PromptToken, ...]:
    """The prompt's tokens without start, end and padding tokens, in order; a token's index
    is its position in the whole sequence (77 per chunk)."""
    special = set(tokenizer.all_special_ids)
    tokens: list[PromptToken] = []
    offset = 0
    for chunk in prompt_chunks(tokenizer, prompt).chunks:
        texts = tokenizer.convert_ids_to_tokens(chunk.ids)
        tokens += [
            PromptToken(offset + index, text)
            for index, (token_id, text) in enumerate(zip(chunk.ids, texts, strict=True))
            if token_id not in special
        ]
        offset += len(chunk.ids)
    return tuple(tokens)


def find_token(tokens: Sequence[PromptToken], word: str) -> TokenSelection:
    """Every occurrence of ``word``: tokens spelled exactly so (``d</w>``, ``re``), else the
    whole words of the prompt it spells (``dragon``, ``red`` = ``re d</w>``).

    Raises ``UserFacingError`` listing the prompt's tokens when nothing matches.
    """
    query = word.strip()
    exact = [token for token in tokens if token.text.lower() == query.lower()]
    if exact:
        return TokenSelection(query, tuple(exact))
    runs = _spelling_runs(tokens, _in_token_alphabet(query))
    if runs:
        return TokenSelection(query, tuple(token for run in runs for token in run))
    listing = ", ".join(token.text for token in tokens) or "none"
    raise UserFacingError(f"No token {query!r} in the prompt; its tokens are: {listing}")


def _in_token_alphabet(text: str) -> str:
    """Lower-case words in the byte alphabet the tokenizer spells tokens with (é is 'Ã©')."""
    table = bytes_to_unicode()
    words = text.lower().split()
    return " ".join("".join(table[byte] for byte in word.encode("utf-8")) for word in words)


def _spelling_runs(tokens: Sequence[PromptToken], target: str) -> list[list[PromptToken]]:
    """Runs of consecutive tokens, starting and ending on word boundaries, that spell ``target``."""
    runs: list[list[PromptToken]] = []
    if not target:
        return runs
    for start in range(len(tokens)):
        if start > 0 and not tokens[start - 1].ends_word:
            continue
        spelled = ""
        for end in range(start, len(tokens)):
            piece = tokens[end].text.lower()
            spelled += piece.removesuffix(WORD_END) + (" " if tokens[end].ends_word else "")
            if len(spelled.rstrip()) > len(target):
                break
            if tokens[end].ends_word and spelled.rstrip() == target:
                runs.append(list(tokens[start : end + 1]))
                break
    return runs
