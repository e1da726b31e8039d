"""Paints a history cell: the thumbnail, and under it the caption's lines, each cut to fit.

Qt's own icon-mode cell wraps a long prompt over the second line (the seed and time would
vanish); here each line keeps its place and is elided on its own.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QIcon, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from sdstudio.ui.history.thumbnails import THUMBNAIL_SIDE

PADDING = 4
LINES = 2  # the prompt; the seed and time


def cell_size(metrics: QFontMetrics) -> QSize:
    """One cell: the thumbnail and :data:`LINES` lines of text, with padding around."""
    text = LINES * metrics.lineSpacing()
    return QSize(THUMBNAIL_SIDE + 2 * PADDING, THUMBNAIL_SIDE + text + 3 * PADDING)


class CaptionDelegate(QStyledItemDelegate):
    """The model's decoration on top, its display text's lines below (the first as text,
    the rest muted). No signals."""

    def sizeHint(
        self, option: QStyleOptionViewItem, _index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return cell_size(option.fontMetrics)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        cell = opt.rect
        picture = QRect(0, 0, THUMBNAIL_SIDE, THUMBNAIL_SIDE)
        picture.moveTopLeft(cell.topLeft())
        picture.translate((cell.width() - THUMBNAIL_SIDE) // 2, PADDING)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        mode = QIcon.Mode.Selected if selected else QIcon.Mode.Normal
        opt.icon.paint(painter, picture, Qt.AlignmentFlag.AlignCenter, mode)
        # Not opt.text: Qt turns its line breaks into separators inside one line.
        lines = str(index.data(Qt.ItemDataRole.DisplayRole) or "").split("\n")
        self._paint_lines(painter, opt, lines, picture.bottom() + 1 + PADDING, selected)

    @staticmethod
    def _paint_lines(
        painter: QPainter, opt: QStyleOptionViewItem, lines: list[str], top: int, selected: bool
    ) -> None:
        metrics = opt.fontMetrics
        width = opt.rect.width() - 2 * PADDING
        palette = opt.palette
        roles = QPalette.ColorRole
        main = roles.HighlightedText if selected else roles.Text
        muted = roles.HighlightedText if selected else roles.PlaceholderText
        painter.save()
        for number, line in enumerate(lines[:LINES]):
            painter.setPen(palette.color(main if number == 0 else muted))
            text = metrics.elidedText(line, Qt.TextElideMode.ElideRight, width)
            row = QRect(opt.rect.left() + PADDING, top, width, metrics.lineSpacing())
            painter.drawText(row, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)
            top += metrics.lineSpacing()
        painter.restore()
