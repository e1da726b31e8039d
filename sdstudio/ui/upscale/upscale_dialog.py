"""The "Upscale…" dialog: which upscaler, by how much, and the size that makes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.sd_upscale.tile_grid import TileGrid
from sdstudio.engine.upscalers import UpscalerInfo, target_size
from sdstudio.ui.upscale.catalog import UpscalerCatalog
from sdstudio.ui.upscale.refine_box import RefineBox
from sdstudio.ui.upscale.upscale_job import UpscaleChoice, UpscaleSource
from sdstudio.ui.upscale.upscaler_items import fill_upscalers, is_usable

DEFAULT_UPSCALER = "Lanczos"
DEFAULT_FACTOR = 2.0
MAX_FACTOR = 8.0  # A1111's extras slider


class UpscaleDialog(QDialog):
    """``upscaleDialog``: ``upscaleSourceLabel`` names the picture, ``upscaleUpscalerCombo``
    lists the upscalers (read again from the folder when it opens), ``upscaleFactorSpin`` the
    factor (a model's own scale when one is picked), ``upscaleSizeNote`` the resulting size;
    ``upscaleRefineGroup`` (:class:`RefineBox`) refines it with the model, in tiles of
    ``refine_tile`` pixels by default (None: no model to refine with); ``upscaleStartButton``
    accepts.

    Signals:
        chosen(object): the :class:`UpscaleChoice` for the source, when the user accepts.
    """

    chosen = Signal(object)

    def __init__(
        self,
        source: UpscaleSource,
        catalog: UpscalerCatalog,
        parent: QWidget | None = None,
        refine_tile: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("upscaleDialog")
        self.setWindowTitle("Upscale")
        self.source = source
        self._catalog = catalog
        self.source_label = QLabel(
            f"Upscale {source.name} ({source.width}×{source.height})",
            objectName="upscaleSourceLabel",
        )
        self.source_label.setWordWrap(True)
        self.upscaler_combo = QComboBox(objectName="upscaleUpscalerCombo")
        self.factor_spin = QDoubleSpinBox(objectName="upscaleFactorSpin", prefix="× ")
        self.factor_spin.setRange(1.0, MAX_FACTOR)
        self.factor_spin.setDecimals(2)
        self.factor_spin.setSingleStep(0.5)
        self.factor_spin.setValue(DEFAULT_FACTOR)
        self.factor_spin.setToolTip(
            "A model reaches another factor than its own as A1111 does: it runs again while "
            "the picture is smaller, then Lanczos gives the exact size"
        )
        self.size_note = QLabel(objectName="upscaleSizeNote")
        self.list_note = QLabel(objectName="upscaleListNote", wordWrap=True)
        self.refine_box = RefineBox(refine_tile)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.start_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.start_button.setText("Upscale")
        self.start_button.setObjectName("upscaleStartButton")
        form = QFormLayout()
        form.addRow("Upscaler", self.upscaler_combo)
        form.addRow("Upscale by", self.factor_spin)
        form.addRow("Size", self.size_note)
        layout = QVBoxLayout(self)
        layout.addWidget(self.source_label)
        layout.addLayout(form)
        layout.addWidget(self.list_note)
        layout.addWidget(self.refine_box)
        layout.addWidget(self.buttons)
        self.set_upscalers(catalog.upscalers)
        index = self.upscaler_combo.findData(DEFAULT_UPSCALER)
        self.upscaler_combo.setCurrentIndex(max(0, index))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.upscaler_combo.activated.connect(self._on_upscaler_picked)
        self.upscaler_combo.currentIndexChanged.connect(self._update)
        self.factor_spin.valueChanged.connect(self._update)
        self.refine_box.changed.connect(self._update)
        catalog.listed.connect(self.set_upscalers)
        catalog.failed.connect(self.list_note.setText)
        self._update()
        if catalog.reading or not catalog.read_once:
            self.list_note.setText("Reading the upscaler models…")
        catalog.refresh()  # files added since the last look are listed too

    def choice(self) -> UpscaleChoice:
        return UpscaleChoice(
            str(self.upscaler_combo.currentData()),
            self.factor_spin.value(),
            self.refine_box.choice(),
        )

    @Slot(list)
    def set_upscalers(self, upscalers: Sequence[UpscalerInfo]) -> None:
        fill_upscalers(self.upscaler_combo, (), upscalers)
        if self.upscaler_combo.currentIndex() < 0:
            self.upscaler_combo.setCurrentIndex(0)
        has_models = any(info.path is not None for info in upscalers)
        self.list_note.setText(
            "" if has_models else "No upscaler models yet: Model ▸ Upscalers… says where they go."
        )
        self._update()

    def accept(self) -> None:
        if not self.start_button.isEnabled():
            return
        self.chosen.emit(self.choice())
        super().accept()

    @Slot(int)
    def _on_upscaler_picked(self, index: int) -> None:
        """A model picked by the user brings its own factor, as its natural choice."""
        scale = next(
            (
                info.scale
                for info in self._catalog.upscalers
                if info.name == self.upscaler_combo.itemData(index) and info.scale
            ),
            None,
        )
        if scale is not None:
            self.factor_spin.setValue(min(float(scale), MAX_FACTOR))

    @Slot()
    def _update(self) -> None:
        width, height = target_size(
            (self.source.width, self.source.height), self.factor_spin.value()
        )
        size = f"{self.source.width}×{self.source.height} → {width}×{height}"
        refine = self.refine_box.choice()
        if refine is not None:
            grid = TileGrid.over((width, height), (refine.tile, refine.tile), refine.overlap)
            size += f", refined in {len(grid.boxes)} tiles"
        self.size_note.setText(size)
        self.start_button.setText("Queue" if refine is not None else "Upscale")
        index = self.upscaler_combo.currentIndex()
        self.start_button.setEnabled(index >= 0 and is_usable(self.upscaler_combo, index))
