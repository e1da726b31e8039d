"""Painting the inpainting mask on the canvas: the toolbar, the pointer and keys, undo.

The canvas stays a plain image viewer; this object watches its viewport (an event filter)
and takes left-drags for painting only while "Paint mask" is on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QIcon,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPixmap,
    QPointingDevice,
    QTabletEvent,
)
from PySide6.QtWidgets import (
    QColorDialog,
    QFileDialog,
    QGraphicsView,
    QSpinBox,
    QToolBar,
)

from sdstudio.ui.canvas import CanvasView
from sdstudio.ui.file_dialogs import IMAGE_FILTER
from sdstudio.ui.mask.mask_layer import MaskFileError, MaskLayer, picture_qimage
from sdstudio.ui.mask.mask_overlay import BrushCursor, MaskOverlay
from sdstudio.ui.mask.mask_tool import MAX_SIZE, MIN_SIZE, MaskMode, MaskTool
from sdstudio.ui.mask.mask_toolbar import MaskToolbar

MASK_FILTER = "PNG image (*.png)"
EMPTY_MASK = "The mask is empty: paint where the picture should change, then save."

_PRESS = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)
_MOUSE = (*_PRESS, QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease)
_TABLET = (QEvent.Type.TabletPress, QEvent.Type.TabletMove, QEvent.Type.TabletRelease)


class MaskEditor(QObject):
    """The mask for inpainting, painted over the init image on ``canvas``.

    Owns ``layer`` (:class:`MaskLayer`), ``tool`` (:class:`MaskTool`), the overlay items in
    the canvas's scene and ``toolbar`` (objectName ``maskToolbar``) for the window to place.
    The window calls :meth:`set_image_size` whenever the init image changes and reads
    :meth:`mask` when it builds a request. Without a ``parent`` the editor is the canvas's
    child, so it lives as long as the items and the event filter it installs there.

    Signals:
        maskChanged(): the mask's pixels changed (once per stroke, fill, undo, load…).
        failed(str): something could not be done (a message for the status bar).
    """

    maskChanged = Signal()
    failed = Signal(str)

    def __init__(self, canvas: CanvasView, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else canvas)
        self._canvas = canvas
        self._viewport = canvas.viewport()
        self._image_size = QSize()
        self._space_held = False
        self._pan_from: QPoint | None = None
        self._painting_applied = False

        self.layer = MaskLayer(self)
        self.tool = MaskTool(self)
        self.overlay = MaskOverlay(self.tool.colour())
        self.brush_cursor = BrushCursor()
        for item in (self.overlay, self.brush_cursor):
            item.hide()
            canvas.scene().addItem(item)

        self._build_actions()
        self.toolbar = self._build_toolbar()
        self._connect()
        self._viewport.installEventFilter(self)
        canvas.installEventFilter(self)
        self._update_state()

    # -- what the window uses ------------------------------------------------------------

    def set_image_size(self, size: QSize) -> None:
        """The init image is now ``size`` (empty: there is none). Another size starts a blank
        mask; the same size keeps the mask, which belongs to the picture, not the file."""
        self._image_size = QSize(size)
        if not size.isEmpty() and size != self.layer.size():
            self.layer.reset(size)
        self._update_state()

    def mask(self) -> Image.Image | None:
        """The mask as a PIL ``L`` image at the init image's size (white repaints), or None
        when it repaints nothing or there is no init image."""
        if self._image_size.isEmpty():
            return None
        return self.layer.to_pil()

    def set_mask(self, image: Image.Image) -> None:
        """Use ``image`` as the mask (undoable); another size is stretched to fit."""
        try:
            self.layer.set_image(picture_qimage(image), "Set mask")
        except MaskFileError as error:
            self.failed.emit(str(error))

    def is_painting(self) -> bool:
        """True while left-drags paint (``Paint mask`` is on and there is an init image)."""
        return self.paint_action.isChecked() and not self._image_size.isEmpty()

    @Slot(str)
    def load_from(self, path: str | Path) -> None:
        """Use the mask in ``path``; on failure ``failed`` says why and the mask stays."""
        if self._image_size.isEmpty():
            self.failed.emit("Open an init image before loading a mask for it.")
            return
        try:
            self.layer.load(path)
        except MaskFileError as error:
            self.failed.emit(str(error))

    @Slot(str)
    def save_to(self, path: str | Path) -> None:
        """Write the mask to ``path`` as a PNG (white repaints)."""
        if self.layer.is_empty():
            self.failed.emit(EMPTY_MASK)
            return
        try:
            self.layer.save(path)
        except MaskFileError as error:
            self.failed.emit(str(error))

    # -- dialogs (thin, so tests call load_from / save_to directly) ------------------------

    @Slot()
    def choose_load_path(self) -> None:
        dialog = QFileDialog(self._canvas.window(), "Load mask", "", IMAGE_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        self._open(dialog, self.load_from)

    @Slot()
    def choose_save_path(self) -> None:
        if self.layer.is_empty():
            self.failed.emit(EMPTY_MASK)
            return
        dialog = QFileDialog(self._canvas.window(), "Save mask", "mask.png", MASK_FILTER)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("png")
        self._open(dialog, self.save_to)

    @Slot()
    def choose_colour(self) -> None:
        dialog = QColorDialog(self.tool.colour(), self._canvas.window())
        dialog.setWindowTitle("Mask colour")
        dialog.setOption(QColorDialog.ColorDialogOption.ShowAlphaChannel)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.colorSelected.connect(self.tool.set_colour)
        dialog.open()

    @staticmethod
    def _open(dialog: QFileDialog, on_chosen: Callable[[str], object]) -> None:
        # open(), not exec(): no nested event loop under qasync.
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(on_chosen)
        dialog.open()

    # -- building ------------------------------------------------------------------------

    def _action(self, text: str, name: str, tip: str, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setToolTip(tip)
        action.setCheckable(checkable)
        return action

    def _build_actions(self) -> None:
        self.paint_action = self._action(
            "Paint Mask",
            "maskPaintAction",
            "Paint where the picture should change: drag to paint, Space+drag or middle-drag "
            "to pan, [ and ] for the brush size",
            checkable=True,
        )
        self.brush_action = self._action(
            "Brush", "maskBrushAction", "Mark pixels to repaint", checkable=True
        )
        self.eraser_action = self._action(
            "Eraser", "maskEraserAction", "Unmark pixels: keep them", checkable=True
        )
        self.brush_action.setChecked(True)
        modes = QActionGroup(self)
        modes.setExclusive(True)
        modes.addAction(self.brush_action)
        modes.addAction(self.eraser_action)
        self.colour_action = self._action(
            "Colour…", "maskColourAction", "The mask's colour: click to choose another"
        )
        self.fill_action = self._action("Fill", "maskFillAction", "Repaint the whole picture")
        self.clear_action = self._action("Clear", "maskClearAction", "Keep the whole picture")
        self.invert_action = self._action(
            "Invert", "maskInvertAction", "Swap what is repainted and what is kept"
        )
        self.undo_action = self._action("Undo", "maskUndoAction", "Undo a mask change (Ctrl+Z)")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self._action(
            "Redo", "maskRedoAction", "Redo a mask change (Ctrl+Shift+Z)"
        )
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.load_action = self._action(
            "Load…", "maskLoadAction", "Load a mask image (white repaints)"
        )
        self.save_action = self._action(
            "Save…", "maskSaveAction", "Save the mask as a PNG (white repaints)"
        )
        self.show_action = self._action(
            "Show", "maskShowAction", "Show the mask over the picture", checkable=True
        )
        self.show_action.setChecked(True)
        # On the canvas too, so Ctrl+Z works in its window even where the toolbar is hidden.
        self._canvas.addActions([self.undo_action, self.redo_action])
        self._set_swatch(self.tool.colour())

    def _build_toolbar(self) -> QToolBar:
        toolbar = MaskToolbar("Mask")
        toolbar.setObjectName("maskToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.size_spin = QSpinBox(objectName="maskSizeSpin")
        self.size_spin.setRange(MIN_SIZE, MAX_SIZE)
        self.size_spin.setPrefix("Size ")
        self.size_spin.setSuffix(" px")
        self.size_spin.setValue(self.tool.size())
        self.size_spin.setToolTip("Brush size in image pixels ([ and ] on the canvas)")
        self.hardness_spin = QSpinBox(objectName="maskHardnessSpin")
        self.hardness_spin.setRange(0, 100)
        self.hardness_spin.setSingleStep(10)
        self.hardness_spin.setPrefix("Hardness ")
        self.hardness_spin.setSuffix(" %")
        self.hardness_spin.setValue(round(self.tool.hardness() * 100))
        self.hardness_spin.setToolTip("100 % paints a hard edge, less fades the edge")

        toolbar.addAction(self.paint_action)
        toolbar.addSeparator()
        toolbar.addActions([self.brush_action, self.eraser_action])
        toolbar.addWidget(self.size_spin)
        toolbar.addWidget(self.hardness_spin)
        toolbar.addAction(self.colour_action)
        toolbar.addSeparator()
        toolbar.addActions([self.fill_action, self.clear_action, self.invert_action])
        toolbar.addSeparator()
        toolbar.addActions([self.undo_action, self.redo_action])
        toolbar.addSeparator()
        toolbar.addActions([self.load_action, self.save_action, self.show_action])
        for action in (
            self.paint_action,
            self.brush_action,
            self.eraser_action,
            self.colour_action,
            self.fill_action,
            self.clear_action,
            self.invert_action,
            self.undo_action,
            self.redo_action,
            self.load_action,
            self.save_action,
            self.show_action,
        ):
            button = toolbar.widgetForAction(action)
            button.setObjectName(action.objectName().replace("Action", "Button"))
        # Icons where a picture says it, so every action fits beside the image toolbar at
        # 1366×768 (see mask_toolbar); the words stay in the tooltips and the action texts.
        toolbar.show_icon_only(self.colour_action)
        toolbar.show_icon_only(self.undo_action, drawn="undo")
        toolbar.show_icon_only(self.redo_action, drawn="redo")
        return toolbar

    def _connect(self) -> None:
        self.paint_action.toggled.connect(self._on_paint_toggled)
        # Slots are the editor's own methods, never lambdas: Qt then drops each connection
        # when the editor goes, before the layer and its undo stack signal their own end.
        self.brush_action.triggered.connect(self._use_brush)
        self.eraser_action.triggered.connect(self._use_eraser)
        self.colour_action.triggered.connect(self.choose_colour)
        self.fill_action.triggered.connect(self.layer.fill)
        self.clear_action.triggered.connect(self.layer.clear)
        self.invert_action.triggered.connect(self.layer.invert)
        self.undo_action.triggered.connect(self.layer.undo)
        self.redo_action.triggered.connect(self.layer.redo)
        self.load_action.triggered.connect(self.choose_load_path)
        self.save_action.triggered.connect(self.choose_save_path)
        self.show_action.toggled.connect(self._update_overlay)

        self.size_spin.valueChanged.connect(self.tool.set_size)
        self.hardness_spin.valueChanged.connect(self._on_hardness_spin)
        self.tool.sizeChanged.connect(self._on_size_changed)
        self.tool.hardnessChanged.connect(self._on_hardness_changed)
        self.tool.modeChanged.connect(self._on_mode_changed)
        self.tool.colourChanged.connect(self._on_colour_changed)

        self.layer.areaChanged.connect(self._on_area_changed)
        self.layer.changed.connect(self.maskChanged)
        self.layer.undo_stack.canUndoChanged.connect(self._on_history_changed)
        self.layer.undo_stack.canRedoChanged.connect(self._on_history_changed)
        self._canvas.imageShown.connect(self._on_image_shown)

    # -- keeping widgets and items in step -----------------------------------------------

    def _update_state(self) -> None:
        self._apply_painting()
        self._update_overlay()
        self._update_actions()

    def _update_actions(self) -> None:
        has_image = not self._image_size.isEmpty()
        for action in (
            self.paint_action,
            self.fill_action,
            self.clear_action,
            self.invert_action,
            self.load_action,
            self.save_action,
        ):
            action.setEnabled(has_image)
        self.undo_action.setEnabled(has_image and self.layer.undo_stack.canUndo())
        self.redo_action.setEnabled(has_image and self.layer.undo_stack.canRedo())

    def _update_overlay(self) -> None:
        visible = (
            not self._image_size.isEmpty()
            and self.show_action.isChecked()
            and self._canvas.has_image()
        )
        self.overlay.fit_to(self._canvas.image_size())
        self.overlay.setVisible(visible)
        self._size_cursor()

    def _apply_painting(self) -> None:
        """Switch the canvas between painting and its own drag-to-pan, on changes only (so
        the canvas keeps its cursor until painting is first turned on)."""
        painting = self.is_painting()
        if painting == self._painting_applied:
            return
        self._painting_applied = painting
        if painting:
            self._canvas.setDragMode(QGraphicsView.DragMode.NoDrag)
            self._viewport.setMouseTracking(True)
            self._viewport.setCursor(Qt.CursorShape.CrossCursor)
        else:
            self.layer.end_stroke()
            self._pan_from = None
            self._space_held = False
            self.brush_cursor.hide()
            self._viewport.unsetCursor()
            # Back to the canvas's own drag-to-pan (which sets its open-hand cursor).
            self._canvas.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)

    @Slot()
    def _use_brush(self) -> None:
        self.tool.set_mode(MaskMode.BRUSH)

    @Slot()
    def _use_eraser(self) -> None:
        self.tool.set_mode(MaskMode.ERASER)

    @Slot(int)
    def _on_hardness_spin(self, percent: int) -> None:
        self.tool.set_hardness(percent / 100)

    @Slot(float)
    def _on_hardness_changed(self, hardness: float) -> None:
        self.hardness_spin.setValue(round(hardness * 100))

    @Slot(bool)
    def _on_history_changed(self, _can: bool) -> None:
        self._update_actions()

    @Slot(QImage)
    def _on_image_shown(self, _image: QImage) -> None:
        self._update_overlay()

    @Slot(bool)
    def _on_paint_toggled(self, on: bool) -> None:
        if on:
            self.show_action.setChecked(True)  # painting blind helps nobody
        self._apply_painting()

    @Slot(QRect)
    def _on_area_changed(self, rect: QRect) -> None:
        if self.layer.size() != self.overlay.boundingRect().size().toSize():
            self.overlay.set_mask(self.layer.image())
            self._update_overlay()
        else:
            self.overlay.update_area(rect, self.layer.image().copy(rect))

    @Slot(int)
    def _on_size_changed(self, size: int) -> None:
        self.size_spin.setValue(size)
        self._size_cursor()

    @Slot(object)
    def _on_mode_changed(self, mode: MaskMode) -> None:
        action = self.brush_action if mode is MaskMode.BRUSH else self.eraser_action
        action.setChecked(True)

    @Slot(QColor)
    def _on_colour_changed(self, colour: QColor) -> None:
        self.overlay.set_colour(colour, self.layer.image())
        self._set_swatch(colour)

    def _set_swatch(self, colour: QColor) -> None:
        swatch = QPixmap(16, 16)
        swatch.fill(QColor(colour.red(), colour.green(), colour.blue()))
        self.colour_action.setIcon(QIcon(swatch))

    def _size_cursor(self) -> None:
        # The outline is in scene units: mask pixels times the overlay's stretch, if any.
        self.brush_cursor.set_diameter(self.tool.size() * self.overlay.transform().m11())

    # -- pointer and keys ----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._viewport:
            if kind in _MOUSE:
                return self._on_mouse(event)
            if kind in _TABLET:
                return self._on_tablet(event)
            if kind == QEvent.Type.Leave:
                self.brush_cursor.hide()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return self._on_key(event)
        if kind == QEvent.Type.FocusOut and watched is self._canvas:
            self._space_held = False  # its release will go elsewhere
        return False

    def _mask_point(self, position: QPointF) -> QPointF:
        """A viewport position in mask pixels (scene coordinates, undoing any stretch)."""
        scene = self._canvas.viewportTransform().inverted()[0].map(position)
        return self.overlay.mapFromScene(scene)

    def _show_cursor(self, position: QPointF) -> None:
        self.brush_cursor.setPos(self._canvas.viewportTransform().inverted()[0].map(position))
        self.brush_cursor.setVisible(self._canvas.has_image())

    def _on_mouse(self, event: QMouseEvent) -> bool:
        kind = event.type()
        if self._pan_from is not None:
            if kind == QEvent.Type.MouseMove:
                self._pan_to(event.position().toPoint())
            elif kind == QEvent.Type.MouseButtonRelease and not event.buttons() & (
                Qt.MouseButton.LeftButton | Qt.MouseButton.MiddleButton
            ):
                self._pan_from = None
                self._viewport.setCursor(self._idle_cursor())
            return True
        if not self.is_painting():
            return False
        if kind in _PRESS:
            button = event.button()
            if button == Qt.MouseButton.MiddleButton or (
                button == Qt.MouseButton.LeftButton and self._space_held
            ):
                self._pan_from = event.position().toPoint()
                self._viewport.setCursor(Qt.CursorShape.ClosedHandCursor)
                return True
            if button == Qt.MouseButton.LeftButton:
                self._begin(event.position(), 1.0, self.tool.mode())
                return True
            return False
        if kind == QEvent.Type.MouseMove:
            self._show_cursor(event.position())
            if self.layer.is_stroking():
                self._continue(event.position(), 1.0)
                return True
            return False
        released = kind == QEvent.Type.MouseButtonRelease
        if released and event.button() == Qt.MouseButton.LeftButton and self.layer.is_stroking():
            self._continue(event.position(), 1.0)
            self.layer.end_stroke()
            return True
        return False

    def _on_tablet(self, event: QTabletEvent) -> bool:
        """Pen strokes with pressure; anything else falls through to the mouse events Qt
        makes from an unaccepted tablet event (so Space+drag still pans with a pen)."""
        if not self.is_painting() or self._space_held or self._pan_from is not None:
            return False
        kind = event.type()
        if kind == QEvent.Type.TabletPress and event.button() == Qt.MouseButton.LeftButton:
            eraser = event.pointerType() == QPointingDevice.PointerType.Eraser
            mode = MaskMode.ERASER if eraser else self.tool.mode()
            self._begin(event.position(), event.pressure(), mode)
        elif kind == QEvent.Type.TabletMove and self.layer.is_stroking():
            self._show_cursor(event.position())
            self._continue(event.position(), event.pressure())
        elif kind == QEvent.Type.TabletRelease and self.layer.is_stroking():
            self.layer.end_stroke()
        else:
            return False
        event.accept()
        return True

    def _begin(self, position: QPointF, pressure: float, mode: MaskMode) -> None:
        self._show_cursor(position)
        painted = self.layer.begin_stroke(
            self._mask_point(position),
            pressure,
            mode,
            diameter=self.tool.size(),
            hardness=self.tool.hardness(),
        )
        self._show_painted(painted)

    def _continue(self, position: QPointF, pressure: float) -> None:
        self._show_painted(self.layer.continue_stroke(self._mask_point(position), pressure))

    def _show_painted(self, rect: QRect) -> None:
        # Called directly, not through a signal: pointer events come many times a second.
        if not rect.isEmpty():
            self.overlay.update_area(rect, self.layer.image().copy(rect))

    def _pan_to(self, position: QPoint) -> None:
        assert self._pan_from is not None
        delta = position - self._pan_from
        self._pan_from = position
        for bar, step in (
            (self._canvas.horizontalScrollBar(), delta.x()),
            (self._canvas.verticalScrollBar(), delta.y()),
        ):
            bar.setValue(bar.value() - step)

    def _idle_cursor(self) -> Qt.CursorShape:
        return Qt.CursorShape.OpenHandCursor if self._space_held else Qt.CursorShape.CrossCursor

    def _on_key(self, event: QKeyEvent) -> bool:
        if self._image_size.isEmpty():
            return False
        key, text = event.key(), event.text()
        if event.type() == QEvent.Type.KeyPress:
            if key == Qt.Key.Key_BracketLeft or text == "[":
                self.tool.shrink()
                return True
            if key == Qt.Key.Key_BracketRight or text == "]":
                self.tool.grow()
                return True
            if key == Qt.Key.Key_Space and self.is_painting():
                if not event.isAutoRepeat() and self._pan_from is None:
                    self._space_held = True
                    self._viewport.setCursor(Qt.CursorShape.OpenHandCursor)
                return True
        elif key == Qt.Key.Key_Space and self.is_painting():
            if not event.isAutoRepeat():
                self._space_held = False
                if self._pan_from is None:
                    self._viewport.setCursor(Qt.CursorShape.CrossCursor)
            return True
        return False
