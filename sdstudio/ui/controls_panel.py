"""The settings side panel: model, prompts, sampling settings, size, hires fix, init image,
previews."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.scheduler_names import scheduler_choices
from sdstudio.engine.models.demo.model import DEMO_INPAINTING_NAME, DEMO_NAME
from sdstudio.engine.previews.settings import PreviewKind
from sdstudio.ui.hires import HiresSection, HiresUpscalerBinding
from sdstudio.ui.inpaint_options import InpaintOptions
from sdstudio.ui.refiner_row import RefinerRow
from sdstudio.ui.seed_row import SeedRow
from sdstudio.ui.setting_bindings import (
    CheckBinding,
    ComboDataBinding,
    ComboTextBinding,
    LineBinding,
    SeedBinding,
    SettingBinding,
    SpinBinding,
    TextBinding,
    apply_schema,
)
from sdstudio.ui.size_row import SizeRow
from sdstudio.ui.strength_row import StrengthRow

if TYPE_CHECKING:
    from PIL import Image

INIT_IMAGE = "init_image"  # the setting that comes from the init image source, not a widget
MASK = "mask"  # painted on the canvas, not a widget here
PREVIEW_CHOICES: tuple[tuple[str, PreviewKind], ...] = (
    ("Latent (fast, blurry)", PreviewKind.LATENT),
    ("TAESD (fast, sharp)", PreviewKind.TAESD),
    ("Full VAE (slow, exact)", PreviewKind.VAE),
    ("Off", PreviewKind.NONE),
)


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


def _prompt_edit(name: str, placeholder: str, lines: int) -> QPlainTextEdit:
    edit = QPlainTextEdit(objectName=name)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    margins = edit.contentsMargins()
    line = edit.fontMetrics().lineSpacing()
    edit.setFixedHeight(line * lines + 2 * edit.document().documentMargin() + margins.top() * 2)
    return edit


def _counter_label(name: str) -> QLabel:
    """The token count under a prompt box ("37/75"), set once a model's tokenizer is known."""
    label = QLabel("", objectName=name)
    label.setAlignment(Qt.AlignmentFlag.AlignRight)
    label.setToolTip(
        "Tokens of the prompt / the 75 a chunk holds. Longer prompts are read in several "
        "chunks of 75 (BREAK starts a new one), nothing is cut off."
    )
    return label


