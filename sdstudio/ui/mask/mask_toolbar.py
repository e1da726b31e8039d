"""The mask's toolbar, narrow enough to show every action beside the image toolbar on a
1366×768 laptop's window (nothing behind Qt's "»" overflow button).

Actions a user knows by their picture show only an icon, with the tooltip (and the action's
text, for menus and screen readers) saying what it is: the colour is its swatch, Undo and
Redo are arrows, the icon theme's ``edit-undo``/``edit-redo`` where the platform has one and
drawn ones in the palette's text colour otherwise (drawn again when the palette changes, as
a light/dark switch does). The rest keep their words: what "Invert" or "Show" does is not
guessed from a picture.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QToolBar, QToolButton, QWidget

ICON_SIZE = 64  # drawn large, scaled down by QIcon to the button's size
THEME_NAMES = {"undo": "edit-undo", "redo": "edit-redo"}


def arrow_icon(kind: str, colour: QColor, disabled: QColor) -> QIcon:
    """A curved arrow turning back to the left (``undo``) or on to the right (``redo``), in
    ``colour``, and in ``disabled`` when its action is (a style's greying of a dark icon
    still looks enabled beside greyed words)."""
    icon = QIcon(_arrow_pixmap(kind, colour))
    icon.addPixmap(_arrow_pixmap(kind, disabled), QIcon.Mode.Disabled)
    return icon


def _arrow_pixmap(kind: str, colour: QColor) -> QPixmap:
    pixmap = QPixmap(ICON_SIZE, ICON_SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(ICON_SIZE / 16, ICON_SIZE / 16)
    if kind == "redo":
        painter.translate(16, 0)
        painter.scale(-1, 1)
    shaft = QPainterPath(QPointF(13.0, 13.0))
    shaft.cubicTo(QPointF(13.5, 7.5), QPointF(9.5, 5.0), QPointF(5.0, 6.0))
    pen = QPen(colour, 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawPath(shaft)
    head = QPainterPath(QPointF(1.5, 6.5))
    head.lineTo(QPointF(6.5, 2.5))
    head.lineTo(QPointF(6.5, 10.0))
    head.closeSubpath()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.fillPath(head, colour)
    painter.end()
    return pixmap


class MaskToolbar(QToolBar):
    """A ``QToolBar`` whose :meth:`show_icon_only` actions show just their icon."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._drawn: dict[QAction, str] = {}  # actions whose icon is drawn here: its kind

    def show_icon_only(self, action: QAction, drawn: str | None = None) -> None:
        """Show ``action`` (already added) as an icon; ``drawn`` (``"undo"`` or ``"redo"``)
        gives it the theme's icon of that name or, without one, a drawn arrow."""
        button = self.widgetForAction(action)
        if isinstance(button, QToolButton):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        if drawn is not None:
            self._drawn[action] = drawn
            self._set_drawn_icon(action, drawn)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            for action, kind in self._drawn.items():
                self._set_drawn_icon(action, kind)

    def _set_drawn_icon(self, action: QAction, kind: str) -> None:
        palette, text = self.palette(), QPalette.ColorRole.ButtonText
        drawn = arrow_icon(
            kind, palette.color(text), palette.color(QPalette.ColorGroup.Disabled, text)
        )
        action.setIcon(QIcon.fromTheme(THEME_NAMES[kind], drawn))
