"""A1111's attention syntax: which parts of a prompt weigh more or less, and where BREAKs are.

Prompts pasted from A1111 and Civitai rely on its exact rules, so they are reproduced here
rather than approximated:

- ``(text)`` multiplies the weight of ``text`` by 1.1, ``[text]`` divides it by 1.1, and
  nested brackets multiply;
- ``(text:1.3)`` sets the factor of that bracket to 1.3;
- an unclosed bracket applies to the end of the prompt;
- ``\\(``, ``\\)``, ``\\[``, ``\\]`` and ``\\\\`` are the literal characters;
- ``BREAK`` (a whole word, in capitals) ends the current 75-token chunk;
- neighbouring pieces of equal weight are merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROUND_FACTOR = 1.1
SQUARE_FACTOR = 1 / 1.1
BREAK_WORD = "BREAK"

# One token of the syntax per match: an escape, a bracket, ":weight)" closing a round bracket,
# a run of plain text, or a colon that belongs to the text.
_SYNTAX = re.compile(
    r"""
    \\\( | \\\) | \\\[ | \\\] | \\\\ | \\      # escapes, and a lone backslash
    | \( | \[                                   # openings
    | :\s*([+-]?[.\d]+)\s*\)                    # ":1.3)": a weight closing a round bracket
    | \) | \]                                   # closings
    | [^\\()\[\]:]+                             # plain text
    | :                                         # a colon that starts no weight
    """,
    re.VERBOSE,
)
_BREAK = re.compile(r"\bBREAK\b")  # the whitespace around it is stripped separately


@dataclass
class WeightedText:
    """A piece of the prompt and its attention weight; a BREAK is ``is_break``."""

    text: str
    weight: float

    @property
    def is_break(self) -> bool:
        return self.text == BREAK_WORD and self.weight == -1


def parse_attention(prompt: str) -> list[WeightedText]:
    """The prompt as pieces with their weights, in order (never empty).

    >>> [(p.text, round(p.weight, 4)) for p in parse_attention("an (important) word")]
    [('an ', 1.0), ('important', 1.1), (' word', 1.0)]
    """
    pieces: list[WeightedText] = []
    round_open: list[int] = []  # where each open bracket's pieces start
    square_open: list[int] = []
    round_spans: list[_Span] = []  # each closed bracket: its pieces and its factor
    square_spans: list[_Span] = []

    for match in _SYNTAX.finditer(prompt):
        token, weight = match.group(0), match.group(1)
        if token.startswith("\\"):
            pieces.append(WeightedText(token[1:], 1.0))
        elif token == "(":
            round_open.append(len(pieces))
        elif token == "[":
            square_open.append(len(pieces))
        elif weight is not None and round_open:
            round_spans.append((round_open.pop(), len(pieces), float(weight)))
        elif token == ")" and round_open:
            round_spans.append((round_open.pop(), len(pieces), ROUND_FACTOR))
        elif token == "]" and square_open:
            square_spans.append((square_open.pop(), len(pieces), SQUARE_FACTOR))
        else:
            _add_text(pieces, token)
    end = len(pieces)  # an unclosed bracket applies to the end of the prompt
    round_spans += [(start, end, ROUND_FACTOR) for start in round_open]
    square_spans += [(start, end, SQUARE_FACTOR) for start in square_open]
    for spans in (round_spans, square_spans):
        for piece, factor in zip(pieces, _factors(spans, end), strict=True):
            piece.weight *= factor
    return _merged(pieces) or [WeightedText("", 1.0)]


_Span = tuple[int, int, float]  # pieces [start, end) and the factor a bracket gives them


def _add_text(pieces: list[WeightedText], text: str) -> None:
    """Plain text, split at each BREAK with the whitespace around it dropped."""
    if BREAK_WORD not in text:  # most pieces: a megabyte of stray ')' is a million of them
        pieces.append(WeightedText(text, 1.0))
        return
    parts = _BREAK.split(text)
    for index, part in enumerate(parts):
        if index > 0:
            pieces.append(WeightedText(BREAK_WORD, -1))
            part = part.lstrip()
        if index < len(parts) - 1:
            part = part.rstrip()
        pieces.append(WeightedText(part, 1.0))


def _factors(spans: list[_Span], count: int) -> list[float]:
    """Each piece's product of the factors of the brackets around it, in one sweep.

    Brackets of one kind nest (they close in stack order), so a stack of running products
    gives every piece its factor in linear time; multiplying each bracket's pieces in turn,
    as A1111 does, takes quadratic time on a prompt of many nested or unclosed brackets.
    """
    factors = [1.0] * count
    starts = sorted((span for span in spans if span[0] < span[1]), key=lambda s: (s[0], -s[1]))
    running: list[tuple[int, float]] = []  # (end, product) of the brackets around here
    next_span = 0
    for index in range(count):
        while running and running[-1][0] <= index:
            running.pop()
        while next_span < len(starts) and starts[next_span][0] == index:
            _, end, factor = starts[next_span]
            running.append((end, (running[-1][1] if running else 1.0) * factor))
            next_span += 1
        if running:
            factors[index] = running[-1][1]
    return factors


def _merged(pieces: list[WeightedText]) -> list[WeightedText]:
    """Neighbours of equal weight joined into one piece (their texts joined once, not grown
    one piece at a time, which copies the text again for every piece)."""
    runs: list[tuple[float, list[str]]] = []
    for piece in pieces:
        if runs and runs[-1][0] == piece.weight:
            runs[-1][1].append(piece.text)
        else:
            runs.append((piece.weight, [piece.text]))
    return [WeightedText("".join(texts), weight) for weight, texts in runs]
