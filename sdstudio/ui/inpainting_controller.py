"""Inpainting in the window: the mask editor over the init image, and outpainting.

It keeps the mask with the init image (a new picture of another size starts a blank mask),
shows the mask over the init image but not over results, and extends the canvas when an
outpaint button asks (the new part masked, the size controls set to the new size).
"""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import QObject, QSize, Slot

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.inpainting.outpaint import SIDE_STEP, Extension, outpainted
from sdstudio.ui.app_state import AppState
from sdstudio.ui.canvas import CanvasView
from sdstudio.ui.init_image_source import InitImageSource
from sdstudio.ui.inpaint_options import InpaintOptions
from sdstudio.ui.mask import MaskEditor
from sdstudio.ui.size_row import SizeRow


class InpaintingController(QObject):
    """Owns ``editor`` (:class:`MaskEditor`, whose ``toolbar`` the window places)."""

    def __init__(
        self,
        canvas: CanvasView,
        init_images: InitImageSource,
        options: InpaintOptions,
        size_row: SizeRow,
        state: AppState,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._init_images = init_images
        self._options = options
        self._size_row = size_row
        self._state = state
        self.editor = MaskEditor(canvas, self)
        self.editor.failed.connect(state.error)
        init_images.changed.connect(self._on_init_image_changed)
        options.outpaintRequested.connect(self.outpaint)
        state.resultShown.connect(lambda _result: self.show_mask(False))

    def mask(self) -> Image.Image | None:
        """The painted mask (None: nothing to repaint, or no init image)."""
        return self.editor.mask()

    def show_mask(self, shown: bool) -> None:
        """The overlay belongs over the init image; a result is shown without it."""
        self.editor.show_action.setChecked(shown)

    @Slot()
    def _on_init_image_changed(self) -> None:
        image = self._init_images.image()
        size = QSize() if image is None else QSize(image.width, image.height)
        self.editor.set_image_size(size)
        self.show_mask(image is not None)

    @Slot(int, int, int, int)
    def outpaint(self, left: int, top: int, right: int, bottom: int) -> None:
        """Extend the init image by these pixels and mask the new part (any mask already
        painted stays where it was)."""
        image = self._init_images.image()
        if image is None:
            self._state.error.emit("Open an init image first: outpainting extends it.")
            return
        try:
            bigger, mask = outpainted(
                image,
                Extension(left, top, right, bottom),
                self.editor.mask(),
                self._options.outpaint_fill(),
            )
        except RequestError as error:
            self._state.error.emit(str(error))
            return
        name = self._init_images.name().removesuffix(" (extended)") or "image"
        self._init_images.set_image(bigger, f"{name} (extended)")
        self.editor.set_mask(mask)
        width = max(SIDE_STEP, bigger.width // SIDE_STEP * SIDE_STEP)
        height = max(SIDE_STEP, bigger.height // SIDE_STEP * SIDE_STEP)
        self._size_row.set_size(width, height)
        self._state.tell(
            f"Extended to {bigger.width}×{bigger.height}: the new part is masked. Generate "
            "to paint it (strength 1 paints it anew; Masked content ▸ Fill helps ordinary "
            "models).",
            8000,
        )