class ControlsPanel(QWidget):
    """Every setting of a run; :meth:`build_request` turns them into a request.

    Signals:
        modelChosen(str): the user picked another model (its spec: "demo" or a folder).
        clearInitRequested(): the user asked to remove the init image.
    """

    modelChosen = Signal(str)
    clearInitRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("controlsPanel")
        self.model_combo = QComboBox(objectName="modelCombo")
        self.model_combo.addItem("Demo model", DEMO_NAME)
        self.model_combo.addItem("Demo inpainting model", DEMO_INPAINTING_NAME)
        self.model_label = QLabel("Loading model…", objectName="modelDescriptionLabel")
        self.model_label.setWordWrap(True)
        self.prompt_edit = _prompt_edit("promptEdit", "Describe the image…", 4)
        self.negative_edit = _prompt_edit("negativePromptEdit", "What to avoid…", 2)
        self.prompt_counter = _counter_label("promptTokenCounter")
        self.negative_counter = _counter_label("negativeTokenCounter")
        self.pad_check = QCheckBox("Pad prompt and negative to the same length")
        self.pad_check.setObjectName("padPromptsCheck")
        self.pad_check.setToolTip(
            "When the prompt and the negative span different numbers of 75-token chunks, "
            "extend the shorter with empty chunks so both run in one UNet batch (faster). "
            "Off: they run separately, as in A1111."
        )
        self.scheduler_combo = QComboBox(objectName="schedulerCombo")
        self.scheduler_combo.addItems(scheduler_choices())
        self.scheduler_combo.setToolTip("Default: the scheduler the model ships with")
        self.steps_spin = QSpinBox(objectName="stepsSpin")
        self.cfg_spin = QDoubleSpinBox(objectName="cfgSpin")
        self.cfg_spin.setSingleStep(0.5)
        self.cfg_spin.setDecimals(1)
        self.cfg_spin.setToolTip("How strongly to follow the prompt (1 = no guidance)")
        self.rescale_spin = QDoubleSpinBox(objectName="cfgRescaleSpin")
        self.rescale_spin.setSingleStep(0.05)
        self.rescale_spin.setDecimals(2)
        self.rescale_spin.setPrefix("rescale ")
        self.rescale_spin.setToolTip(
            "CFG rescale: tames the washed-out, over-saturated look of high CFG scales and "
            "v-prediction models (0 = off, 0.7 is typical)"
        )
        self.clip_skip_spin = QSpinBox(objectName="clipSkipSpin")
        self.clip_skip_spin.setToolTip(
            "Read the prompt from an earlier text-encoder layer: 1 = the usual one, "
            "2 = one before it (what many anime models were trained with)"
        )
        self.seed_row = SeedRow()
        self.size_row = SizeRow()
        self.batch_spin = QSpinBox(objectName="batchSpin")
        self.batch_spin.setToolTip("Batches per run, one after another; seeds seed, seed+1, …")
        self.batch_size_spin = QSpinBox(objectName="batchSizeSpin")
        self.batch_size_spin.setToolTip(
            "Images denoised together in one UNet batch, each with its own seed (faster on a "
            "GPU, more memory). Batch count × batch size images in all."
        )
        self.preview_combo = QComboBox(objectName="previewCombo")
        for label, kind in PREVIEW_CHOICES:
            self.preview_combo.addItem(label, kind.value)
        self.strength_row = StrengthRow()
        self.refiner_row = RefinerRow()
        self.inpaint_options = InpaintOptions()
        self.hires = HiresSection()
        self.bindings = self._bindings()
        apply_schema(self.bindings, unbound=(INIT_IMAGE, MASK))
        self._lay_out()
        self.model_combo.activated.connect(self._on_model_activated)
        self.strength_row.clearRequested.connect(self.clearInitRequested)
        self.refiner_row.edit.textChanged.connect(self.hires.set_refiner)
        for spin in (self.size_row.width_spin, self.size_row.height_spin):
            spin.valueChanged.connect(self._on_size_changed)
        self._on_size_changed()

    def _bindings(self) -> dict[str, SettingBinding]:
        """Each setting's widget, by setting name (ranges and defaults come from the schema)."""
        return {
            "prompt": TextBinding(self.prompt_edit),
            "negative_prompt": TextBinding(self.negative_edit),
            "pad_prompt_lengths": CheckBinding(self.pad_check),
            "steps": SpinBinding(self.steps_spin, int),
            "scheduler": ComboTextBinding(self.scheduler_combo),
            "cfg_scale": SpinBinding(self.cfg_spin, float),
            "guidance_rescale": SpinBinding(self.rescale_spin, float),
            "clip_skip": SpinBinding(self.clip_skip_spin, int),
            "seed": SeedBinding(self.seed_row),
            "batch_count": SpinBinding(self.batch_spin, int),
            "batch_size": SpinBinding(self.batch_size_spin, int),
            "width": SpinBinding(self.size_row.width_spin, int),
            "height": SpinBinding(self.size_row.height_spin, int),
            "strength": SpinBinding(self.strength_row.spin, float),
            "mask_blur": SpinBinding(self.inpaint_options.blur_spin, int),
            "masked_content": ComboDataBinding(self.inpaint_options.content_combo),
            "inpaint_area": ComboDataBinding(self.inpaint_options.area_combo),
            "mask_padding": SpinBinding(self.inpaint_options.padding_spin, int),
            "refiner": LineBinding(self.refiner_row.edit),
            "refiner_switch": SpinBinding(self.refiner_row.switch_spin, float),
            "hires_upscaler": HiresUpscalerBinding(self.hires),
            "hires_scale": SpinBinding(self.hires.scale_spin, float),
            "hires_resize_x": SpinBinding(self.hires.resize_x_spin, int),
            "hires_resize_y": SpinBinding(self.hires.resize_y_spin, int),
            "hires_steps": SpinBinding(self.hires.steps_spin, int),
            "hires_denoise": SpinBinding(self.hires.denoise_spin, float),
            "hires_sampler": ComboDataBinding(self.hires.sampler_combo),
            "hires_prompt": TextBinding(self.hires.prompt_edit),
            "hires_negative_prompt": TextBinding(self.hires.negative_edit),
        }

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Scheduler", self.scheduler_combo)
        form.addRow("Steps", self.steps_spin)
        guidance = QHBoxLayout()  # one row: the rescale only makes sense beside the scale
        guidance.setContentsMargins(0, 0, 0, 0)
        guidance.addWidget(self.cfg_spin, 1)
        guidance.addWidget(self.rescale_spin, 1)
        form.addRow("CFG scale", guidance)
        form.addRow("Clip skip", self.clip_skip_spin)
        form.addRow("Seed", self.seed_row)
        form.addRow("Size", self.size_row)
        form.addRow("Batch count × size", self._batch_row())
        form.addRow("Refiner", self.refiner_row)
        form.addRow(self.hires)
        form.addRow("Preview", self.preview_combo)
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addWidget(_heading("Model"))
        layout.addWidget(self.model_combo)
        layout.addWidget(self.model_label)
        layout.addSpacing(8)
        layout.addWidget(_heading("Prompt"))
        layout.addWidget(self.prompt_edit)
        layout.addWidget(self.prompt_counter)
        layout.addWidget(QLabel("Negative prompt"))
        layout.addWidget(self.negative_edit)
        layout.addWidget(self.negative_counter)
        layout.addWidget(self.pad_check)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(_heading("Init image (img2img)"))
        layout.addWidget(self.strength_row)
        layout.addSpacing(8)
        layout.addWidget(_heading("Inpainting (paint a mask on the canvas)"))
        layout.addWidget(self.inpaint_options)
        layout.addStretch(1)

    def _batch_row(self) -> QHBoxLayout:
        """Batch count × batch size on one row: together they say how many images come."""
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.batch_spin, 1)
        row.addWidget(QLabel("×"))
        row.addWidget(self.batch_size_spin, 1)
        return row

    def build_request(
        self, init_image: Image.Image | None = None, mask: Image.Image | None = None
    ) -> GenerationRequest:
        """The request these settings describe; raises ``RequestError`` when they cannot work.

        With "random" on, this draws the run's seed and shows it.
        """
        values = {name: binding.value_for_run() for name, binding in self.bindings.items()}
        return GenerationRequest(**values, init_image=init_image, mask=mask)

    def preview_kind(self) -> str:
        """ "none", "latent", "taesd" or "vae"."""
        return str(self.preview_combo.currentData())

    def set_model_description(self, text: str) -> None:
        self.model_label.setText(text)

    def set_init_image(self, description: str | None) -> None:
        self.strength_row.set_init_image(description)
        self.inpaint_options.set_has_image(description is not None)
        self.hires.set_init_image(description is not None)

    @Slot()
    def _on_size_changed(self) -> None:
        self.hires.set_base_size(
            self.size_row.width_spin.value(), self.size_row.height_spin.value()
        )

    @Slot(int)
    def _on_model_activated(self, index: int) -> None:
        self.modelChosen.emit(str(self.model_combo.itemData(index)))
