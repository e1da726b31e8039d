"""The attention overlay's colour legend: what its darkest and brightest colours mean."""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from sdstudio.engine.probes.colormaps import lookup_table
from sdstudio.ui.image_convert import pil_to_qimage

BAR_HEIGHT = 12


class HeatLegend(QWidget):
    """``attentionLegend``: ``0``, the heat colour bar and the map's largest value.

    The overlay is peak-normalised, so its brightest colour is a different share for each
    word; the legend says which.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attentionLegend")
        self.setToolTip(
            "The share of each pixel's attention that went to the word, averaged over heads, "
            "layers and steps; where it is low the image shows through"
        )
        self.low_label = QLabel("0", objectName="attentionLegendLow")
        self.high_label = QLabel(objectName="attentionLegendHigh")
        self.bar = QLabel(objectName="attentionLegendBar")
        self.bar.setPixmap(QPixmap.fromImage(_colour_bar()))
        self.bar.setScaledContents(True)
        self.bar.setFixedHeight(BAR_HEIGHT)
        self.bar.setMinimumWidth(64)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.low_label)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.high_label)
        self.high_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def set_peak(self, peak: float) -> None:
        """The value the brightest colour stands for."""
        self.high_label.setText(format_share(peak))


def format_share(value: float) -> str:
    """``0.31``, ``0.0042``: two significant digits however small the share is."""
    return f"{value:.2f}" if value >= 0.01 else f"{value:.2g}"


def _colour_bar() -> QImage:
    """The heat map's 256 colours, left (0) to right (the peak), one pixel each."""
    return pil_to_qimage(Image.fromarray(lookup_table("heat")[np.newaxis], "RGB"))
