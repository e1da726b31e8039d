"""A ``sys.excepthook`` that shows errors in the window instead of losing them.

Errors meant for the user (:class:`UserFacingError`) are shown as their message only; any
other exception is still printed to stderr for developers and summarised for the user.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from sdstudio.engine.errors import UserFacingError

Reporter = Callable[[str, str], None]
"""Called with (message for the user, details: a traceback or an empty string)."""


def describe_exception(error: BaseException) -> str:
    if isinstance(error, UserFacingError):
        return str(error)
    if isinstance(error, MemoryError):
        return "Out of memory: try a smaller image size or fewer images per batch."
    return f"Unexpected error: {type(error).__name__}: {error}"


def install_excepthook(report: Reporter) -> Callable[[], None]:
    """Route uncaught exceptions to ``report``; returns a function that restores the old hook."""
    previous = sys.excepthook

    def hook(exc_type: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, error, tb)
            return
        details = ""
        if not isinstance(error, UserFacingError):
            details = "".join(traceback.format_exception(exc_type, error, tb))
            sys.stderr.write(details)
        try:
            report(describe_exception(error), details)
        except Exception:  # the window may be gone; never lose the original error
            previous(exc_type, error, tb)

    def restore() -> None:
        if sys.excepthook is hook:
            sys.excepthook = previous

    sys.excepthook = hook
    return restore
