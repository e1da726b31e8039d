"""The one bootstrap for Qt and asyncio: PySide6 is imported before qasync.

qasync binds to whichever Qt binding ``QT_API`` names, or else the first one already
imported; sdstudio ships PySide6 only, so this module pins the choice before importing
qasync. Import ``qasync`` and its helpers from here, never directly.

qasync provides the app's event loop (``QEventLoop``: ``app.py`` and the smoke test await
Qt signals through it). Background jobs do not use it: they go through
:func:`sdstudio.ui.background.run_in_background`.
"""

from __future__ import annotations

import os

import PySide6.QtCore
import PySide6.QtGui
import PySide6.QtWidgets  # noqa: F401  (imported for qasync's binding detection)

os.environ["QT_API"] = "pyside6"

import qasync  # noqa: E402
from qasync import QEventLoop  # noqa: E402

__all__ = ["QEventLoop", "qasync"]
