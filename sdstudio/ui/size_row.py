"""Width and height (multiples of 8) with a menu of the loaded model's sizes and a swap button.

A typed side that is not a multiple of 8 is rounded; a note under the row says so, so that
500 does not silently become 496.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from sdstudio.ui.size_spin import MAX_SIDE, MIN_SIDE, SIDE_STEP, SideSpinBox

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
    """``widthSpin`` × ``heightSpin``, ``sizePresetButton`` (menu) and ``swapSizeButton``;
    under them ``sizeSnapNote``, shown after a typed side was rounded until the size
    changes again."""

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
        self.snap_note = QLabel(objectName="sizeSnapNote", wordWrap=True)
        self.snap_note.setVisible(False)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.width_spin, 1)
        row.addWidget(QLabel("×"))
        row.addWidget(self.height_spin, 1)
        row.addWidget(self.swap_button)
        row.addWidget(self.preset_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.snap_note)
        self.swap_button.clicked.connect(self.swap)
        for name, spin in (("Width", self.width_spin), ("Height", self.height_spin)):
            spin.valueChanged.connect(self._hide_note)
            spin.snapped.connect(lambda typed, side, name=name: self._show_note(name, typed, side))

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

    def _show_note(self, name: str, typed: int, side: int) -> None:
        self.snap_note.setText(snap_message(name, typed, side))
        self.snap_note.setVisible(True)

    @Slot()
    def _hide_note(self) -> None:
        self.snap_note.setVisible(False)


def snap_message(name: str, typed: int, side: int) -> str:
    """``Width 500 → 496 (a multiple of 8)``, or why a side out of range became another."""
    if typed < MIN_SIDE:
        why = "the smallest side"
    elif typed > MAX_SIDE:
        why = "the largest side"
    else:
        why = f"a multiple of {SIDE_STEP}"
    return f"{name} {typed} → {side} ({why})"


def _label(width: int, height: int) -> str:
    shape = "Square" if width == height else "Landscape" if width > height else "Portrait"
    return f"{shape} {width} × {height}"
