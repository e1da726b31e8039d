"""ControlNet in the window: the units' panel, each unit's controls and map preview, and the
map as a layer over the canvas."""

from sdstudio.ui.controlnet.control_layer import ControlLayer
from sdstudio.ui.controlnet.panel import ControlNetPanel

__all__ = ["ControlLayer", "ControlNetPanel"]
