"""The mask toolbar's compact buttons: the colour, Undo and Redo show icons only, with their
names, tooltips and shortcuts kept; drawn arrows follow the palette."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QToolButton

from sdstudio.ui.canvas import CanvasView
from sdstudio.ui.mask.mask_editor import MaskEditor
from sdstudio.ui.mask.mask_toolbar import MaskToolbar

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

ICON_ONLY = ["maskColourButton", "maskUndoButton", "maskRedoButton"]


@pytest.fixture
def editor(qtbot) -> Iterator[MaskEditor]:
    window = QMainWindow()
    canvas = CanvasView()
    window.setCentralWidget(canvas)
    editor = MaskEditor(canvas)
    window.addToolBar(editor.toolbar)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield editor  # the window (and the editor, the canvas's child) lives until the end
    window.close()


def button(editor: MaskEditor, name: str) -> QToolButton:
    found = editor.toolbar.findChild(QToolButton, name)
    assert found is not None, name
    return found


def test_the_colour_undo_and_redo_are_icons_with_their_words_in_the_tooltip(editor) -> None:
    assert isinstance(editor.toolbar, MaskToolbar)
    assert editor.toolbar.objectName() == "maskToolbar"
    for name in ICON_ONLY:
        shown = button(editor, name)
        assert shown.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly, name
        assert not shown.icon().isNull() and shown.toolTip(), name
    assert button(editor, "maskSaveButton").toolButtonStyle() == (
        Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    )
    assert (editor.undo_action.text(), editor.redo_action.text()) == ("Undo", "Redo")
    assert "Ctrl+Z" in editor.undo_action.toolTip()
    assert editor.undo_action.shortcut() == QKeySequence("Ctrl+Z")
    assert QKeySequence("Ctrl+Y") in editor.redo_action.shortcuts()


def test_drawn_arrows_are_drawn_again_in_a_new_palettes_text_colour(editor, qtbot) -> None:
    if QIcon.hasThemeIcon("edit-undo"):
        pytest.skip("the platform's icon theme draws Undo")
    app = QApplication.instance()
    before = editor.undo_action.icon().cacheKey()
    previous = app.palette()
    dark = QPalette(previous)
    dark.setColor(QPalette.ColorRole.ButtonText, QColor("white"))
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: editor.undo_action.icon().cacheKey() != before)
        image = editor.undo_action.icon().pixmap(QSize(32, 32)).toImage()
        colours = {image.pixelColor(x, y).name() for x in range(32) for y in range(32)}
        assert "#ffffff" in colours
    finally:
        app.setPalette(previous)
