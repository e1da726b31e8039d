"""The model browser, Activations and Attention docks of the main window, and their wiring.

The browser shows the loaded model's tree (a read-only walk over its modules; shapes are
traced on a meta copy off the GUI thread). The model itself runs only on the worker thread:
watching and attention capture are engine extensions of the run (see ``engine/probes``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, SignalInstance, Slot
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from sdstudio.engine.generation.controlnet.watch_names import is_controlnet_path
from sdstudio.ui.app_state import AppState
from sdstudio.ui.canvas import CanvasView
from sdstudio.ui.model_browser import ModelBrowserDock
from sdstudio.ui.probes.activations_panel import ActivationsPanel
from sdstudio.ui.probes.attention_panel import AttentionPanel
from sdstudio.ui.probes.canvas_heat_overlay import CanvasHeatOverlay
from sdstudio.ui.probes.watch_action import WatchModuleAction
from sdstudio.ui.probes.watch_list import WatchList
from sdstudio.ui.probes.watch_units import PanelUnits, unit_caption
from sdstudio.ui.size_row import SizeRow
from sdstudio.ui.step_scrubber import StepScrubber
from sdstudio.ui.worker_events import (
    AttentionReady,
    FinishedImage,
    ImageActivations,
    ModelFailed,
    ModelLoading,
    ModelReady,
    RunDone,
    RunStarted,
    StepActivations,
)
from sdstudio.ui.worker_host import WorkerHost

if TYPE_CHECKING:
    from sdstudio.engine.probes.options import ProbeOptions

AddDock = Callable[[QWidget, str, Qt.DockWidgetArea, str], QDockWidget]

RETRACE_DELAY_MS = 400  # typing a width should not start a trace per keystroke
LEFT = Qt.DockWidgetArea.LeftDockWidgetArea


class InspectionDocks(QObject):
    """Adds and wires ``browser`` (:class:`ModelBrowserDock`), ``activations`` and
    ``attention`` (panels in the docks ``activationsDock`` and ``attentionDock``), the
    ``watch_list`` and the ``canvas``'s heat ``overlay``. Call :meth:`options_for_run` when a
    run is requested and :meth:`shutdown` when the window closes.

    ``add_dock(widget, title, area, object_name)`` puts a panel in a dock of ``window``
    (which arranges them); the ``worker``'s model and run reports and its inspector feed the
    panels; ``size_row`` gives the size to trace shapes at, ``scrubber`` the shown step;
    ``state`` brings results and takes messages. ``control_units`` gives the ControlNet
    panel's units (each with ``index``, ``model`` and ``enabled``), ``units_changed`` says
    when they change: a ControlNet's module can then be watched in any unit. No signals of
    its own.
    """

    def __init__(
        self,
        window: QMainWindow,
        add_dock: AddDock,
        worker: WorkerHost,
        state: AppState,
        canvas: CanvasView,
        size_row: SizeRow,
        scrubber: StepScrubber,
        control_units: PanelUnits | None = None,
        units_changed: SignalInstance | None = None,
    ) -> None:
        super().__init__(window)
        self._state = state
        self._size_row = size_row
        self._result: FinishedImage | None = None
        self._result_steps: tuple[int, ...] = ()  # the scrubber's steps, slider order
        self._heat_key: tuple[Any, ...] | None = None
        self._closed = False
        self.watch_list = WatchList(self)
        self.browser = ModelBrowserDock(window)
        self.watch_action = WatchModuleAction(self.browser, self.watch_list, self, control_units)
        self.browser.add_node_action(self.watch_action)
        self.activations = ActivationsPanel(
            describe_unit=(lambda path: unit_caption(path, control_units()))
            if control_units is not None
            else None
        )
        if units_changed is not None:
            units_changed.connect(self.watch_action.refresh)
            units_changed.connect(self.activations.units_changed)
        self.attention = AttentionPanel()
        self.overlay = CanvasHeatOverlay(canvas)
        self._retrace = QTimer(self, singleShot=True, interval=RETRACE_DELAY_MS)
        self._retrace.timeout.connect(self._trace_at_current_size)
        self._add_docks(add_dock)
        self._connect(worker, scrubber)
        self.browser.show_loading("No model loaded.")

    # -- for the window --------------------------------------------------------------------
    def options_for_run(self) -> ProbeOptions:
        """What the next run should watch and capture."""
        from sdstudio.engine.probes.options import ProbeOptions

        return ProbeOptions(
            watch=self.watch_list.paths,
            view=self.activations.view_settings(),
            attention=self.attention.capture_enabled(),
        )

    def shutdown(self) -> None:
        """Wait for a shape trace still running; trace nothing more (safe to call twice)."""
        self._closed = True
        self._retrace.stop()
        self.browser.shutdown()

    # -- building --------------------------------------------------------------------------
    def _add_docks(self, add_dock: AddDock) -> None:
        """Each in a dock of its own, full height: the window tabs them (``dock_layout.py``)."""
        add_dock(self.browser, self.browser.windowTitle(), LEFT, self.browser.objectName())
        self.activations_dock = add_dock(self.activations, "Activations", LEFT, "activationsDock")
        self.attention_dock = add_dock(self.attention, "Attention", LEFT, "attentionDock")

    def _connect(self, host: WorkerHost, scrubber: StepScrubber) -> None:
        host.on(ModelLoading, self._on_model_loading)
        host.on(ModelReady, self._on_model_ready)
        host.on(ModelFailed, self._on_model_failed)
        host.on(RunStarted, self._on_started)
        host.on(RunDone, self._on_done)
        host.on(StepActivations, self._on_step_activations)
        host.on(ImageActivations, self._on_image_activations)
        host.on(AttentionReady, self._on_attention_maps)
        self._state.resultShown.connect(self._on_result)
        scrubber.slider.valueChanged.connect(self._on_scrubbed)
        for spin in (self._size_row.width_spin, self._size_row.height_spin):
            spin.valueChanged.connect(self._retrace.start)
        self.watch_list.changed.connect(self._on_watch_list_changed)
        self.activations.viewChanged.connect(host.set_view_settings)
        self.activations.unwatchRequested.connect(self.watch_list.remove)
        self.attention.overlayChanged.connect(self._update_overlay)

    # -- model -----------------------------------------------------------------------------
    def _on_model_loading(self, _event: ModelLoading) -> None:
        self.browser.show_loading("Loading model…")

    def _on_model_failed(self, _event: ModelFailed) -> None:
        # When the previous model stays loaded, the worker adopts it again right after.
        self.browser.show_loading("No model loaded.")

    def _on_model_ready(self, event: ModelReady) -> None:
        if self._closed:
            return
        model = event.model
        width, height = self._size_row.dimensions()
        self.browser.set_pipeline(model.pipeline, shapes_for=(width, height), label=model.name)
        root = self.browser.root()
        # A ControlNet's paths are checked against the units when a run starts.
        gone = self.watch_list.keep_only(
            lambda path: is_controlnet_path(path) or root.find(path) is not None
        )
        if gone:
            self._state.tell(
                f"Stopped watching {', '.join(gone)}: {model.name} has no such module.", 8000
            )

    @Slot()
    def _trace_at_current_size(self) -> None:
        width, height = self._size_row.dimensions()
        if not self._closed and width > 0 and height > 0 and width % 8 == 0 and height % 8 == 0:
            self.browser.trace_shapes_at(width, height)

    # -- runs ------------------------------------------------------------------------------
    def _on_started(self, _event: RunStarted) -> None:
        self._result, self._result_steps = None, ()
        self.activations.start_run()
        self.attention.clear()
        self.overlay.set_result(None)

    @Slot(object)
    def _on_result(self, result: FinishedImage) -> None:
        self._result = result
        self._result_steps = tuple(frame.step for frame in result.frames)
        self.activations.set_result(result.image_index)
        self.overlay.set_result(result.image)
        self._heat_key = None
        self._update_overlay()

    def _on_done(self, _event: RunDone) -> None:
        self.activations.end_run()

    def _on_step_activations(self, event: StepActivations) -> None:
        self.activations.show_live(event.frames)

    def _on_image_activations(self, event: ImageActivations) -> None:
        self.activations.add_record(event.recorded)

    def _on_attention_maps(self, event: AttentionReady) -> None:
        self.attention.set_maps(event.result)

    @Slot(int)
    def _on_scrubbed(self, value: int) -> None:
        steps = self._result_steps
        self.activations.show_step(steps[value] if 0 <= value < len(steps) else None)

    @Slot()
    def _on_watch_list_changed(self) -> None:
        added = len(self.watch_list.paths) > len(self.activations.watched())
        self.activations.set_watched(self.watch_list.paths)
        if added:
            self.activations_dock.raise_()

    @Slot()
    def _update_overlay(self) -> None:
        """Redraw the layer only when the token or the maps changed, not for the opacity."""
        result = self._result
        belongs = result is not None and self.attention.image_index() == result.image_index
        maps, row = self.attention.maps(), self.attention.token_combo.currentIndex()
        key = (id(result), id(maps), row) if belongs else None
        if key != self._heat_key:
            self._heat_key = key
            heat: np.ndarray | None = self.attention.heat() if belongs else None
            self.overlay.set_heat(heat)
        self.overlay.set_opacity(self.attention.opacity())
        self.overlay.set_enabled(self.attention.show_check.isChecked())
