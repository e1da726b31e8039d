"""The Attention panel: capture on/off, the prompt's words to pick from, overlay opacity,
and the overlay's colour legend."""

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
from sdstudio.engine.probes.prompt_words import PromptWord
from sdstudio.engine.probes.token_maps import TokenMaps
from sdstudio.ui.probes.heat_legend import HeatLegend
from sdstudio.ui.probes.messages import AttentionResult

OFF_TEXT = (
    "Turn on “Capture attention maps” and generate; then pick a word of the prompt to see "
    "where the image attended to it."
)
WAITING_TEXT = "The maps appear when the next image finishes."
PICK_TEXT = "Pick a word…"


class AttentionPanel(QWidget):
    """``attentionCapture`` (off by default: capturing slows a run down), ``attentionToken``
    (the prompt's words, each item's tooltip naming the tokenizer's pieces; none picked
    until the user picks one, so nothing tints the result before), ``attentionOpacity``
    (0–100 %), ``attentionShow`` and ``attentionLegend`` (while a word is picked). Changing
    a choice never re-runs anything.

    Signals:
        overlayChanged(): the token, the opacity, showing or the maps changed.
    """

    overlayChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attentionPanel")
        self._maps: TokenMaps | None = None
        self._image_index: int | None = None
        self._picked: str | None = None  # the user's word, kept from run to run
        self._build()
        self._update_status()

    def _build(self) -> None:
        self.capture_check = QCheckBox("Capture attention maps", objectName="attentionCapture")
        self.capture_check.setToolTip(
            "Record the UNet's cross-attention in the next run (it takes longer)"
        )
        self.token_combo = QComboBox(objectName="attentionToken")
        self.token_combo.setPlaceholderText(PICK_TEXT)
        self.token_combo.setToolTip(
            "The prompt's words; hover over one to see the tokens the tokenizer split it into"
        )
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal, objectName="attentionOpacity")
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(round(DEFAULT_OPACITY * 100))
        self.opacity_label = QLabel(objectName="attentionOpacityLabel")
        self.opacity_label.setMinimumWidth(40)
        self.show_check = QCheckBox("Show over the result", objectName="attentionShow")
        self.show_check.setChecked(True)
        self.status = QLabel(objectName="attentionStatus", wordWrap=True)
        self.legend = HeatLegend()
        self.legend.setVisible(False)

        opacity_row = QHBoxLayout()
        opacity_row.addWidget(self.opacity_slider, 1)
        opacity_row.addWidget(self.opacity_label)
        form = QFormLayout()
        form.addRow("Word", self.token_combo)
        form.addRow("Opacity", opacity_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.capture_check)
        layout.addLayout(form)
        layout.addWidget(self.legend)
        layout.addWidget(self.show_check)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.capture_check.toggled.connect(self._update_status)
        self.token_combo.currentIndexChanged.connect(self._on_word)
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

    def words(self) -> list[str]:
        """The words offered, in the prompt's order."""
        return [self.token_combo.itemText(row) for row in range(self.token_combo.count())]

    def word(self) -> PromptWord | None:
        """The picked word (None until the user picks one, or without maps)."""
        row = self.token_combo.currentIndex()
        if self._maps is None or not 0 <= row < len(self._maps.words):
            return None
        return self._maps.words[row]

    def pick(self, text: str) -> None:
        """Pick the first word spelled ``text``, as choosing it in the list does."""
        self.token_combo.setCurrentIndex(self.words().index(text))

    def heat(self) -> np.ndarray | None:
        """The picked word's map, peak 1 (None without maps or a picked word)."""
        word = self.word()
        return None if word is None or self._maps is None else self._maps.heat(word)

    # -- runs ------------------------------------------------------------------------------
    def clear(self) -> None:
        self._maps, self._image_index = None, None
        self.token_combo.clear()
        self._update_status()
        self._update_legend()
        self.overlayChanged.emit()

    def set_maps(self, result: AttentionResult) -> None:
        """Maps of a finished image; the word the user picked stays picked when the prompt
        has it, else none is (the result shows untinted until the user picks one)."""
        self._maps, self._image_index = result.maps, result.image_index
        self.token_combo.blockSignals(True)
        self.token_combo.clear()
        for word in result.maps.words:
            self.token_combo.addItem(word.text)
            self.token_combo.setItemData(
                self.token_combo.count() - 1, _pieces_tip(word), Qt.ItemDataRole.ToolTipRole
            )
        kept = self.token_combo.findText(self._picked) if self._picked is not None else -1
        self.token_combo.setCurrentIndex(kept)
        self.token_combo.blockSignals(False)
        self._update_status()
        self._update_legend()
        self.overlayChanged.emit()

    # -- internals -------------------------------------------------------------------------
    @Slot(int)
    def _on_word(self, row: int) -> None:
        if row >= 0:  # a pick; -1 is the list emptied for the next run
            self._picked = self.token_combo.itemText(row)
        self._update_status()
        self._update_legend()
        self.overlayChanged.emit()

    def _update_legend(self) -> None:
        word = self.word()
        if word is not None and self._maps is not None:
            self.legend.set_peak(self._maps.peak(word))
        self.legend.setVisible(word is not None)

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
            if not self._maps.words:
                text = "The prompt has no words to show."
            elif self.word() is None:
                text = f"{text} Pick a word to see where the image attended to it."
        elif self.capture_enabled():
            text = WAITING_TEXT
        else:
            text = OFF_TEXT
        self.status.setText(text)


def _pieces_tip(word: PromptWord) -> str:
    """What the tokenizer made of a word: ``5 tokens: c · a · f · Ã · ©</w> (positions 2–6
    of the encoded prompt; …)``."""
    first, last = word.indices[0], word.indices[-1]
    where = f"position {first}" if first == last else f"positions {first}–{last}"
    count = "1 token" if len(word.tokens) == 1 else f"{len(word.tokens)} tokens"
    return f"{count}: {word.pieces} ({where} of the encoded prompt; </w> ends a word)"
