"""Inpainting options (A1111's): mask blur, masked content, inpaint area and its padding; and
outpainting, which extends the canvas on one side."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QSpinBox,
    QToolButton,
    QWidget,
)

MASKED_CONTENT_LABELS = (
    ("original", "Original"),
    ("fill", "Fill (surrounding colours)"),
    ("noise", "Latent noise"),
    ("nothing", "Latent nothing"),
)
INPAINT_AREA_LABELS = (("whole", "Whole picture"), ("masked", "Only masked"))
OUTPAINT_STEP = 8  # the VAE's block: the new size stays a multiple of 8
SIDES = ("left", "top", "right", "bottom")
SIDE_ARROWS = {"left": "←", "top": "↑", "right": "→", "bottom": "↓"}


def _combo(name: str, labels: tuple[tuple[str, str], ...], tip: str) -> QComboBox:
    combo = QComboBox(objectName=name)
    for value, label in labels:
        combo.addItem(label, value)
    combo.setToolTip(tip)
    return combo


class InpaintOptions(QWidget):
    """``maskBlurSpin``, ``maskedContentCombo``, ``inpaintAreaCombo``, ``maskPaddingSpin``
    (enabled for "Only masked"), and ``outpaintSpin`` and ``outpaintFillCombo`` with one
    button per side (``outpaintLeftButton`` …).

    Signals:
        outpaintRequested(int, int, int, int): extend the canvas by (left, top, right, bottom)
            pixels.
    """

    outpaintRequested = Signal(int, int, int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.blur_spin = QSpinBox(objectName="maskBlurSpin")
        self.blur_spin.setSuffix(" px")
        self.blur_spin.setToolTip("Soften the mask's edge so the repainted part blends in")
        self.content_combo = _combo(
            "maskedContentCombo",
            MASKED_CONTENT_LABELS,
            "What the masked part starts from (ordinary models; inpainting models read the "
            "mask themselves)",
        )
        self.area_combo = _combo(
            "inpaintAreaCombo",
            INPAINT_AREA_LABELS,
            "Only masked: generate a crop around the mask at the full size, then paste it "
            "back (more detail for small areas)",
        )
        self.padding_spin = QSpinBox(objectName="maskPaddingSpin")
        self.padding_spin.setSuffix(" px")
        self.padding_spin.setToolTip("Pixels around the mask included in the crop")
        self.outpaint_spin = QSpinBox(objectName="outpaintSpin")
        self.outpaint_spin.setRange(OUTPAINT_STEP, 1024)
        self.outpaint_spin.setSingleStep(OUTPAINT_STEP)
        self.outpaint_spin.setValue(64)
        self.outpaint_spin.setSuffix(" px")
        self.outpaint_spin.setToolTip("How far to extend the canvas (a multiple of 8)")
        self.outpaint_fill_combo = _combo(
            "outpaintFillCombo",
            (("edge", "Edges"), ("noise", "Noise")),
            "What the new part starts from: the edge pixels stretched out, or gray noise",
        )
        self.outpaint_buttons: dict[str, QToolButton] = {}
        outpaint = QHBoxLayout()
        outpaint.setContentsMargins(0, 0, 0, 0)
        outpaint.addWidget(self.outpaint_spin, 1)
        outpaint.addWidget(self.outpaint_fill_combo)
        for side in SIDES:
            button = QToolButton(objectName=f"outpaint{side.title()}Button", text=SIDE_ARROWS[side])
            button.setToolTip(f"Extend the picture on the {side} and mask the new part")
            button.clicked.connect(lambda _checked=False, s=side: self._extend(s))
            self.outpaint_buttons[side] = button
            outpaint.addWidget(button)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Mask blur", self.blur_spin)
        form.addRow("Masked content", self.content_combo)
        form.addRow("Inpaint area", self.area_combo)
        form.addRow("Padding", self.padding_spin)
        form.addRow("Outpaint", outpaint)
        self.area_combo.currentIndexChanged.connect(self._on_area_changed)
        self._on_area_changed()
        self.set_has_image(False)

    def outpaint_fill(self) -> str:
        """ "edge" or "noise"."""
        return str(self.outpaint_fill_combo.currentData())

    def set_has_image(self, has_image: bool) -> None:
        """Outpainting extends an init image; without one there is nothing to extend."""
        for button in self.outpaint_buttons.values():
            button.setEnabled(has_image)

    @Slot()
    def _on_area_changed(self) -> None:
        self.padding_spin.setEnabled(self.area_combo.currentData() == "masked")

    def _extend(self, side: str) -> None:
        amount = self.outpaint_spin.value() // OUTPAINT_STEP * OUTPAINT_STEP
        sides = {each: (amount if each == side else 0) for each in SIDES}
        self.outpaintRequested.emit(*(sides[each] for each in SIDES))
