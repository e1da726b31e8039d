"""Text from files shown in a terminal: control characters in an image's text chunks (an
``ESC [`` sequence) would otherwise be run by the terminal, recolouring or clearing it, or
hiding what follows. Each is shown as ``\\xNN`` instead; newlines and tabs stay."""

from __future__ import annotations

_KEPT = "\n\t"
# Unicode's control characters (category Cc): C0, DEL and C1, which some terminals obey too.
_CONTROL_CODES = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
_ESCAPES = {code: f"\\x{code:02x}" for code in _CONTROL_CODES if chr(code) not in _KEPT}


def for_terminal(text: str) -> str:
    """``text`` with every control character but newline and tab written as ``\\xNN``."""
    return text.translate(_ESCAPES)
