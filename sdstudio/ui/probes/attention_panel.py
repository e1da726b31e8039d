"""The Attention panel: capture on/off, the prompt's tokens to pick from, overlay opacity."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.probes.heat_overlay import DEFAULT_OPACITY
from sdstudio.engine.probes.token_maps import TokenMaps
from sdstudio.ui.probes.messages import AttentionResult

OFF_TEXT = (
    "Turn on “Capture attention maps” and generate; then pick a token of the prompt to see "
    "where the image attended to it."
)
WAITING_TEXT = "The maps appear when the next image finishes."


class AttentionPanel(QWidget):
    """``attentionCapture`` (off by default: capturing slows a run down), ``attentionToken``
    (the prompt's tokens as the tokenizer split them), ``attentionOpacity`` (0–100 %) and
    ``attentionShow``. Changing a choice never re-runs anything.

    Signals:
        overlayChanged(): the token, the opacity, showing or the maps changed.
    """

    overlayChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attentionPanel")
        self._maps: TokenMaps | None = None
        self._image_index: int | None = None
        self._build()
        self._update_status()

    def _build(self) -> None:
        self.capture_check = QCheckBox("Capture attention maps", objectName="attentionCapture")
        self.capture_check.setToolTip(
            "Record the UNet's cross-attention in the next run (it takes longer)"
        )
        self.token_combo = QComboBox(objectName="attentionToken")
        self.token_combo.setToolTip(
            "The prompt's tokens as the tokenizer split it; </w> ends a word"
        )
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal, objectName="attentionOpacity")
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(round(DEFAULT_OPACITY * 100))
        self.opacity_label = QLabel(objectName="attentionOpacityLabel")
        self.opacity_label.setMinimumWidth(40)
        self.show_check = QCheckBox("Show over the result", objectName="attentionShow")
        self.show_check.setChecked(True)
        self.status = QLabel(objectName="attentionStatus", wordWrap=True)

        opacity_row = QHBoxLayout()
        opacity_row.addWidget(self.opacity_slider, 1)
        opacity_row.addWidget(self.opacity_label)
        form = QFormLayout()
        form.addRow("Token", self.token_combo)
        form.addRow("Opacity", opacity_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.capture_check)
        layout.addLayout(form)
        layout.addWidget(self.show_check)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.capture_check.toggled.connect(self._update_status)
        self.token_combo.currentIndexChanged.connect(self.overlayChanged)
        self.opacity_slider.valueChanged.connect(self._on_opacity)
        self.show_check.toggled.connect(self.overlayChanged)
        self._on_opacity(self.opacity_slider.value())

    # -- state -----------------------------------------------------------------------------
    def capture_enabled(self) -> bool:
        return self.capture_check.isChecked()

    def opacity(self) -> float:
        return self.opacity_slider.value() / 100

    def showing(self) -> bool:
        return self.show_check.isChecked() and self._maps is not None

    def maps(self) -> TokenMaps | None:
        return self._maps

    def image_index(self) -> int | None:
        """Which image of the run the maps belong to (None without maps)."""
        return self._image_index

    def tokens(self) -> list[str]:
        return [self.token_combo.itemText(row) for row in range(self.token_combo.count())]

    def heat(self) -> np.ndarray | None:
        """The chosen token's map, peak 1 (None without maps or tokens)."""
        row = self.token_combo.currentIndex()
        if self._maps is None or row < 0:
            return None
        return self._maps.heat(self._maps.tokens[row])

    # -- runs ------------------------------------------------------------------------------
    def clear(self) -> None:
        self._maps, self._image_index = None, None
        self.token_combo.clear()
        self._update_status()
        self.overlayChanged.emit()

    def set_maps(self, result: AttentionResult) -> None:
        """Maps of a finished image; the same token stays picked when the prompt has it."""
        previous = self.token_combo.currentText()
        self._maps, self._image_index = result.maps, result.image_index
        self.token_combo.blockSignals(True)
        self.token_combo.clear()
        for token in result.maps.tokens:
            self.token_combo.addItem(token.text, token.index)
            self.token_combo.setItemData(
                self.token_combo.count() - 1,
                f"Position {token.index} of the encoded prompt",
                Qt.ItemDataRole.ToolTipRole,
            )
        self.token_combo.setCurrentIndex(max(0, self.token_combo.findText(previous)))
        self.token_combo.blockSignals(False)
        self._update_status()
        self.overlayChanged.emit()

    # -- internals -------------------------------------------------------------------------
    @Slot(int)
    def _on_opacity(self, value: int) -> None:
        self.opacity_label.setText(f"{value} %")
        self.overlayChanged.emit()

    @Slot()
    def _update_status(self) -> None:
        self.token_combo.setEnabled(self._maps is not None and self.token_combo.count() > 0)
        if self._maps is not None:
            width, height = self._maps.size
            text = (
                f"Averaged over heads, {self._maps.layers} cross-attention layers and "
                f"{self._maps.steps} steps, on the {width}×{height} latent grid."
            )
            if not self._maps.tokens:
                text = "The prompt has no tokens to show."
        elif self.capture_enabled():
            text = WAITING_TEXT
        else:
            text = OFF_TEXT
        self.status.setText(text)
