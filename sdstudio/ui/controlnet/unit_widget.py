"""One ControlNet unit's controls, as A1111's unit tab has them, with a live map preview.

The unit keeps the user's picture and shows what its preprocessor makes of it; Generate asks
it for the unit at the run's size (:meth:`ControlUnitWidget.run_unit`), which reuses the
previewed map when nothing changed since. The depth, normal and pose preprocessors are offered
when their model folder (Preferences → ControlNet preprocessors, else the default folder)
holds weights; the unit looks again when Preferences closes and when the list is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from sdstudio.engine.controlnet_preprocessors import (
    PREPROCESSORS,
    AnnotatorUnavailable,
    AnnotatorWeights,
    Preprocessor,
    ResizeMode,
)
from sdstudio.engine.controlnet_preprocessors.annotator_weights import ANNOTATOR_KINDS
from sdstudio.engine.controlnet_preprocessors.needs_weights import refusal
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.controlnet.library import controlnet_dir
from sdstudio.engine.generation.controlnet.modes import ControlMode
from sdstudio.engine.generation.controlnet.prepared_unit import UnitChoice
from sdstudio.engine.generation.controlnet.unit import MAX_WEIGHT
from sdstudio.ui.controlnet.control_picture import CanvasPicture, ControlPicture
from sdstudio.ui.controlnet.map_maker import ControlMapMaker, MadeMap
from sdstudio.ui.controlnet.parameter_controls import ParameterControls
from sdstudio.ui.controlnet.stored_unit import StoredUnit
from sdstudio.ui.settings_store import SettingsStore

if TYPE_CHECKING:
    from PIL import Image

    from sdstudio.engine.generation.controlnet.described_unit import DescribedUnit

NO_MODEL = "(none)"
WeightsSource = Callable[[], AnnotatorWeights]


def stored_annotator_weights() -> AnnotatorWeights:
    """The depth and pose folders Preferences saved in settings.ini."""
    return SettingsStore().annotator_weights()


class PreprocessorCombo(QComboBox):
    """A combo box that says when its list is about to open (``opening``), so what it offers
    can be checked again first."""

    opening = Signal()

    def showPopup(self) -> None:  # noqa: N802 (Qt's name)
        self.opening.emit()
        super().showPopup()


class ControlUnitWidget(QWidget):
    """Unit ``index`` (objectName ``controlUnit<index>``). ``canvas_picture()`` gives the
    picture on the canvas and its name, or None.

    ``annotator_weights`` gives the depth and pose model folders (default: those saved by
    Preferences); :meth:`refresh_annotators` reads them again.

    Signals:
        changed(): a setting, the picture or the map changed (what the layer shows may too).
        failed(str): something the user asked for could not be done (for the status bar).
        refreshRequested(): the user wants the ControlNet list read again.
    """

    changed = Signal()
    failed = Signal(str)
    refreshRequested = Signal()

    def __init__(
        self,
        index: int,
        canvas_picture: CanvasPicture,
        parent: QWidget | None = None,
        annotator_weights: WeightsSource = stored_annotator_weights,
    ) -> None:
        super().__init__(parent)
        self.index = index
        self.setObjectName(f"controlUnit{index}")
        self.picture_row = ControlPicture(canvas_picture)
        self._range = (0.0, 1.0)  # start and end as last accepted
        self._wanted_model = ""
        self._maker = ControlMapMaker(self)
        self._weights_source = annotator_weights
        self._weights = AnnotatorWeights()
        self._folders: dict[str, Path] = {}  # the folder each model is read from, as last looked
        self._build()
        self._connect()
        self.refresh_annotators(preview=False)
        self._on_preprocessor_changed()

    @property
    def title(self) -> str:
        return f"ControlNet unit {self.index}"

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.enabled_check = QCheckBox("Enable", objectName="controlEnabled")
        self.preview = QLabel(objectName="controlPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumHeight(64)
        self.note = QLabel(objectName="controlNote")
        self.note.setWordWrap(True)
        self.note.hide()
        self.preprocessor_combo = PreprocessorCombo(objectName="controlPreprocessor")
        for row, preprocessor in enumerate(PREPROCESSORS.values()):
            self.preprocessor_combo.addItem(preprocessor.label, preprocessor.name)
            tip = preprocessor.description
            if not preprocessor.available:
                tip = str(refusal(preprocessor))
                self.preprocessor_combo.model().item(row).setEnabled(False)
            self.preprocessor_combo.setItemData(row, tip, Qt.ItemDataRole.ToolTipRole)
            # depth, normal and pose: enabled by refresh_annotators when their folder has weights
        self.parameters = ParameterControls()
        self.model_combo = QComboBox(objectName="controlModel")
        self.model_combo.addItem(NO_MODEL, "")
        self.refresh_button = QToolButton(objectName="controlModelRefresh", text="Refresh")
        self.refresh_button.setToolTip(f"Read the ControlNets in {controlnet_dir()} again")
        self.weight_spin = _spin("controlWeight", 0.0, MAX_WEIGHT, 1.0)
        self.start_spin = _spin("controlStart", 0.0, 1.0, 0.0)
        self.start_spin.setToolTip("From this fraction of the steps")
        self.end_spin = _spin("controlEnd", 0.0, 1.0, 1.0)
        self.end_spin.setToolTip("Up to this fraction of the steps")
        self.mode_combo = QComboBox(objectName="controlMode")
        for mode in ControlMode:
            self.mode_combo.addItem(mode.a1111_name, mode.value)
        self.resize_combo = QComboBox(objectName="controlResize")
        for resize in ResizeMode:
            self.resize_combo.addItem(resize.value, resize.value)
        self.resize_combo.setCurrentIndex(
            self.resize_combo.findData(ResizeMode.CROP_AND_RESIZE.value)
        )

        models = QHBoxLayout()
        models.addWidget(self.model_combo, 1)
        models.addWidget(self.refresh_button)
        steps = QHBoxLayout()
        steps.addWidget(self.start_spin)
        steps.addWidget(QLabel("to"))
        steps.addWidget(self.end_spin)
        form = QFormLayout(self)
        form.addRow(self.enabled_check)
        form.addRow(self.picture_row)
        form.addRow(self.preview)
        form.addRow(self.note)
        form.addRow("Preprocessor", self.preprocessor_combo)
        form.addRow(self.parameters)
        form.addRow("Model", models)
        form.addRow("Weight", self.weight_spin)
        form.addRow("Steps", steps)
        form.addRow("Control mode", self.mode_combo)
        form.addRow("Resize mode", self.resize_combo)

    def _connect(self) -> None:
        self.enabled_check.toggled.connect(self.changed)
        self.picture_row.changed.connect(self._update_preview)
        self.picture_row.failed.connect(self._tell)
        self.preprocessor_combo.currentIndexChanged.connect(self._on_preprocessor_changed)
        self.preprocessor_combo.opening.connect(self.refresh_annotators)
        self.parameters.changed.connect(self._update_preview)
        self.refresh_button.clicked.connect(self.refreshRequested)
        self.model_combo.currentIndexChanged.connect(self._on_model_chosen)
        self.start_spin.valueChanged.connect(self._on_range_changed)
        self.end_spin.valueChanged.connect(self._on_range_changed)
        self.resize_combo.currentIndexChanged.connect(self.changed)
        self._maker.ready.connect(self._show_map)
        self._maker.failed.connect(self._show_map_failure)

    # -- the picture ---------------------------------------------------------------------

    def picture(self) -> Image.Image | None:
        return self.picture_row.picture()

    def set_picture(self, picture: Image.Image | None, name: str = "") -> None:
        """Use ``picture`` (None: none) and preview its map."""
        self.picture_row.set_picture(picture, name)

    def open_picture(self, path: str | Path) -> None:
        """Read ``path`` off the GUI thread, then use it (or say why not)."""
        self.picture_row.open(path)

    # -- settings ------------------------------------------------------------------------

    def is_enabled(self) -> bool:
        return self.enabled_check.isChecked()

    def choice(self) -> UnitChoice:
        return UnitChoice(
            model=str(self.model_combo.currentData() or ""),
            preprocessor=str(self.preprocessor_combo.currentData()),
            parameters=self.parameters.values(),
            weight=self.weight_spin.value(),
            start=self.start_spin.value(),
            end=self.end_spin.value(),
            mode=str(self.mode_combo.currentData()),
            resize=str(self.resize_combo.currentData()),
        )

    def set_models(self, names: list[str]) -> None:
        """Offer ``names``; the chosen one stays chosen while it is among them."""
        wanted = self._wanted_model or str(self.model_combo.currentData() or "")
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        self.model_combo.addItem(NO_MODEL, "")
        for name in names:
            self.model_combo.addItem(name, name)
        found = self.model_combo.findData(wanted) if wanted else 0
        self.model_combo.setCurrentIndex(max(0, found))
        self.model_combo.blockSignals(False)
        self._wanted_model = wanted if found < 0 else ""

    def stored(self) -> StoredUnit:
        choice = self.choice()
        if self._wanted_model:  # not listed now, but not given up either
            choice = replace(choice, model=self._wanted_model)
        return StoredUnit(self.is_enabled(), choice)

    def restore(self, stored: StoredUnit) -> None:
        """Show ``stored`` (values already checked); a model not listed yet is chosen when
        it is."""
        choice = stored.choice
        self.enabled_check.setChecked(stored.enabled)
        self.preprocessor_combo.setCurrentIndex(
            self.preprocessor_combo.findData(choice.preprocessor)
        )
        self.parameters.set_values(dict(choice.parameters))
        self.weight_spin.setValue(choice.weight)
        self._range = (choice.start, choice.end)
        for spin, value in ((self.start_spin, choice.start), (self.end_spin, choice.end)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(choice.mode))
        self.resize_combo.setCurrentIndex(self.resize_combo.findData(choice.resize))
        self._wanted_model = choice.model
        self.set_models([self.model_combo.itemData(i) for i in range(1, self.model_combo.count())])

    @Slot(int)
    def _on_model_chosen(self, _row: int) -> None:
        self._wanted_model = ""

    @Slot()
    def _on_range_changed(self) -> None:
        """Start must stay below end: a value that breaks that is refused, with a message."""
        start, end = self.start_spin.value(), self.end_spin.value()
        if start < end:
            self._range = (start, end)
            return
        for spin, value in zip((self.start_spin, self.end_spin), self._range, strict=True):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self._tell(
            f"{self.title}: the start ({start:g}) must be below the end ({end:g}); "
            "kept the previous steps."
        )

    def annotator_weights(self) -> AnnotatorWeights:
        """The depth and pose folders the unit's maps are made with."""
        return self._weights

    @Slot()
    def refresh_annotators(self, preview: bool = True) -> None:
        """Read the depth and pose folders again: offer the depth, normal and pose
        preprocessors whose folder holds weights (the others stay listed, greyed, their tip
        saying where to put weights), and remake the map when the chosen one's folder
        changed."""
        self._weights = self._weights_source()
        self._folders = {kind: self._weights.folder(kind) for kind in ANNOTATOR_KINDS}
        found = {}  # kind → whether its folder holds weights, checked once each
        model = self.preprocessor_combo.model()
        for row in range(self.preprocessor_combo.count()):
            preprocessor = PREPROCESSORS[self.preprocessor_combo.itemData(row)]
            kind = preprocessor.annotator
            if kind is None:
                continue
            if kind not in found:
                found[kind] = self._weights.has_weights(kind)
            model.item(row).setEnabled(found[kind])
            self.preprocessor_combo.setItemData(
                row, self._annotator_tip(preprocessor, found[kind]), Qt.ItemDataRole.ToolTipRole
            )
        if preview and self._current().annotator is not None:
            self._update_preview()

    def _annotator_tip(self, preprocessor: Preprocessor, has_weights: bool) -> str:
        kind = preprocessor.annotator or ""
        if has_weights:
            return f"{preprocessor.description} Model: {self._folders[kind]}"
        try:
            self._weights.checked_folder(kind, preprocessor.label, preprocessor.needs_weights or "")
        except AnnotatorUnavailable as error:
            return str(error)
        return preprocessor.description  # weights appeared in between: the next look says

    def _current(self) -> Preprocessor:
        return PREPROCESSORS[self.preprocessor_combo.currentData()]

    @Slot()
    def _on_preprocessor_changed(self) -> None:
        self.parameters.show_preprocessor(PREPROCESSORS[self.preprocessor_combo.currentData()])
        self._update_preview()

    # -- the map -------------------------------------------------------------------------

    def _key(self) -> tuple:
        choice = self.choice()
        kind = self._current().annotator
        folder = None if kind is None else self._folders.get(kind)
        return (self.picture_row.version(), choice.preprocessor, choice.parameters, folder)

    @Slot()
    def _update_preview(self) -> None:
        picture = self.picture()
        if picture is None:
            self._maker.clear()
            self.preview.clear()
            self._show_note("")
        else:
            self._maker.make(self._key(), picture, self.choice(), self._weights)
        self.changed.emit()

    def made(self) -> MadeMap | None:
        """The map of the current picture and preprocessor and its shown copies, once made
        (None before)."""
        return self._maker.current(self._key())

    def shown_map(self) -> Image.Image | None:
        """The map of the current picture and preprocessor, once made (None before)."""
        made = self.made()
        return None if made is None else made.control_map

    def run_unit(self, width: int, height: int) -> DescribedUnit:
        """This unit for a run of ``width`` × ``height``; a ``RequestError`` that names the
        unit when it cannot run."""
        picture = self.picture()
        if picture is None:
            raise RequestError(
                f"{self.title} is enabled but has no control image: open one, use the "
                "canvas image, or turn the unit off."
            )
        choice = self.choice()
        if not choice.model:
            raise RequestError(
                f"{self.title} is enabled but has no ControlNet model: put one in "
                f"{controlnet_dir()}, press Refresh and choose it, or turn the unit off."
            )
        try:
            control_map = self.shown_map()
            if control_map is None:  # not previewed yet: made here, once
                control_map = choice.control_map(picture, self._weights)
            return choice.unit(control_map, width, height)
        except RequestError as error:
            raise RequestError(f"{self.title}: {error}") from error

    @Slot()
    def _show_map(self) -> None:
        made = self.made()
        if made is None:
            return
        self.preview.setPixmap(QPixmap.fromImage(made.preview))
        self._show_note("")
        self.changed.emit()

    @Slot(str)
    def _show_map_failure(self, message: str) -> None:
        self.preview.clear()
        self._show_note(message)
        self.changed.emit()

    def _show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def _tell(self, text: str) -> None:
        self._show_note(text)
        self.failed.emit(text)


def _spin(name: str, low: float, high: float, value: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(objectName=name)
    spin.setRange(low, high)
    spin.setSingleStep(0.05)
    spin.setDecimals(2)
    spin.setValue(value)
    spin.setKeyboardTracking(False)  # "0.5" typed passes through "0", which is no choice
    return spin
