"""The prompt's words, each with the tokenizer pieces it was split into.

CLIP's byte-level BPE spells tokens in a byte alphabet (``café`` is ``c a f Ã ©</w>``) and
splits words it does not know (``re d</w>``); ``</w>`` ends a word. People read words, so a
token picker lists the pieces up to each ``</w>`` decoded back to text, and keeps the pieces
as a detail: how a word was split is part of what its attention map explains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sdstudio.engine.models.demo.tokenizer import bytes_to_unicode
from sdstudio.engine.probes.prompt_tokens import WORD_END, PromptToken


@dataclass(frozen=True)
class PromptWord:
    """A word as the user wrote it (lower-cased, as CLIP reads it) and its tokens."""

    text: str
    tokens: tuple[PromptToken, ...]

    @property
    def indices(self) -> list[int]:
        return [token.index for token in self.tokens]

    @property
    def pieces(self) -> str:
        """The tokenizer's pieces, e.g. ``c · a · f · Ã · ©</w>``."""
        return " · ".join(token.text for token in self.tokens)


def prompt_words(tokens: Sequence[PromptToken], tokenizer: Any = None) -> tuple[PromptWord, ...]:
    """``tokens`` grouped into words, each group ending on a ``</w>`` piece (a trailing
    group without one is a word too), decoded by ``tokenizer`` when given, else by CLIP's
    byte table."""
    words: list[PromptWord] = []
    group: list[PromptToken] = []
    for token in tokens:
        group.append(token)
        if token.ends_word:
            words.append(_word(group, tokenizer))
            group = []
    if group:
        words.append(_word(group, tokenizer))
    return tuple(words)


def _word(group: list[PromptToken], tokenizer: Any) -> PromptWord:
    return PromptWord(decode_pieces([token.text for token in group], tokenizer), tuple(group))


def decode_pieces(pieces: Sequence[str], tokenizer: Any = None) -> str:
    """The text the pieces spell, without the end-of-word marker.

    The tokenizer's ``convert_tokens_to_string`` decodes its own alphabet; some versions
    leave the ``</w>`` in (removed here), and text it cannot decode whole (a replacement
    character) falls back to CLIP's byte table.
    """
    convert = getattr(tokenizer, "convert_tokens_to_string", None)
    if convert is not None:
        try:
            text = str(convert(list(pieces))).replace(WORD_END, " ").strip()
        except (KeyError, ValueError, TypeError):
            text = ""
        if text and "\ufffd" not in text:
            return text
    return _decode_bytes(pieces)


def _decode_bytes(pieces: Sequence[str]) -> str:
    table = _byte_of()
    data = bytearray()
    for char in "".join(piece.removesuffix(WORD_END) for piece in pieces):
        byte = table.get(char)
        data.extend(char.encode("utf-8") if byte is None else bytes([byte]))
    return data.decode("utf-8", errors="replace").strip()


@lru_cache(maxsize=1)
def _byte_of() -> dict[str, int]:
    """CLIP's byte table read backwards: alphabet character → byte."""
    return {char: byte for byte, char in bytes_to_unicode().items()}
