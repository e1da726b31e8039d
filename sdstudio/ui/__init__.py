"""The desktop window (PySide6). Importing this package is cheap: Qt loads on first use.

``from sdstudio.ui import MainWindow`` works; the name is resolved lazily so that the
command-line entry point can import ``sdstudio.ui.app`` without paying for the widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sdstudio.ui.main_window import MainWindow

__all__ = ["MainWindow"]


def __getattr__(name: str) -> Any:
    if name == "MainWindow":
        from sdstudio.ui.main_window import MainWindow

        return MainWindow
    raise AttributeError(f"module 'sdstudio.ui' has no attribute {name!r}")
