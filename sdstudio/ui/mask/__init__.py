"""The inpainting mask: painted over the init image on the canvas, white where to repaint."""

from sdstudio.ui.mask.mask_editor import MaskEditor
from sdstudio.ui.mask.mask_layer import MaskFileError, MaskLayer
from sdstudio.ui.mask.mask_overlay import BrushCursor, MaskOverlay
from sdstudio.ui.mask.mask_tool import MaskMode, MaskTool

__all__ = [
    "BrushCursor",
    "MaskEditor",
    "MaskFileError",
    "MaskLayer",
    "MaskMode",
    "MaskOverlay",
    "MaskTool",
]
