"""The Activations panel: what a watched module computes, live and step by step after."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.probes.cfg_halves import CfgHalf
from sdstudio.engine.probes.views import ViewMode, ViewSettings
from sdstudio.ui.probes.image_view import FittedImageView
from sdstudio.ui.probes.messages import ActivationFrame, RecordedActivations

NOTHING_WATCHED = (
    "Nothing watched. In the model browser, pick a module and choose “Watch this module”, "
    "then Generate."
)
MODES = (("Strongest channels", ViewMode.CHANNELS), ("PCA as RGB", ViewMode.PCA))
HALVES = (
    ("prompt", CfgHalf.PROMPT),
    ("negative prompt", CfgHalf.NEGATIVE),
    ("negative | prompt", CfgHalf.BOTH),
)


class ActivationsPanel(QWidget):
    """``activationImage`` shows the chosen watched module at the newest step during a run,
    and at the step the scrubber shows after it; ``activationCaption`` says what it is.
    ``activationUnit`` says which ControlNet unit a ``controlnet….`` path watches, in the
    words ``describe_unit(path)`` gives ("" hides it); call :meth:`units_changed` when they
    may have changed.

    Signals:
        viewChanged(object): the user chose another :class:`ViewSettings` (mode or half).
        unwatchRequested(str): "Stop watching" for this module path.
    """

    viewChanged = Signal(object)
    unwatchRequested = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        describe_unit: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("activationsPanel")
        self._describe_unit = describe_unit or (lambda _path: "")
        self._watched: tuple[str, ...] = ()
        self._live: dict[str, ActivationFrame] = {}
        self._records: dict[int, RecordedActivations] = {}
        self._result_index: int | None = None
        self._step: int | None = None  # the scrubber's step; None: the result
        self._running = False
        self._build()
        self._refresh()

    # -- building --------------------------------------------------------------------------
    def _build(self) -> None:
        self.module_combo = QComboBox(objectName="activationModule")
        self.module_combo.setToolTip("Which watched module to show")
        self.unwatch_button = QPushButton("Stop watching", objectName="activationUnwatch")
        self.unit_label = QLabel(objectName="activationUnit", wordWrap=True)
        self.unit_label.setToolTip(
            "A ControlNet's module is watched in one unit of the run: the enabled units of "
            "the ControlNet panel, counted from 0 in tab order"
        )
        self.unit_label.hide()
        self.mode_combo = QComboBox(objectName="activationMode")
        for text, mode in MODES:
            self.mode_combo.addItem(text, mode)
        self.mode_combo.setToolTip(
            "Feature maps as a grid of the channels with the most energy, or their three "
            "main components (PCA) as red, green and blue"
        )
        self.half_combo = QComboBox(objectName="activationHalf")
        for text, half in HALVES:
            self.half_combo.addItem(text, half)
        self.half_combo.setToolTip(
            "With guidance the model runs on the prompt and on the negative prompt"
        )
        self.image_view = FittedImageView(NOTHING_WATCHED)
        self.image_view.setObjectName("activationImage")
        self.caption = QLabel(objectName="activationCaption", wordWrap=True)
        self.note = QLabel(objectName="activationNote", wordWrap=True)
        self.note.setEnabled(False)  # drawn dimmed: a hint, not a result

        module_row = QHBoxLayout()
        module_row.addWidget(self.module_combo, 1)
        module_row.addWidget(self.unwatch_button)
        view_row = QHBoxLayout()
        view_row.addWidget(self.mode_combo, 1)
        view_row.addWidget(QLabel("of the"))
        view_row.addWidget(self.half_combo, 1)
        form = QFormLayout()
        form.addRow("Module", module_row)
        form.addRow("", self.unit_label)
        form.addRow("Show", view_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.image_view, 1)
        layout.addWidget(self.caption)
        layout.addWidget(self.note)

        self.module_combo.currentIndexChanged.connect(self._refresh)
        self.unwatch_button.clicked.connect(self._on_unwatch)
        self.mode_combo.currentIndexChanged.connect(self._on_view_changed)
        self.half_combo.currentIndexChanged.connect(self._on_view_changed)

    # -- what is watched and how it is drawn -------------------------------------------------
    def view_settings(self) -> ViewSettings:
        return ViewSettings(mode=self.mode_combo.currentData(), half=self.half_combo.currentData())

    def watched(self) -> tuple[str, ...]:
        return self._watched

    def set_watched(self, paths: Sequence[str]) -> None:
        """The watched paths; the newly added one (if any) becomes the one shown."""
        added = [path for path in paths if path not in self._watched]
        self._watched = tuple(paths)
        shown = added[-1] if added else self.module_combo.currentText()
        self.module_combo.blockSignals(True)
        self.module_combo.clear()
        self.module_combo.addItems(list(self._watched))
        self.module_combo.setCurrentIndex(max(0, self.module_combo.findText(shown)))
        self.module_combo.blockSignals(False)
        self.unwatch_button.setEnabled(bool(self._watched))
        self._refresh()

    @Slot()
    def units_changed(self) -> None:
        """The ControlNet units may be others: say again which one the module is in."""
        self._show_unit()

    def _show_unit(self) -> None:
        path = self.module_combo.currentText()
        text = self._describe_unit(path) if path else ""
        self.unit_label.setText(text)
        self.unit_label.setVisible(bool(text))

    # -- runs --------------------------------------------------------------------------------
    def start_run(self) -> None:
        self._live.clear()
        self._records.clear()
        self._result_index, self._step, self._running = None, None, True
        self.note.clear()
        self._refresh()

    def end_run(self) -> None:
        self._running = False

    def show_live(self, frames: Sequence[ActivationFrame]) -> None:
        """The newest step's frames while a run goes on."""
        for frame in frames:
            self._live[frame.module_path] = frame
        self._step = None
        self._refresh()

    def add_record(self, record: RecordedActivations) -> None:
        """Every frame of a finished image, for following the scrubber."""
        self._records[record.image_index] = record
        self._refresh()

    def set_result(self, image_index: int) -> None:
        """The canvas shows this image of the run: follow its recorded frames."""
        self._result_index, self._step = image_index, None
        self._refresh()

    def show_step(self, step: int | None) -> None:
        """Show the frame of ``step`` (what the scrubber shows); None: the last one."""
        self._step = step
        self._refresh()

    def recorded_frames(self, path: str | None = None) -> tuple[ActivationFrame, ...]:
        """The shown result's recorded frames of ``path`` (default: the module shown)."""
        record = self._records.get(self._result_index) if self._result_index is not None else None
        if record is None:
            return ()
        return record.frames.get(path or self.module_combo.currentText(), ())

    def current_frame(self) -> ActivationFrame | None:
        path = self.module_combo.currentText()
        if path not in self._watched:
            return None
        recorded = self.recorded_frames(path)
        if recorded:
            return _frame_at(recorded, self._step)
        return self._live.get(path)

    # -- internals ---------------------------------------------------------------------------
    @Slot()
    def _refresh(self) -> None:
        self._show_unit()
        frame = self.current_frame()
        if not self._watched:
            self.image_view.set_placeholder(NOTHING_WATCHED)
        else:
            path = self.module_combo.currentText()
            self.image_view.set_placeholder(f"Generate to see what {path} computes at each step.")
        self.image_view.set_image(frame.image if frame is not None else QImage())
        self.caption.setText(_caption(frame, self.view_settings()) if frame else "")

    @Slot()
    def _on_unwatch(self) -> None:
        path = self.module_combo.currentText()
        if path:
            self.unwatchRequested.emit(path)

    @Slot()
    def _on_view_changed(self) -> None:
        if not self._running and self.current_frame() is not None:
            self.note.setText("The new choice applies from the next run (or the next step).")
        self.viewChanged.emit(self.view_settings())


def _frame_at(frames: Sequence[ActivationFrame], step: int | None) -> ActivationFrame:
    """The frame for ``step``: the newest one at or before it; None means the last frame."""
    if step is None:
        return frames[-1]
    earlier = [frame for frame in frames if not frame.final and frame.step <= step]
    return earlier[-1] if earlier else frames[0]


def _caption(frame: ActivationFrame, settings: ViewSettings) -> str:
    shape = "×".join(map(str, frame.shape))
    when = (
        "when the image was decoded"
        if frame.final
        else f"step {frame.step}/{frame.total}" + ("" if frame.fresh else " (ran earlier)")
    )
    if frame.mode is ViewMode.CHANNELS:
        what = f"top {settings.top_k} channels by energy"
    elif frame.mode is ViewMode.PCA:
        what = "3 main components as RGB"
    else:
        what = "tokens × features"
    half = "negative | prompt" if frame.half == CfgHalf.BOTH.value else f"{frame.half} half"
    return f"{frame.module_path} — {when} — output {shape} — {what}, {half}"
