"""The settings side panel: model, prompts, sampling settings, size, init image, previews."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.scheduler_names import scheduler_choices
from sdstudio.engine.models.demo.model import DEMO_NAME
from sdstudio.engine.previews.settings import PreviewKind
from sdstudio.ui.seed_row import SeedRow
from sdstudio.ui.size_row import SizeRow
from sdstudio.ui.strength_row import StrengthRow

if TYPE_CHECKING:
    from PIL import Image

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
        self.model_label = QLabel("Loading model…", objectName="modelDescriptionLabel")
        self.model_label.setWordWrap(True)
        self.prompt_edit = _prompt_edit("promptEdit", "Describe the image…", 4)
        self.negative_edit = _prompt_edit("negativePromptEdit", "What to avoid…", 2)
        self.scheduler_combo = QComboBox(objectName="schedulerCombo")
        self.scheduler_combo.addItems(scheduler_choices())
        self.scheduler_combo.setToolTip("Default: the scheduler the model ships with")
        self.steps_spin = QSpinBox(objectName="stepsSpin", minimum=1, maximum=150, value=20)
        self.cfg_spin = QDoubleSpinBox(objectName="cfgSpin", minimum=0.0, maximum=30.0)
        self.cfg_spin.setSingleStep(0.5)
        self.cfg_spin.setDecimals(1)
        self.cfg_spin.setValue(7.0)
        self.cfg_spin.setToolTip("How strongly to follow the prompt (1 = no guidance)")
        self.seed_row = SeedRow()
        self.size_row = SizeRow()
        self.batch_spin = QSpinBox(objectName="batchSpin", minimum=1, maximum=16, value=1)
        self.batch_spin.setToolTip("Images per run, with seeds seed, seed+1, …")
        self.preview_combo = QComboBox(objectName="previewCombo")
        for label, kind in PREVIEW_CHOICES:
            self.preview_combo.addItem(label, kind.value)
        self.strength_row = StrengthRow()
        self._lay_out()
        self.model_combo.activated.connect(self._on_model_activated)
        self.strength_row.clearRequested.connect(self.clearInitRequested)

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Scheduler", self.scheduler_combo)
        form.addRow("Steps", self.steps_spin)
        form.addRow("CFG scale", self.cfg_spin)
        form.addRow("Seed", self.seed_row)
        form.addRow("Size", self.size_row)
        form.addRow("Batch count", self.batch_spin)
        form.addRow("Preview", self.preview_combo)
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addWidget(_heading("Model"))
        layout.addWidget(self.model_combo)
        layout.addWidget(self.model_label)
        layout.addSpacing(8)
        layout.addWidget(_heading("Prompt"))
        layout.addWidget(self.prompt_edit)
        layout.addWidget(QLabel("Negative prompt"))
        layout.addWidget(self.negative_edit)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(_heading("Init image (img2img)"))
        layout.addWidget(self.strength_row)
        layout.addStretch(1)

    def build_request(self, init_image: Image.Image | None = None) -> GenerationRequest:
        """The request these settings describe; raises ``RequestError`` when they cannot work.

        With "random" on, this draws the run's seed and shows it.
        """
        width, height = self.size_row.dimensions()
        return GenerationRequest(
            prompt=self.prompt_edit.toPlainText().strip(),
            negative_prompt=self.negative_edit.toPlainText().strip(),
            steps=self.steps_spin.value(),
            cfg_scale=self.cfg_spin.value(),
            seed=self.seed_row.seed_for_run(),
            width=width,
            height=height,
            scheduler=self.scheduler_combo.currentText(),
            init_image=init_image,
            strength=self.strength_row.strength(),
            batch_count=self.batch_spin.value(),
        )

    def preview_kind(self) -> str:
        """ "none", "latent", "taesd" or "vae"."""
        return str(self.preview_combo.currentData())

    def set_model_description(self, text: str) -> None:
        self.model_label.setText(text)

    def set_init_image(self, description: str | None) -> None:
        self.strength_row.set_init_image(description)

    def set_running(self, running: bool) -> None:
        """The model cannot change under a run; everything else only affects the next one."""
        self.model_combo.setEnabled(not running)

    @Slot(int)
    def _on_model_activated(self, index: int) -> None:
        self.modelChosen.emit(str(self.model_combo.itemData(index)))
