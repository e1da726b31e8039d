"""A prompt cut into A1111's 75-token chunks, each token with its attention weight.

CLIP reads 77 tokens: a start token, 75 of the prompt's and an end token. A1111 reads longer
prompts as several such chunks, encodes each on its own and joins the results along the
sequence, so nothing is cut off. Its rules, reproduced here:

- each piece of :func:`parse_attention` is tokenized on its own;
- ``BREAK`` ends the chunk early;
- when a chunk fills up within ``COMMA_BACKTRACK`` tokens of its last comma, what follows the
  comma moves to the next chunk, so a phrase is not split between two chunks;
- an embedding's vectors are never split between chunks;
- a chunk is padded with end tokens to 75 and wrapped in start and end tokens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sdstudio.engine.prompts.attention_syntax import parse_attention

CHUNK_LENGTH = 75  # the prompt's tokens per chunk; with start and end tokens, CLIP's 77
COMMA_BACKTRACK = 20  # A1111's "comma padding backtrack" default


@dataclass
class TokenChunk:
    """77 token ids (start, 75, end) and a weight per id."""

    ids: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class ChunkedPrompt:
    """The chunks, and how many of the prompt's tokens they hold as A1111 counts them (a
    full chunk counts 75, whatever moved out of it by comma backtrack)."""

    chunks: tuple[TokenChunk, ...]
    token_count: int

    @property
    def limit(self) -> int:
        """The counter's denominator: 75 per chunk ("80/150")."""
        return CHUNK_LENGTH * max(1, len(self.chunks))


@dataclass(frozen=True)
class SpecialIds:
    start: int
    end: int
    comma: int | None

    @classmethod
    def of(cls, tokenizer: Any) -> SpecialIds:
        return cls(
            start=tokenizer.bos_token_id,
            end=tokenizer.eos_token_id,
            comma=_token_id(tokenizer, ",</w>"),
        )


def _token_id(tokenizer: Any, token: str) -> int | None:
    """The id of ``token``, None when the vocabulary has none (``get_vocab()`` would copy
    CLIP's 49,408 entries on every prompt)."""
    token_id = tokenizer.convert_tokens_to_ids(token)
    return None if token_id is None or token_id == tokenizer.unk_token_id else token_id


def chunk_prompt(
    tokenizer: Any, prompt: str, embeddings: Mapping[int, Sequence[int]] | None = None
) -> ChunkedPrompt:
    """``prompt`` as chunks of ``tokenizer``'s ids. ``embeddings`` maps the id an embedding's
    name tokenizes to onto the ids of all its vectors (one per vector)."""
    pieces = parse_attention(prompt)
    texts = [piece.text for piece in pieces]
    _quiet_about_length(tokenizer)
    tokenized = tokenizer(texts, truncation=False, add_special_tokens=False)["input_ids"]
    builder = _ChunkBuilder(SpecialIds.of(tokenizer))
    for ids, piece in zip(tokenized, pieces, strict=True):
        if piece.is_break:
            builder.close()
            continue
        for token in ids:
            builder.add(token, piece.weight, (embeddings or {}).get(token))
    return builder.finish()


def _quiet_about_length(tokenizer: Any) -> None:
    """Long prompts are tokenized whole on purpose; transformers would warn, once per
    tokenizer, that they exceed 77 tokens. Mark that warning as given."""
    warned = getattr(tokenizer, "deprecation_warnings", None)
    if isinstance(warned, dict):
        warned["sequence-length-is-longer-than-the-specified-maximum"] = True


class _ChunkBuilder:
    """A1111's ``tokenize_line``: fills the current chunk, closes it when full or at a BREAK."""

    def __init__(self, special: SpecialIds) -> None:
        self.special = special
        self.chunks: list[TokenChunk] = []
        self.current = TokenChunk()
        self.last_comma = -1
        self.count = 0

    def add(self, token: int, weight: float, vectors: Sequence[int] | None = None) -> None:
        """Append ``token``, or an embedding's ``vectors`` where ``token`` names one."""
        current = self.current
        if token == self.special.comma:
            self.last_comma = len(current.ids)
        elif (
            len(current.ids) == CHUNK_LENGTH
            and self.last_comma != -1
            and len(current.ids) - self.last_comma <= COMMA_BACKTRACK
        ):
            cut = self.last_comma + 1
            moved = TokenChunk(current.ids[cut:], current.weights[cut:])
            del current.ids[cut:], current.weights[cut:]
            self.close()
            self.current = moved
        if len(self.current.ids) == CHUNK_LENGTH:
            self.close()
        ids = [token] if vectors is None else list(vectors)
        if len(self.current.ids) + len(ids) > CHUNK_LENGTH:
            self.close()
        self.current.ids += ids
        self.current.weights += [weight] * len(ids)

    def close(self, last: bool = False) -> None:
        chunk = self.current
        self.count += len(chunk.ids) if last else CHUNK_LENGTH
        padding = CHUNK_LENGTH - len(chunk.ids)
        end = self.special.end
        chunk.ids = [self.special.start, *chunk.ids, *[end] * padding, end]
        chunk.weights = [1.0, *chunk.weights, *[1.0] * padding, 1.0]
        self.chunks.append(chunk)
        self.current = TokenChunk()
        self.last_comma = -1

    def finish(self) -> ChunkedPrompt:
        if self.current.ids or not self.chunks:
            self.close(last=True)
        return ChunkedPrompt(tuple(self.chunks), self.count)
