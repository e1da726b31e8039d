"""The Upscale dialog's "Refine with Stable Diffusion" group: A1111's "SD upscale" options."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.sd_upscale.tile_grid import DEFAULT_OVERLAP
from sdstudio.ui.upscale.upscale_job import RefineChoice

DEFAULT_STRENGTH = 0.3  # enough to add detail, little enough to keep the picture (the CLI's)
MIN_TILE, MAX_TILE = 64, 2048
CANNOT_REFINE = (
    "Load a model to refine (or send jobs to a server in Preferences): the tiles are redrawn "
    "by the model."
)
HOW_IT_REFINES = (
    "Each tile is redrawn by img2img with the controls' prompts, sampler, steps, CFG, "
    "seed (+1 a tile) and LoRAs, queued like a Generate (on the server when jobs go there)."
)


class RefineBox(QGroupBox):
    """``upscaleRefineGroup``, a checkable group (off by default): ``upscaleRefineStrengthSpin``
    (denoising strength), ``upscaleRefineTileSpin`` (the tiles' side, a multiple of 8) and
    ``upscaleRefineOverlapSpin`` (the pixels they share, at most half a tile), with
    ``upscaleRefineNote`` saying what the tiles are drawn with, or why it cannot refine
    (``tile`` None: no model to refine with).

    Signals:
        changed(): the choice changed (checked, or a value).
    """

    changed = Signal()

    def __init__(self, tile: int | None, parent: QWidget | None = None) -> None:
        super().__init__("Refine with Stable Diffusion (SD upscale)", parent)
        self.setObjectName("upscaleRefineGroup")
        self.setCheckable(True)
        self.setChecked(False)
        self.strength_spin = QDoubleSpinBox(objectName="upscaleRefineStrengthSpin")
        self.strength_spin.setRange(0.0, 1.0)
        self.strength_spin.setSingleStep(0.05)
        self.strength_spin.setValue(DEFAULT_STRENGTH)
        self.strength_spin.setToolTip("How much each tile may change: 0.2-0.4 adds detail")
        self.tile_spin = QSpinBox(objectName="upscaleRefineTileSpin", suffix=" px")
        self.tile_spin.setRange(MIN_TILE, MAX_TILE)
        self.tile_spin.setSingleStep(64)
        self.tile_spin.setValue(_tile_side(tile or 512))
        self.tile_spin.setToolTip("Each tile's side: the model's own size suits it best")
        self.overlap_spin = QSpinBox(objectName="upscaleRefineOverlapSpin", suffix=" px")
        self.overlap_spin.setToolTip("Pixels neighbouring tiles share and fade over")
        self.note = QLabel(objectName="upscaleRefineNote", wordWrap=True)
        form = QFormLayout()
        form.addRow("Denoising strength", self.strength_spin)
        form.addRow("Tile size", self.tile_spin)
        form.addRow("Tile overlap", self.overlap_spin)
        layout = QVBoxLayout(self)  # a wrapped note below a form gets its full height
        layout.addLayout(form)
        layout.addWidget(self.note)
        self._limit_overlap()
        self.overlap_spin.setValue(min(DEFAULT_OVERLAP, self.tile_spin.value() // 2))
        self.tile_spin.editingFinished.connect(self._round_tile)
        self.tile_spin.valueChanged.connect(self._limit_overlap)
        for signal in (
            self.toggled,
            self.strength_spin.valueChanged,
            self.tile_spin.valueChanged,
            self.overlap_spin.valueChanged,
        ):
            signal.connect(self.changed)
        if tile is None:
            self.setEnabled(False)
            self.note.setText(CANNOT_REFINE)
        else:
            self.note.setText(HOW_IT_REFINES)

    def choice(self) -> RefineChoice | None:
        """The refinement asked for; None when the group is off (or cannot be used)."""
        if not (self.isEnabled() and self.isChecked()):
            return None
        tile = _tile_side(self.tile_spin.value())
        overlap = min(self.overlap_spin.value(), tile // 2)
        return RefineChoice(self.strength_spin.value(), tile, overlap)

    @Slot()
    def _round_tile(self) -> None:
        self.tile_spin.setValue(_tile_side(self.tile_spin.value()))

    @Slot()
    def _limit_overlap(self) -> None:
        self.overlap_spin.setRange(0, _tile_side(self.tile_spin.value()) // 2)


def _tile_side(pixels: int) -> int:
    """``pixels`` down to a multiple of 8 (what the model's latents need), within range."""
    return max(MIN_TILE, min(MAX_TILE, pixels - pixels % 8))
