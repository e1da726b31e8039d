"""What a history thumbnail says under it: the prompt (shortened), the seed and when.

A folder image's caption comes from the settings stored in it (ours, or A1111's infotext)
and its file time, read off the GUI thread with the thumbnail; one made in this session
knows its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from sdstudio.engine.metadata import ImageReadError, Infotext, read_metadata

PROMPT_CHARACTERS = 60  # the view elides to its width; this only keeps tooltips short


@dataclass(frozen=True)
class Caption:
    """``prompt`` is "" when the image does not say; ``seed`` and ``made`` may be unknown."""

    prompt: str = ""
    seed: int | None = None
    made: datetime | None = None

    def first_line(self, fallback: str) -> str:
        """The prompt on one line, or ``fallback`` (the file name) when there is none."""
        return short_prompt(self.prompt) or fallback

    def second_line(self, now: datetime | None = None) -> str:
        """``seed 1234 · 14:32``, or what of it is known."""
        parts = []
        if self.seed is not None:
            parts.append(f"seed {self.seed}")
        if self.made is not None:
            parts.append(when_text(self.made, now or datetime.now()))
        return " · ".join(parts)

    def tooltip(self, name: str) -> str:
        lines = [self.prompt or "(no prompt stored)"]
        if self.seed is not None:
            lines.append(f"Seed: {self.seed}")
        if self.made is not None:
            lines.append(f"Made: {self.made:%Y-%m-%d %H:%M:%S}")
        lines.append(name)
        return "\n".join(lines)


def short_prompt(prompt: str, limit: int = PROMPT_CHARACTERS) -> str:
    """``prompt`` on one line, cut at a word with an ellipsis past ``limit`` characters."""
    text = " ".join(prompt.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,") + "…"


def when_text(made: datetime, now: datetime) -> str:
    """The time for today's images, the day for this year's, the date for older ones."""
    if made.date() == now.date():
        return f"{made:%H:%M}"
    if made.year == now.year:
        return f"{made.day} {made:%b}"
    return f"{made:%Y-%m-%d}"


def caption_from_infotext(infotext: Infotext, made: datetime | None = None) -> Caption:
    """The prompt and seed an A1111 infotext names."""
    seed_text = infotext.params.get("Seed", "").strip()
    return Caption(infotext.prompt, int(seed_text) if seed_text.isdigit() else None, made)


def read_caption(path: str) -> Caption:
    """The caption of the image file at ``path`` (its text chunks only, not its pixels);
    for any thread. An image that stores no settings still has its file time."""
    try:
        made: datetime | None = datetime.fromtimestamp(os.stat(path).st_mtime)
    except OSError:
        made = None
    try:
        metadata = read_metadata(path)
    except ImageReadError:
        return Caption(made=made)
    if metadata.record is not None:
        return Caption(metadata.record.prompt, metadata.record.seed, made)
    if metadata.infotext is not None:
        return caption_from_infotext(metadata.infotext, made)
    return Caption(made=made)
