"""Width and height (multiples of 8) with a menu of the loaded model's sizes and a swap button."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QWidget

from sdstudio.ui.size_spin import SideSpinBox

# Before a model is loaded: a few sizes of each family.
PRESETS: tuple[tuple[str, int, int], ...] = (
    ("Square 512 × 512 (SD 1.x)", 512, 512),
    ("Portrait 512 × 768", 512, 768),
    ("Landscape 768 × 512", 768, 512),
    ("Square 768 × 768 (SD 2.x)", 768, 768),
    ("Square 1024 × 1024 (SDXL)", 1024, 1024),
    ("Portrait 832 × 1216 (SDXL)", 832, 1216),
    ("Landscape 1216 × 832 (SDXL)", 1216, 832),
)


class SizeRow(QWidget):
    """``widthSpin`` × ``heightSpin``, ``sizePresetButton`` (menu) and ``swapSizeButton``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.width_spin = SideSpinBox(512)
        self.width_spin.setObjectName("widthSpin")
        self.height_spin = SideSpinBox(512)
        self.height_spin.setObjectName("heightSpin")
        self.width_spin.setToolTip("Width in pixels (a multiple of 8)")
        self.height_spin.setToolTip("Height in pixels (a multiple of 8)")
        self.swap_button = QToolButton(objectName="swapSizeButton", text="⇄")
        self.swap_button.setToolTip("Swap width and height")
        self.preset_button = QToolButton(objectName="sizePresetButton", text="Presets")
        self.preset_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.preset_button)
        menu.triggered.connect(self._on_preset)
        self.preset_button.setMenu(menu)
        self._fill_menu(PRESETS)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.width_spin, 1)
        layout.addWidget(QLabel("×"))
        layout.addWidget(self.height_spin, 1)
        layout.addWidget(self.swap_button)
        layout.addWidget(self.preset_button)
        self.swap_button.clicked.connect(self.swap)

    def set_presets(self, native: int, sizes: Sequence[tuple[int, int]]) -> None:
        """Offer the loaded model's sizes: its native square first, then its family's."""
        chosen = [(native, native), *(size for size in sizes if size != (native, native))]
        labelled = [(_label(width, height), width, height) for width, height in chosen]
        labelled[0] = (f"{labelled[0][0]} (native)", native, native)
        self._fill_menu(labelled)

    def _fill_menu(self, presets: Sequence[tuple[str, int, int]]) -> None:
        menu = self.preset_button.menu()
        menu.clear()
        for label, width, height in presets:
            action = menu.addAction(label)
            action.setData((width, height))

    def dimensions(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.width_spin.value(), self.height_spin.value()

    def set_size(self, width: int, height: int) -> None:
        self.width_spin.setValue(width)
        self.height_spin.setValue(height)

    @Slot()
    def swap(self) -> None:
        width, height = self.dimensions()
        self.set_size(height, width)

    @Slot(QAction)
    def _on_preset(self, action: QAction) -> None:
        self.set_size(*action.data())


def _label(width: int, height: int) -> str:
    shape = "Square" if width == height else "Landscape" if width > height else "Portrait"
    return f"{shape} {width} × {height}"
