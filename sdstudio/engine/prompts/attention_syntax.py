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
_BREAK = re.compile(r"\s*\bBREAK\b\s*", re.S)


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

    def multiply_from(start: int, factor: float) -> None:
        for piece in pieces[start:]:
            piece.weight *= factor

    for match in _SYNTAX.finditer(prompt):
        token, weight = match.group(0), match.group(1)
        if token.startswith("\\"):
            pieces.append(WeightedText(token[1:], 1.0))
        elif token == "(":
            round_open.append(len(pieces))
        elif token == "[":
            square_open.append(len(pieces))
        elif weight is not None and round_open:
            multiply_from(round_open.pop(), float(weight))
        elif token == ")" and round_open:
            multiply_from(round_open.pop(), ROUND_FACTOR)
        elif token == "]" and square_open:
            multiply_from(square_open.pop(), SQUARE_FACTOR)
        else:
            for index, part in enumerate(_BREAK.split(token)):
                if index > 0:
                    pieces.append(WeightedText(BREAK_WORD, -1))
                pieces.append(WeightedText(part, 1.0))
    for start in round_open:
        multiply_from(start, ROUND_FACTOR)
    for start in square_open:
        multiply_from(start, SQUARE_FACTOR)
    return _merged(pieces) or [WeightedText("", 1.0)]


def _merged(pieces: list[WeightedText]) -> list[WeightedText]:
    """Neighbours of equal weight joined into one piece."""
    merged: list[WeightedText] = []
    for piece in pieces:
        if merged and merged[-1].weight == piece.weight:
            merged[-1].text += piece.text
        else:
            merged.append(piece)
    return merged
