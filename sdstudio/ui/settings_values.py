"""Reading settings.ini back: every value is checked before any widget sees it.

The file is text that anyone can edit and a crash can damage, and Qt takes some values badly
(a number too large for a spin box raises, a huge array read runs thousands of Qt calls, a
megabyte of prompt stalls the first layout). So each read checks the type and the range the
widget offers, bounds texts, byte arrays and lists, and falls back to the default otherwise.
What had to change is noted once per key, for the window to say.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection

from PySide6.QtCore import QByteArray, QSettings

SETTINGS_FILE = "settings.ini"
MAX_TEXT_LENGTH = 4096  # a path, a hub id, a name: anything longer is damage
MAX_NUMBER_LENGTH = 64  # characters of a number's text worth parsing
MAX_BYTES = 256 * 1024  # a window's saved geometry or dock layout is a few kilobytes
SHOWN_LENGTH = 40  # characters of a bad value quoted in a message


class SettingsReader:
    """Checked reads of ``settings``; what could not be used as stored becomes a note.

    Notes wait until :meth:`report_to` names where to tell them (the window's status bar,
    once it is connected); later ones are told as they are found, each key only once.
    """

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings
        self._noted: set[str] = set()
        self._pending: list[str] = []
        self._tell: Callable[[str], object] | None = None

    # -- typed values --------------------------------------------------------------------

    def text(
        self,
        key: str,
        default: str = "",
        max_length: int = MAX_TEXT_LENGTH,
        label: str | None = None,
        cut: bool = False,
    ) -> str:
        """Text up to ``max_length`` characters; a longer one is ``cut`` to that, or else
        (a path cut short would name something else) the default."""
        raw = self._settings.value(key)
        if raw is None:
            return default
        if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            raw = ", ".join(raw)  # an unquoted "a, b" written by hand reads as a list
        name = label or key
        if not isinstance(raw, str):
            self.note(key, f"{name} in {SETTINGS_FILE} is not text; using the default.")
            return default
        if len(raw) <= max_length:
            return raw
        if cut:
            self.note(
                key,
                f"{name} in {SETTINGS_FILE} had {len(raw)} characters; "
                f"kept the first {max_length}.",
            )
            return raw[:max_length]
        self.note(key, f"{name} in {SETTINGS_FILE} is {len(raw)} characters long; ignored it.")
        return default

    def choice(
        self, key: str, default: str, choices: Collection[str], label: str | None = None
    ) -> str:
        """One of ``choices``, else the default."""
        value = self.text(key, default, label=label)
        if value in choices:
            return value
        name = label or key
        self.note(key, f"{name} {_shown(value)} in {SETTINGS_FILE} is unknown; using {default!r}.")
        return default

    def flag(self, key: str, default: bool, label: str | None = None) -> bool:
        """``true`` or ``false`` (any case), else the default."""
        raw = self._settings.value(key)
        if raw is None or isinstance(raw, bool):
            return default if raw is None else raw
        value = {"true": True, "false": False}.get(str(raw).strip().lower())
        if value is None:
            name = label or key
            self.note(
                key,
                f"{name} {_shown(raw)} in {SETTINGS_FILE} is not true or false; using {default}.",
            )
            return default
        return value

    def number(
        self,
        key: str,
        default: float,
        kind: type = int,
        low: float | None = None,
        high: float | None = None,
        label: str | None = None,
    ) -> float:
        """An ``int`` or ``float`` within ``low``..``high``, else the default: a value
        outside what the widget offers was not chosen there (and 99999999999 steps clamped
        to the top would start the slowest run the panel allows)."""
        raw = self._settings.value(key)
        if raw is None:
            return default
        name = label or key
        value = _parse_number(raw, kind)
        if value is None:
            problem = "is not a usable number"
        elif (low is not None and value < low) or (high is not None and value > high):
            problem = f"is outside {_range_text(low, high)}"
        else:
            return value
        self.note(
            key,
            f"{name} {_shown(raw)} in {SETTINGS_FILE} {problem}; "
            f"using the default {_number(default)}.",
        )
        return default

    def texts(self, array: str, key: str, limit: int, label: str) -> list[str]:
        """The ``key`` texts of the array QSettings writes as ``array`` (``label`` in words):
        at most ``limit`` entries, whatever size the file claims, without blanks or repeats."""
        size = self.number(f"{array}/size", 0, int, 0, None, label=f"The number of {label}")
        if size > limit:
            self.note(
                f"{array}/size", f"{SETTINGS_FILE} lists {size} {label}; kept the first {limit}."
            )
        values: list[str] = []
        for index in range(1, min(size, limit) + 1):  # QSettings counts array entries from 1
            value = self.text(f"{array}/{index}/{key}", label=f"Entry {index} of the {label}")
            if value and value not in values:
                values.append(value)
        return values

    def byte_array(self, key: str, max_bytes: int = MAX_BYTES) -> QByteArray:
        """Bytes as QSettings stores them, up to ``max_bytes``; else empty."""
        raw = self._settings.value(key)
        if raw is None:
            return QByteArray()
        if not isinstance(raw, QByteArray):
            self.note(key, f"{key} in {SETTINGS_FILE} is not saved data; ignored it.")
            return QByteArray()
        if raw.size() > max_bytes:
            self.note(key, f"{key} in {SETTINGS_FILE} has {raw.size()} bytes; ignored it.")
            return QByteArray()
        return raw

    def has_group(self, group: str) -> bool:
        return group in self._settings.childGroups()

    # -- notes ---------------------------------------------------------------------------

    def note(self, key: str, text: str) -> None:
        """Say ``text`` about ``key``, unless something was said about it already."""
        if key in self._noted:
            return
        self._noted.add(key)
        if self._tell is None:
            self._pending.append(text)
        else:
            self._tell(text)

    def report_to(self, tell: Callable[[str], object]) -> None:
        """Tell the notes so far through ``tell`` in one message, and later ones as found."""
        self._tell = tell
        if self._pending:
            tell(" ".join(self._pending))
            self._pending.clear()


def _parse_number(raw: object, kind: type) -> float | None:
    """``raw`` as a finite ``kind`` (an int may be written "20.0"), or None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if not text or len(text) > MAX_NUMBER_LENGTH:
            return None
        try:
            raw = int(text) if kind is int else float(text)
        except ValueError:
            try:
                raw = float(text)
            except ValueError:
                return None
    if not isinstance(raw, (int, float)) or not math.isfinite(raw):
        return None
    if kind is int:
        return int(raw) if float(raw).is_integer() else None
    return float(raw)


def _range_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{_number(low)}–{_number(high)}"
    return f"at least {_number(low)}" if low is not None else f"at most {_number(high)}"


def _number(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _shown(value: object) -> str:
    return repr(shortened(str(value)))


def shortened(text: str, length: int = SHOWN_LENGTH) -> str:
    """``text`` cut for a message: a damaged file can hold megabytes in one value."""
    return text if len(text) <= length else text[:length] + "…"
