"""A1111's "infotext": the ``parameters`` text other Stable Diffusion tools write and read.

Layout::

    <prompt, possibly over several lines>
    Negative prompt: <negative, possibly over several lines>     (left out when empty)
    Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 123, Size: 512x512, ...

Values that contain ``,``, ``:`` or a line break (or would lose leading/trailing spaces) are
written as JSON strings, so the last line stays one line of ``key: value`` pairs.

The parser is written for text from anywhere: it never evaluates anything, never raises on odd
input, and keeps whatever it cannot make sense of in the prompt rather than dropping it. The
one ambiguity of the layout itself is a prompt line that starts with ``Negative prompt:``; like
A1111, the parser takes the negative prompt to begin there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

NEGATIVE_PREFIX = "Negative prompt:"

# A setting's name: "Steps", "CFG scale", "Hires resize-1", "Lora hashes"...
_KEY = re.compile(r"\w[\w \-/+.()]*")
# A1111 treats a last line with fewer pairs than this as part of the prompt.
_MIN_PAIRS = 3
_NEEDS_QUOTES = re.compile(r'[,:\n\r]|^"|^\s|\s$')


@dataclass(frozen=True)
class Infotext:
    """The three parts of an infotext; ``params`` keeps the order they were written in."""

    prompt: str = ""
    negative_prompt: str = ""
    params: dict[str, str] = field(default_factory=dict)


def quote(value: str) -> str:
    """``value`` as written in the last line: JSON-quoted only when it would not survive bare."""
    return json.dumps(value, ensure_ascii=False) if _NEEDS_QUOTES.search(value) else value


def unquote(value: str) -> str:
    """The inverse of :func:`quote`; a malformed quoted value is returned as written."""
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        if isinstance(decoded, str):
            return decoded
    return value


def format_infotext(prompt: str, negative_prompt: str, params: Mapping[str, object]) -> str:
    """The infotext for a prompt, a negative prompt and ordered ``key: value`` settings."""
    lines = [prompt]
    if negative_prompt:
        lines.append(f"{NEGATIVE_PREFIX} {negative_prompt}")
    lines.append(", ".join(f"{key}: {quote(str(value))}" for key, value in params.items()))
    return "\n".join(lines)


def parse_params_line(line: str) -> dict[str, str]:
    """The ``key: value`` pairs of one line, in order; text that is not a pair is skipped.

    A hand-written scanner rather than one big regular expression, so that any line is read in
    linear time (adversarial text cannot make it backtrack for minutes).
    """
    params: dict[str, str] = {}
    position = 0
    while True:
        colon = line.find(":", position)
        if colon < 0:
            return params
        key = line[position:colon]
        key = key[key.rfind(",") + 1 :].strip()  # text before a comma there was not a pair
        value, position = _read_value(line, colon + 1)
        if _KEY.fullmatch(key):
            params[key] = value


def _read_value(line: str, start: int) -> tuple[str, int]:
    """The value that begins at ``start`` and where the next pair may begin."""
    while start < len(line) and line[start].isspace():
        start += 1
    if line.startswith('"', start):
        closing = _closing_quote(line, start)
        if closing is not None:
            comma = line.find(",", closing)
            end = len(line) if comma < 0 else comma
            if not line[closing + 1 : end].strip():
                return unquote(line[start : closing + 1]), end + 1
    comma = line.find(",", start)
    end = len(line) if comma < 0 else comma
    return line[start:end].strip(), end + 1


def _closing_quote(line: str, opening: int) -> int | None:
    """Index of the quote that ends the JSON string opened at ``opening``, if any."""
    position = opening + 1
    while position < len(line):
        char = line[position]
        if char == "\\":
            position += 2
        elif char == '"':
            return position
        else:
            position += 1
    return None


def parse_infotext(text: str) -> Infotext:
    """Split any text into prompt, negative prompt and settings; never raises."""
    if not isinstance(text, str):
        return Infotext()
    lines = text.removesuffix("\n").split("\n")
    params = parse_params_line(lines[-1])
    if len(params) >= _MIN_PAIRS and _starts_with_key(lines[-1]):
        lines = lines[:-1]
    else:
        params = {}
    prompt_lines: list[str] = []
    negative_lines: list[str] | None = None
    for line in lines:
        if negative_lines is None and line.startswith(NEGATIVE_PREFIX):
            rest = line[len(NEGATIVE_PREFIX) :]
            negative_lines = [rest[1:] if rest.startswith(" ") else rest]
        elif negative_lines is None:
            prompt_lines.append(line)
        else:
            negative_lines.append(line)
    negative = "\n".join(negative_lines) if negative_lines is not None else ""
    return Infotext("\n".join(prompt_lines), negative, params)


def _starts_with_key(line: str) -> bool:
    """A settings line begins with a name and a colon (prose with colons does not)."""
    head = line[: line.find(":")]
    return _KEY.fullmatch(head.strip()) is not None
