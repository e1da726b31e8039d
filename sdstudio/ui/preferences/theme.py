"""Light, dark or the system's look for the whole app.

Qt 6.8+ can ask the platform for a colour scheme (``QStyleHints.setColorScheme``), which also
darkens native title bars; platforms that ignore the request (X11 without a platform theme,
offscreen) would keep their look, so light and dark also set an explicit Fusion palette.
"System" gives both back to the platform, which then follows the OS as it changes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

THEME_LABELS = (("system", "System"), ("light", "Light"), ("dark", "Dark"))

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup

_DARK = {
    _Role.Window: "#2d2d30",
    _Role.WindowText: "#e8e8e8",
    _Role.Base: "#1e1e1e",
    _Role.AlternateBase: "#2a2a2a",
    _Role.ToolTipBase: "#3a3a3d",
    _Role.ToolTipText: "#e8e8e8",
    _Role.PlaceholderText: "#8c8c8c",
    _Role.Text: "#e8e8e8",
    _Role.Button: "#3a3a3d",
    _Role.ButtonText: "#e8e8e8",
    _Role.BrightText: "#ff6b6b",
    _Role.Light: "#505053",
    _Role.Midlight: "#434346",
    _Role.Mid: "#2a2a2d",
    _Role.Dark: "#1f1f21",
    _Role.Shadow: "#101010",
    _Role.Highlight: "#3d7bd9",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#6ea8ff",
    _Role.LinkVisited: "#b48cff",
}
_LIGHT = {
    _Role.Window: "#efefef",
    _Role.WindowText: "#1a1a1a",
    _Role.Base: "#ffffff",
    _Role.AlternateBase: "#f5f5f5",
    _Role.ToolTipBase: "#ffffdc",
    _Role.ToolTipText: "#1a1a1a",
    _Role.PlaceholderText: "#7a7a7a",
    _Role.Text: "#1a1a1a",
    _Role.Button: "#efefef",
    _Role.ButtonText: "#1a1a1a",
    _Role.BrightText: "#ffffff",
    _Role.Light: "#ffffff",
    _Role.Midlight: "#e3e3e3",
    _Role.Mid: "#b8b8b8",
    _Role.Dark: "#9f9f9f",
    _Role.Shadow: "#767676",
    _Role.Highlight: "#308cc6",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#0b5fb0",
    _Role.LinkVisited: "#6a3cb0",
}
_DISABLED_TEXT = {"dark": "#7a7a7a", "light": "#9a9a9a"}


def theme_palette(theme: str) -> QPalette:
    """The explicit palette of ``theme`` ("light" or "dark")."""
    palette = QPalette()
    for role, colour in (_DARK if theme == "dark" else _LIGHT).items():
        palette.setColor(role, QColor(colour))
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText):
        palette.setColor(_Group.Disabled, role, QColor(_DISABLED_TEXT[theme]))
    return palette


def apply_theme(theme: str) -> None:
    """Give the running app ``theme``: "system", "light" or "dark"."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return
    hints = app.styleHints()
    can_ask = hasattr(hints, "setColorScheme")  # Qt 6.8+
    if theme not in ("light", "dark"):
        if can_ask:
            hints.unsetColorScheme()
        if app.testAttribute(Qt.ApplicationAttribute.AA_SetPalette):
            app.setPalette(QPalette())  # an empty palette gives the platform's back
        return
    if can_ask:
        hints.setColorScheme(Qt.ColorScheme.Dark if theme == "dark" else Qt.ColorScheme.Light)
    app.setPalette(theme_palette(theme))
