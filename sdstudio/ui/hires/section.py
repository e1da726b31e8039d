"""The hires fix in the settings panel: A1111's "Hires. fix" for text to image, as one
checkable group whose settings are the schema's hires section."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.generation.hires_target import hires_target
from sdstudio.engine.generation.scheduler_names import scheduler_choices
from sdstudio.engine.generation.settings import MAX_SIDE
from sdstudio.engine.upscalers import UpscalerInfo
from sdstudio.ui.upscale.catalog import builtin_upscalers
from sdstudio.ui.upscale.upscaler_items import add_unlisted, fill_upscalers

# A1111's latent upscale modes, by its names, with what the list says of each (the engine's
# names are in engine/generation/hires/upscaler_names.py; a test keeps the two lists equal).
LATENT_UPSCALERS: tuple[tuple[str, str], ...] = (
    ("Latent", "Bilinear in latent space (A1111's default): fast, wants denoising ≥ 0.5"),
    ("Latent (antialiased)", "Bilinear with antialiasing, in latent space"),
    ("Latent (bicubic)", "Bicubic in latent space"),
    ("Latent (bicubic antialiased)", "Bicubic with antialiasing, in latent space"),
    ("Latent (nearest)", "Nearest neighbour in latent space"),
    ("Latent (nearest-exact)", "Nearest-exact in latent space"),
)
SAME_SAMPLER = "Same as the first pass"
TXT2IMG_ONLY = "The hires fix is for text to image: it is not used while an init image is loaded"
INPAINTING_MODEL = "The hires fix does not run on inpainting models yet: load an ordinary model"
WITH_REFINER = "The hires fix and a refiner cannot run together yet: clear the refiner to use it"
MORE_CLOSED = "▸ Hires prompt, negative and sampler"
MORE_OPEN = "▾ Hires prompt, negative and sampler"


def _hires_prompt_edit(name: str, placeholder: str) -> QPlainTextEdit:
    edit = QPlainTextEdit(objectName=name)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    line = edit.fontMetrics().lineSpacing()
    margins = edit.contentsMargins()
    edit.setFixedHeight(line * 2 + 2 * edit.document().documentMargin() + margins.top() * 2)
    return edit


class HiresSection(QGroupBox):
    """``hiresSection``, checkable (unchecked: no hires upscaler, the fix is off, and only
    the title shows), holding ``hiresSizeNote`` ("64×64 → 128×128") and ``hiresBody`` with
    ``hiresUpscaler`` (latent modes, Lanczos, Nearest and the upscaler models, unusable ones
    disabled), ``hiresScale`` or ``hiresResizeX``/``hiresResizeY``, ``hiresSteps`` (0: as
    many as the first pass), ``hiresDenoise`` and, behind ``hiresMoreToggle``, ``hiresMore``
    with ``hiresPrompt``, ``hiresNegativePrompt`` and ``hiresSampler``.

    The whole section is disabled, with the reason as its tooltip and in the note, while an
    init image is loaded, the model is an inpainting one or a refiner is named: a run then
    leaves the hires fix out (:meth:`blocked`), and the settings stay for later.

    Signals:
        upscalersWanted(): the upscaler list is about to be looked at (the user turned the
            fix on, or opened the list): read the upscaler folder if it was not read.
    """

    upscalersWanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Hires fix", parent)
        self.setObjectName("hiresSection")
        self.setCheckable(True)
        self.setChecked(False)
        self._base = (512, 512)
        self._init_image = False
        self._inpainting_model = False
        self._refiner = False
        self.upscaler_combo = _UpscalerCombo(objectName="hiresUpscaler")
        self.upscaler_combo.setToolTip(
            "How the first picture is enlarged: in latent space, with Pillow, or with an "
            "upscaler model from the upscalers folder"
        )
        self.upscaler_combo.popupAboutToShow.connect(self.upscalersWanted)
        self.set_upscalers(builtin_upscalers())
        self.scale_spin = QDoubleSpinBox(objectName="hiresScale", prefix="× ")
        self.scale_spin.setDecimals(2)
        self.scale_spin.setSingleStep(0.25)
        self.scale_spin.setToolTip("Upscale the first picture by this factor")
        self.resize_x_spin = QSpinBox(objectName="hiresResizeX")
        self.resize_y_spin = QSpinBox(objectName="hiresResizeY")
        for spin, side in ((self.resize_x_spin, "width"), (self.resize_y_spin, "height")):
            spin.setSingleStep(8)
            spin.setSpecialValueText("auto")
            spin.setToolTip(
                f"Resize to this {side} instead of the factor; auto: from the other side and "
                "the aspect ratio (both auto: use the factor). With both set, the picture is "
                "upscaled to cover them and cropped"
            )
        self.steps_spin = QSpinBox(objectName="hiresSteps")
        self.steps_spin.setSpecialValueText("same")
        self.steps_spin.setToolTip("Steps of the hires pass; same: as many as the first pass")
        self.denoise_spin = QDoubleSpinBox(objectName="hiresDenoise")
        self.denoise_spin.setDecimals(2)
        self.denoise_spin.setSingleStep(0.05)
        self.denoise_spin.setToolTip(
            "How much the hires pass changes the upscaled picture: 0 keeps it, 1 repaints it"
        )
        self.size_note = QLabel(objectName="hiresSizeNote", wordWrap=True)
        self.more_toggle = QToolButton(objectName="hiresMoreToggle", text=MORE_CLOSED)
        self.more_toggle.setCheckable(True)
        self.more_toggle.setAutoRaise(True)
        self.more_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.prompt_edit = _hires_prompt_edit("hiresPrompt", "Hires prompt (empty: the prompt)")
        self.negative_edit = _hires_prompt_edit(
            "hiresNegativePrompt", "Hires negative prompt (empty: the negative)"
        )
        self.sampler_combo = QComboBox(objectName="hiresSampler")
        self.sampler_combo.addItem(SAME_SAMPLER, "")
        for name in scheduler_choices():
            self.sampler_combo.addItem(name, name)
        self.sampler_combo.setToolTip("The hires pass's scheduler")
        self.more = self._more_part()
        self._lay_out()
        self._margins = self.layout().getContentsMargins()
        # Off, no empty frame under the title: the section folds to its check box.
        self.setStyleSheet("QGroupBox#hiresSection:!checked { border: none; }")
        self.more.setVisible(False)
        self.more_toggle.toggled.connect(self._show_more)
        self.toggled.connect(self._update_size)
        self.clicked.connect(self._on_clicked)
        for spin in (self.scale_spin, self.resize_x_spin, self.resize_y_spin):
            spin.valueChanged.connect(self._update_size)
        self._update_size()

    def _more_part(self) -> QWidget:
        more = QWidget(objectName="hiresMore")
        layout = QVBoxLayout(more)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.prompt_edit)
        layout.addWidget(self.negative_edit)
        sampler = QFormLayout()
        sampler.setContentsMargins(0, 0, 0, 0)
        sampler.addRow("Sampler", self.sampler_combo)
        layout.addLayout(sampler)
        return more

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Upscaler", self.upscaler_combo)
        form.addRow("Upscale by", self.scale_spin)
        resize = QHBoxLayout()
        resize.setContentsMargins(0, 0, 0, 0)
        resize.addWidget(self.resize_x_spin, 1)
        resize.addWidget(QLabel("×"))
        resize.addWidget(self.resize_y_spin, 1)
        form.addRow("or resize to", resize)
        passes = QHBoxLayout()
        passes.setContentsMargins(0, 0, 0, 0)
        passes.addWidget(self.steps_spin, 1)
        passes.addWidget(QLabel("Denoising"))
        passes.addWidget(self.denoise_spin, 1)
        form.addRow("Hires steps", passes)
        self.body = QWidget(objectName="hiresBody")
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(form)
        body.addWidget(self.more_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        body.addWidget(self.more)
        layout = QVBoxLayout(self)
        layout.addWidget(self.size_note)
        layout.addWidget(self.body)

    # -- the upscaler --------------------------------------------------------------------

    def upscaler(self) -> str:
        """The hires upscaler's name; "" while the section is unchecked (the fix is off)."""
        if not self.isChecked():
            return ""
        name = self.upscaler_combo.currentData()
        return name if isinstance(name, str) else ""

    def set_upscaler(self, name: str) -> None:
        """Turn the fix on with ``name`` (listed if no list had it), or off for ""."""
        if name:
            index = self.upscaler_combo.findData(name)
            if index < 0:
                index = add_unlisted(self.upscaler_combo, name)
            self.upscaler_combo.setCurrentIndex(index)
        self.setChecked(bool(name))

    @Slot(list)
    def set_upscalers(self, upscalers: Sequence[UpscalerInfo]) -> None:
        """Offer the latent modes, then ``upscalers`` (Lanczos, Nearest, the models)."""
        fill_upscalers(self.upscaler_combo, LATENT_UPSCALERS, upscalers)
        if self.upscaler_combo.currentIndex() < 0:
            self.upscaler_combo.setCurrentIndex(0)

    # -- when it cannot run --------------------------------------------------------------

    def set_init_image(self, loaded: bool) -> None:
        self._init_image = loaded
        self._update_blocked()

    def set_inpainting_model(self, inpainting: bool) -> None:
        self._inpainting_model = inpainting
        self._update_blocked()

    @Slot(str)
    def set_refiner(self, refiner: str) -> None:
        self._refiner = bool(refiner.strip())
        self._update_blocked()

    def blocked(self) -> str | None:
        """Why the hires fix cannot run now, or None."""
        if self._init_image:
            return TXT2IMG_ONLY
        if self._inpainting_model:
            return INPAINTING_MODEL
        if self._refiner:
            return WITH_REFINER
        return None

    def _update_blocked(self) -> None:
        reason = self.blocked()
        self.setEnabled(reason is None)
        self.setToolTip(reason or "")
        self._update_size()

    # -- the size ------------------------------------------------------------------------

    def set_base_size(self, width: int, height: int) -> None:
        """The first pass's size, from which the note computes the hires size."""
        self._base = (width, height)
        self._update_size()

    @Slot()
    def _update_size(self) -> None:
        resizing = self.resize_x_spin.value() > 0 or self.resize_y_spin.value() > 0
        self.scale_spin.setEnabled(not resizing)
        reason = self.blocked()
        self.size_note.setText(reason if reason is not None else self.size_text())
        # Off, the section is its title alone (and why it cannot run, when it cannot).
        self.body.setVisible(self.isChecked())
        self.size_note.setVisible(self.isChecked() or reason is not None)
        folded = not self.isChecked() and reason is None
        self.layout().setContentsMargins(*((0, 0, 0, 0) if folded else self._margins))

    def size_text(self) -> str:
        """``64×64 → 128×128``, as the engine computes the hires size; a crop or a size out
        of range is said."""
        width, height = self._base
        target = hires_target(
            width,
            height,
            self.scale_spin.value(),
            self.resize_x_spin.value(),
            self.resize_y_spin.value(),
        )
        text = f"{width}×{height} → {target.width}×{target.height}"
        upscaled = (target.upscaled_width, target.upscaled_height)
        if upscaled != (target.width, target.height):
            text += f" (upscaled to {upscaled[0]}×{upscaled[1]}, then cropped)"
        if min(target.width, target.height) < 8 or max(upscaled) > MAX_SIDE:
            text += f": too large or too small, sides must be 8 to {MAX_SIDE} pixels"
        return text

    # -- the rest ------------------------------------------------------------------------

    @Slot(bool)
    def _show_more(self, shown: bool) -> None:
        self.more.setVisible(shown)
        self.more_toggle.setText(MORE_OPEN if shown else MORE_CLOSED)

    @Slot(bool)
    def _on_clicked(self, on: bool) -> None:
        """Turned on by the user (not by a restore, which must not read model files as the
        window starts)."""
        if on:
            self.upscalersWanted.emit()


class _UpscalerCombo(QComboBox):
    """A combo that says when its list is about to open (to read the upscaler folder).

    Signals:
        popupAboutToShow(): the user opened the list.
    """

    popupAboutToShow = Signal()

    def showPopup(self) -> None:  # noqa: N802  (Qt's name)
        self.popupAboutToShow.emit()
        super().showPopup()


def is_inpainting_model(model: Any) -> bool:
    """Whether a loaded model's UNet takes its family's inpainting input (a mask and the
    masked picture's latents); False when that cannot be told."""
    try:
        channels = model.pipeline.unet.config.in_channels
        return channels in model.family.capabilities.inpainting_unet_channels
    except AttributeError:
        return False
