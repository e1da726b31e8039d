"""The studio window: settings dock, canvas with step scrubber, run bar and status bar.

It builds the parts and wires them together; none of them knows the window.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QImage
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.errors import RequestError, UserFacingError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.grids.plan import Cell, XyzPlan
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.paths import queue_dir
from sdstudio.ui.app_state import AppState
from sdstudio.ui.background import BackgroundOp, run_in_background
from sdstudio.ui.canvas import CanvasView
from sdstudio.ui.controlnet import ControlLayer, ControlNetPanel
from sdstudio.ui.controls_panel import ControlsPanel
from sdstudio.ui.dock_layout import keep_canvas_wide, tab_behind
from sdstudio.ui.file_dialogs import ask_open_image, ask_save_image
from sdstudio.ui.help.help_dialogs import HelpDialogs
from sdstudio.ui.hires import is_inpainting_model
from sdstudio.ui.history import HistoryPanel
from sdstudio.ui.image_convert import qimage_to_pil
from sdstudio.ui.image_opener import ImageFileOpener
from sdstudio.ui.init_image_source import InitImageSource
from sdstudio.ui.inpainting_controller import InpaintingController
from sdstudio.ui.load_progress_relay import describe_load_progress
from sdstudio.ui.model_picker import ModelPicker
from sdstudio.ui.networks.panel import NetworksPanel
from sdstudio.ui.preferences.generate_gate import NO_MODEL_TIP, GenerateGate
from sdstudio.ui.preferences.taesd_fallback import TaesdFallback
from sdstudio.ui.preferences.theme import apply_theme
from sdstudio.ui.preferences.values import listed_network_folders
from sdstudio.ui.preferences.window_preferences import WindowPreferences
from sdstudio.ui.probe_docks import InspectionDocks
from sdstudio.ui.progress_text import Progress
from sdstudio.ui.queue.prompts_dialog import PromptsDialog, PromptsQueue
from sdstudio.ui.queue.queue_panel import QueuePanel
from sdstudio.ui.queue.queue_runner import QueueRunner
from sdstudio.ui.run_bar import RunBar
from sdstudio.ui.settings_store import SettingsStore
from sdstudio.ui.step_scrubber import StepScrubber
from sdstudio.ui.token_counters import PromptTokenCounters
from sdstudio.ui.upscale import (
    UpscaleChoice,
    UpscaleController,
    UpscaledPicture,
    UpscalerCatalog,
    UpscaleSource,
)
from sdstudio.ui.upscale.refine_box import CANNOT_REFINE
from sdstudio.ui.upscale.sd_upscale_job import sd_upscale_job
from sdstudio.ui.window_actions import WindowActions
from sdstudio.ui.window_fit import centred, first_start_size, smallest_size
from sdstudio.ui.window_session import WindowSession
from sdstudio.ui.worker_events import (
    FinishedImage,
    ModelFailed,
    ModelLoading,
    ModelProgress,
    ModelReady,
    Notice,
    RunCancelled,
    RunFailed,
    RunProgress,
    RunStarted,
    StepPreview,
)
from sdstudio.ui.worker_host import WorkerHost
from sdstudio.ui.xyz.grid_collector import GridCollector
from sdstudio.ui.xyz.grid_dialog import GridDialog

if TYPE_CHECKING:
    from PIL import Image
    from PySide6.QtCore import SignalInstance

    from sdstudio.engine.models.loading import LoadedModel


class MainWindow(QMainWindow):
    """The main window. Seams for other parts of the app:

    ``state`` (:class:`AppState`: messages, errors, shown results), ``controls``
    (:class:`ControlsPanel`), ``canvas`` (:class:`CanvasView`), ``worker``
    (:class:`WorkerHost`), ``init_images`` (:class:`InitImageSource`), ``window_actions``
    (menus and toolbar), ``settings`` (:class:`SettingsStore`), ``model_picker``,
    ``history``, ``queue`` (:class:`QueueRunner`: every Generate is a job in it), its
    ``queue_panel`` and ``prompts`` (Queue prompts from file…, :meth:`queue_jobs`),
    ``image_opener`` (open/drop: init image or restore settings),
    ``inspection``, ``controlnet`` (:class:`ControlNetPanel`, its map shown over the canvas
    by ``control_layer``), ``upscalers`` (:class:`UpscalerCatalog`, for the hires section
    and the upscale dialogs) and ``upscaling`` ("Upscale…" and the upscaler list),
    :meth:`add_dock`, :meth:`load_model`, :meth:`show_message` and :meth:`show_error`.

    The worker's events are subscribed to here, by :class:`ModelPicker` and by
    :class:`InspectionDocks` for their own parts, nowhere else. No signals of its own:
    :attr:`resultShown` is the state's.
    """

    def __init__(
        self,
        output_dir: Path | None = None,
        device: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``output_dir`` and ``device`` (given on the command line) win over Preferences."""
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("sdstudio")
        available = self.screen().availableGeometry()  # a first start fits the screen
        self.setGeometry(centred(first_start_size(available.size()), available))
        # An explicit minimum keeps layout changes from resizing the native window's limits
        # after it is shown (which some platforms, e.g. offscreen, warn about).
        self.setMinimumSize(smallest_size(available.size()))
        self.state = AppState(self)
        self.controls = ControlsPanel()
        self.token_counters = PromptTokenCounters(
            [
                (self.controls.prompt_edit, self.controls.prompt_counter),
                (self.controls.negative_edit, self.controls.negative_counter),
            ],
            self,
        )
        self.canvas = CanvasView()
        self.scrubber = StepScrubber()
        self.run_bar = RunBar()
        self.settings = SettingsStore()
        apply_theme(self.settings.theme)
        self.worker = WorkerHost(device or self.settings.device, parent=self)
        self._output_dir = output_dir
        self.init_images = InitImageSource(self)
        self.image_opener = ImageFileOpener(self.init_images, self.controls, self.state, self)
        self._result: FinishedImage | None = None
        self._display_size = QSize()
        self._run_started_at = 0.0
        self._outcome = ""
        self._zoom_label = QLabel("100 %", objectName="zoomLabel")
        self.window_actions = WindowActions(self.menuBar(), self)  # before any dock
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.window_actions.toolbar)
        self.inpainting = InpaintingController(
            self.canvas,
            self.init_images,
            self.controls.inpaint_options,
            self.controls.size_row,
            self.state,
            self,
        )
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.inpainting.editor.toolbar)
        self._build_layout()
        self.model_picker = ModelPicker(
            self.worker, self.settings, self.controls.model_combo, self.state, self
        )
        self.menuBar().insertMenu(
            self.window_actions.view_menu.menuAction(), self.model_picker.menu
        )
        self.controls.modelChosen.connect(self.model_picker.choose)
        self.model_picker.loadRequested.connect(self.load_model)
        self.queue = QueueRunner(self.worker, queue_dir(), self._start_load, self.state, self)
        self.queue_panel = QueuePanel(self.queue)
        self.prompts = PromptsQueue(self.current_request, self._job_for, self.queue_jobs, self)
        self.queue_panel.add_action(self.prompts.action)
        file_items = self.window_actions.file_menu.actions()  # beside Save As and Upscale
        before = file_items[file_items.index(self.window_actions.preferences) - 1]
        self.window_actions.file_menu.insertAction(before, self.prompts.action)
        self.preferences = WindowPreferences(
            self.settings, self.model_picker.option_actions, self.state, self
        )
        self.taesd_fallback = TaesdFallback(
            self.controls, self.settings, self.state, self.preferences.open_previews, self
        )
        self.help = HelpDialogs(self, device or self.settings.device)
        self.history = HistoryPanel(self.state, output_dir or self.settings.output_dir, self)
        self.history_dock = self.add_dock(
            self.history, "History", Qt.DockWidgetArea.RightDockWidgetArea, "historyDock"
        )
        self.upscalers = UpscalerCatalog(self)  # read when a list is first looked at
        self.upscaling = UpscaleController(
            self.upscalers,
            self.state,
            lambda: self._output_dir or self.settings.output_dir,
            device or self.settings.device,
            self,
            self._refine_tile,
        )
        self.model_picker.menu.addSeparator()
        self.model_picker.menu.addAction(self.window_actions.upscalers)
        self.networks = NetworksPanel(
            self.controls.prompt_edit, listed_network_folders(self.settings)
        )
        self.networks_dock = self.add_dock(
            self.networks,
            "LoRAs",  # embeddings too; a short title keeps the seven tabs readable at 768 px
            Qt.DockWidgetArea.LeftDockWidgetArea,
            "networksDock",
        )
        self.controlnet = ControlNetPanel(self._canvas_picture)
        self.control_layer = ControlLayer(self.canvas, self.controlnet, self)
        self.controlnet_dock = self.add_dock(
            self.controlnet, "ControlNet", Qt.DockWidgetArea.LeftDockWidgetArea, "controlNetDock"
        )
        self.queue_dock = self.add_dock(
            self.queue_panel, "Queue", Qt.DockWidgetArea.LeftDockWidgetArea, "queueDock"
        )
        self.inspection = InspectionDocks(  # model browser, activations, attention
            self,
            self.add_dock,
            self.worker,
            self.state,
            self.canvas,
            self.controls.size_row,
            self.scrubber,
            self.controlnet.unit_summaries,  # a ControlNet's module can be watched per unit
            self.controlnet.unitsChanged,
        )
        inspection = self.inspection
        tab_behind(  # the History keeps the right-hand side to itself (see dock_layout.py)
            self,
            self.settings_dock,
            [
                self.networks_dock,
                self.controlnet_dock,
                self.queue_dock,
                inspection.browser,
                inspection.activations_dock,
                inspection.attention_dock,
            ],
        )
        keep_canvas_wide(self, self.settings_dock, self.history_dock)
        self._connect()
        self.session = WindowSession(self.settings, self.controls, self)  # restores the docks
        self.settings.report_problems(self.state.tell)  # values settings.ini could not keep
        controlnet_problem = self.controlnet.restore(self.settings.controlnet_units())
        if controlnet_problem is not None:
            self.state.tell(controlnet_problem)
        self.worker.on(RunStarted, lambda _event: self._save_controlnet())
        self.worker.on(RunStarted, lambda _event: self.session.save_controls())
        self.run_bar.set_idle("No model loaded")
        self.generate_gate = GenerateGate(  # no model here: Generate follows Preferences' server
            self.run_bar.generate_button,
            lambda: self.worker.model_ready or self.queue.loading_model is not None,
            self.settings,
            self.preferences.saved,
            self,
        )
        self.queue.restore()  # after _connect, so its messages reach the status bar

    @property
    def resultShown(self) -> SignalInstance:  # noqa: N802  (named like the signal it is)
        """``state.resultShown``: a :class:`FinishedImage` reached the canvas."""
        return self.state.resultShown

    # -- layout and wiring ---------------------------------------------------------------

    def _build_layout(self) -> None:
        central = QWidget(objectName="centralArea")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.scrubber)
        # The scrubber comes and goes with runs; keeping its place keeps the image still.
        keep_place = self.scrubber.sizePolicy()
        keep_place.setRetainSizeWhenHidden(True)
        self.scrubber.setSizePolicy(keep_place)
        layout.addWidget(self.run_bar)
        self.setCentralWidget(central)
        scroll = QScrollArea(objectName="controlsScroll")
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.controls.sizeHint().width() + 24)
        self.settings_dock = self.add_dock(
            scroll, "Settings", Qt.DockWidgetArea.LeftDockWidgetArea, "settingsDock"
        )
        self.statusBar().addPermanentWidget(self._zoom_label)

    def _connect(self) -> None:
        status = self.statusBar()
        self.state.message.connect(status.showMessage)
        self.state.error.connect(status.showMessage)
        actions = self.window_actions
        actions.open.triggered.connect(self.choose_init_image)
        actions.paste.triggered.connect(self.init_images.paste)
        actions.clear_init.triggered.connect(self.init_images.clear)
        actions.save_as.triggered.connect(self.choose_save_path)
        actions.quit.triggered.connect(self.close)
        actions.fit.triggered.connect(self.canvas.fit_to_view)
        actions.actual_size.triggered.connect(self.canvas.actual_size)
        actions.compare.toggled.connect(self.show_init_for_compare)
        history = self.history
        history.imageChosen.connect(self._show_chosen_image)
        history.restoreRequested.connect(self.image_opener.restore_from)
        images = self.init_images
        history.initImageChosen.connect(lambda image, name: images.use_qimage(image, name))
        history.initFileChosen.connect(images.open)
        self.run_bar.generate_button.clicked.connect(self.generate)
        self.run_bar.cancel_button.clicked.connect(self.cancel)
        self.run_bar.grid_button.clicked.connect(self.open_grid_dialog)
        actions.generate.triggered.connect(self.generate)  # Ctrl+Enter from any field
        actions.preferences.triggered.connect(self.preferences.open)
        actions.about.triggered.connect(self.help.open_about)
        actions.shortcuts.triggered.connect(self.help.open_shortcuts)
        upscaling, hires = self.upscaling, self.controls.hires
        actions.upscale.triggered.connect(upscaling.upscale_canvas)
        actions.upscalers.triggered.connect(upscaling.open_list)
        upscaling.watch(self.canvas, history, actions.upscale)
        upscaling.upscaled.connect(self._on_upscaled)
        upscaling.refineRequested.connect(self.queue_sd_upscale)
        status.insertPermanentWidget(0, upscaling.runner.progress)
        hires.upscalersWanted.connect(self.upscalers.read_if_unread)
        self.upscalers.listed.connect(hires.set_upscalers)
        images = self.init_images
        self.controls.clearInitRequested.connect(images.clear)
        self.canvas.filesDropped.connect(self.image_opener.open_first)
        self.canvas.imageDropped.connect(images.use_qimage)
        images.changed.connect(self._on_init_image_changed)
        images.opened.connect(self._on_init_image_opened)
        images.failed.connect(self.state.error)
        self.controlnet.failed.connect(self.state.error)
        self.canvas.zoomChanged.connect(self._on_zoom)
        self.scrubber.imageChosen.connect(self.canvas.show_image)
        host = self.worker
        # The status bar already said so when the load was asked for; saying it again when
        # the worker starts could hide an error shown in between (a missing init image).
        host.on(ModelLoading, lambda event: self._on_model_loading(event.spec, tell=False))
        host.on(ModelReady, self._on_model_ready)
        host.on(ModelFailed, self._on_model_failed)
        host.on(ModelProgress, self._on_model_progress)
        host.on(RunProgress, self._on_progress)
        host.on(StepPreview, self._on_step_preview)
        host.on(FinishedImage, self._on_finished)
        host.on(RunCancelled, self._on_cancelled)
        host.on(RunFailed, lambda event: self.state.error.emit(event.message))
        host.on(Notice, self._on_notice)
        self.queue.jobStarted.connect(self._on_job_started)
        self.queue.jobEnded.connect(self._on_job_ended)

    def add_dock(
        self,
        widget: QWidget,
        title: str,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
        object_name: str | None = None,
    ) -> QDockWidget:
        """Put ``widget`` in a dock (or add it, if it is one), listed in View ▸ Panels."""
        if isinstance(widget, QDockWidget):
            dock = widget
        else:
            dock = QDockWidget(title, self)
            dock.setObjectName(object_name or f"{widget.objectName() or 'panel'}Dock")
            dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.restoreDockWidget(dock)  # its place from the last session, if it had one
        self.window_actions.add_dock_toggle(dock)
        return dock

    # -- messages ------------------------------------------------------------------------

    @Slot(str)
    def show_message(self, text: str, timeout_ms: int = 0) -> None:
        self.state.tell(text, timeout_ms)

    @Slot(str)
    def show_error(self, text: str) -> None:
        """Errors the user can act on: a status bar message, never a traceback."""
        self.state.error.emit(text)

    def report_exception(self, message: str, details: str) -> None:
        """For the excepthook: the message in the status bar, details in a dialog if any."""
        self.show_error(message)
        if details:
            box = QMessageBox(QMessageBox.Icon.Warning, "sdstudio", message, parent=self)
            box.setDetailedText(details)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

    # -- model ---------------------------------------------------------------------------

    def start(self, model: str | None = None, init_image: str | None = None) -> None:
        """Begin loading the model (default: the last one used) once the window is shown."""
        spec = model or self.model_picker.startup_spec()
        self._on_model_loading(spec)  # the first paint already says so
        QTimer.singleShot(0, lambda: self.load_model(spec))
        if init_image:  # after the load starts, so "Loading model…" does not hide its errors
            QTimer.singleShot(0, lambda: self.init_images.open(init_image))

    @Slot(str, bool)
    def load_model(self, spec: str, allow_download: bool = False) -> None:
        """Switch to ``spec``; a hub id is downloaded only with ``allow_download``. While a
        job runs, new jobs name ``spec`` and it loads when the queue gets to them."""
        self.model_picker.show_model(spec)
        if not self.queue.choose_model(spec, allow_download):
            self.show_message(f"New jobs use {spec}; it loads when the running job ends.")

    def _start_load(self, spec: str, allow_download: bool) -> None:
        """The queue's way to load a model: now, with the options chosen for it."""
        self._on_model_loading(spec)
        self.worker.load_model(spec, self.model_picker.load_options(spec, allow_download))

    def use_model(self, model: LoadedModel) -> None:
        """Use a model that is already loaded (for tests and embedding)."""
        self.worker.use_model(model)

    def _on_model_loading(self, spec: str, tell: bool = True) -> None:
        self.controls.set_model_description("Loading model…")
        self.run_bar.set_waiting("Loading model…", can_generate=True)
        if tell:
            self.show_message(f"Loading model {spec}…")

    def _on_model_ready(self, event: ModelReady) -> None:
        self.taesd_fallback.set_family(event.model.family)
        self.controls.hires.set_inpainting_model(is_inpainting_model(event.model))
        self.help.model_placed(event.model.placement)
        self.controls.set_model_description(event.description)
        self.token_counters.set_counter(event.counter)
        side = event.model.default_size
        self.controls.size_row.set_presets(side, event.model.family.size_presets)
        self.controls.size_row.set_size(side, side)  # each model at its native size
        if self.queue.running_job is None:  # else the queue already started a waiting job
            self.run_bar.set_idle("Ready")
        if self.statusBar().currentMessage().startswith("Loading model"):
            self.show_message(f"Model ready: {event.name}", 5000)  # never hide an earlier error

    def _on_model_failed(self, event: ModelFailed) -> None:
        self.controls.set_model_description("No model loaded.")
        # jobs sent to a server need no model here
        self.run_bar.set_idle("No model loaded", can_generate=self.queue.sends_to_server())
        self.show_error(event.message)

    def _on_model_progress(self, event: ModelProgress) -> None:
        progress = event.progress
        text = describe_load_progress(progress)
        if progress.fraction is None:
            self.run_bar.set_waiting(text, can_generate=True)
        else:
            self.run_bar.show_fraction(progress.fraction, text)

    # -- running -------------------------------------------------------------------------

    @Slot()
    def generate(self) -> bool:
        """Queue a job with the current settings (init image and mask included); it runs now
        if nothing else does. False (with a message) when the settings cannot run."""
        if not self._can_queue():
            return False
        try:
            request = self.current_request()
            job = self._job_for(request)  # ControlNet units can refuse too
        except RequestError as error:
            self.show_error(str(error))
            return False
        self.queue.enqueue(job, self._model_for_new_jobs())
        if self.queue.running_job != job.id:
            waiting = self.queue.pending_count()
            paused = " (the queue is paused: press Resume in the Queue panel)"
            self.show_message(
                f"Queued with seed {request.seed}: {waiting} waiting"
                + (paused if self.queue.paused else "")
            )
        return True

    def _can_queue(self) -> bool:
        """A job can wait for a model that is loading, not for one that never comes; one
        sent to a server needs no model here (the rule Generate's button follows)."""
        if self.generate_gate.can_queue():
            return True
        self.show_error(NO_MODEL_TIP)  # Ctrl+Enter reaches here while Generate is disabled
        return False

    def current_request(self) -> GenerationRequest:
        """The settings as they are now, init image and mask included (may raise
        :class:`RequestError`)."""
        return self.controls.build_request(self.init_images.image(), self.inpainting.mask())

    def _job_for(self, request: GenerationRequest) -> Job:
        """The job for ``request``, with the enabled ControlNet units at its size (may raise
        :class:`RequestError`)."""
        return Job(
            request,
            previews=self.taesd_fallback.preview_settings(),
            probes=self.inspection.options_for_run(),
            saving=SaveOptions(output_dir=self._output_dir or self.settings.output_dir),
            networks=self.settings.network_folders(),
            controlnets=self.controlnet.run_units(request.width, request.height),
        )

    def _canvas_picture(self) -> tuple[Image.Image, str] | None:
        """What "Use canvas image" takes: the init image, else the picture shown."""
        image = self.init_images.image()
        if image is not None:
            return image, self.init_images.name()
        if not self.canvas.has_image():
            return None
        return qimage_to_pil(self.canvas.current_pixmap().toImage()).convert("RGB"), "canvas"

    def _save_controlnet(self) -> None:
        self.settings.set_controlnet_units(self.controlnet.stored())

    def _refine_tile(self) -> int | None:
        """The tile side "Upscale…" offers for an SD upscale (the controls' smaller side, the
        model's own size unless changed), or None while no model can refine: none here, and
        jobs do not go to a server."""
        if not (self.worker.model_ready or self.queue.sends_to_server()):
            return None
        return min(self.controls.size_row.dimensions())

    def queue_sd_upscale(self, source: UpscaleSource, choice: UpscaleChoice) -> bool:
        """Queue the SD upscale of ``source`` that ``choice`` asks for, with the controls'
        prompt and sampling settings; it runs where a Generate would (here, or on the server
        Preferences name). False (with a message) when it cannot run."""
        if self._refine_tile() is None:
            self.show_error(CANNOT_REFINE)
            return False
        try:
            settings = Job(
                self.controls.build_request(),  # the picture is the SD upscale's own
                previews=self.taesd_fallback.preview_settings(),
                saving=SaveOptions(output_dir=self._output_dir or self.settings.output_dir),
                networks=self.settings.network_folders(),
            )
            job = sd_upscale_job(source, choice, settings)
        except UserFacingError as error:
            self.show_error(str(error))
            return False
        self.queue.enqueue(job, self._model_for_new_jobs())
        paused = ""
        if self.queue.paused:
            paused = " The queue is paused: press Resume in the Queue panel."
        self.show_message(
            f"Queued the SD upscale of {source.name} (×{choice.scale:g}, {choice.upscaler}, "
            f"seed {job.request.seed}).{paused}"
        )
        return True

    def _model_for_new_jobs(self) -> str:
        return self.queue.selected_model or self.model_picker.current

    @Slot()
    def open_grid_dialog(self) -> GridDialog:
        """The X/Y/Z plot dialog; its plan is queued as one job per cell."""
        dialog = GridDialog(self.current_request, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.planned.connect(self.queue_grid)
        dialog.open()
        return dialog

    def queue_grid(self, plan: XyzPlan, cells: list[Cell]) -> None:
        """Queue one job per cell; the grid is saved once all are done, and shown."""
        if not self._can_queue():
            return
        places = {}
        model = self._model_for_new_jobs()
        jobs = []
        try:
            for cell in cells:
                job = self._job_for(replace(cell.request, batch_count=1, batch_size=1))
                places[job.id] = (cell.z, cell.y, cell.x)
                jobs.append(job)
        except RequestError as error:
            self.show_error(str(error))
            return
        collector = GridCollector(plan, places, self.worker, self.queue, self)
        collector.saved.connect(self._on_grid_saved)
        collector.failed.connect(self.show_error)
        for job in jobs:
            self.queue.enqueue(job, model)
        self.show_message(f"Queued an X/Y/Z plot: {len(jobs)} pictures.")

    def open_prompts_dialog(self) -> PromptsDialog:
        """The "Queue prompts from file…" dialog, without its file chooser."""
        return self.prompts.open()

    def queue_jobs(self, jobs: list[Job]) -> bool:
        """Queue ``jobs`` in order (a prompts text's lines), as Generate queues one; False
        (with a message) when no model can run them."""
        if not self._can_queue():
            return False
        model = self._model_for_new_jobs()
        for job in jobs:
            self.queue.enqueue(job, model)
        self.show_message(f"Queued {len(jobs)} jobs, one per line of the prompts.")
        return True

    @Slot(str)
    def _on_grid_saved(self, path: str) -> None:
        self.canvas.show_image(QImage(path))
        self.show_message(f"Saved the X/Y/Z grid to {path}")

    @Slot(str)
    def _on_job_started(self, job_id: str) -> None:
        row = self.queue.model.get(job_id)
        if row is None:
            return
        request = row.queued.job.request
        self._display_size = QSize(request.width, request.height)
        self._run_started_at = time.monotonic()
        self._outcome = "Failed"
        self.window_actions.compare.setChecked(False)
        self.inpainting.show_mask(False)  # previews and the result are shown without it
        self.scrubber.clear()
        self.run_bar.set_running()
        self.generate_gate.refresh()  # a server job with no model here, the server now off
        self.show_message(f"Generating with seed {request.seed}…")

    @Slot()
    def cancel(self) -> None:
        """Cancel the running job (the waiting ones go on: the queue panel cancels all)."""
        if self.queue.running_job is not None:
            self.queue.cancel_running()
            self.show_message("Cancelling…")

    def _on_progress(self, event: RunProgress) -> None:
        unit = "Tile" if event.tiles else "Batch" if event.batch_size > 1 else "Image"
        progress = Progress(
            event.step, event.total, event.image_index, event.batch_count, event.elapsed, unit
        )
        self.run_bar.show_progress(progress)

    def _on_step_preview(self, event: StepPreview) -> None:
        self.canvas.show_image(event.frame.image, self._display_size)

    def _on_finished(self, result: FinishedImage) -> None:
        self._result = result
        self.canvas.show_image(result.image)
        self.scrubber.set_run(result.frames, result.image, result.request.effective_steps)
        self.controls.seed_row.set_last_seed(result.seed)
        self._update_compare()
        self._outcome = f"Done in {time.monotonic() - self._run_started_at:.1f} s"
        which = f" {result.image_index + 1}/{result.batch_count}" if result.batch_count > 1 else ""
        if result.path is not None:
            self.show_message(f"Saved image{which} to {result.path}")
        self.state.resultShown.emit(result)

    def _on_notice(self, event: Notice) -> None:
        """A job's news; a TAESD failure switches the panel to latent previews instead."""
        row = self.queue.model.get(event.job_id)
        previews = row.queued.job.previews if row is not None else None
        if not self.taesd_fallback.handle_notice(event.text, event.topic, previews):
            self.show_message(event.text)

    def _on_cancelled(self, event: RunCancelled) -> None:
        self._outcome = "Cancelled"
        self.show_message(f"Cancelled after step {event.after_step}.")

    @Slot(str)
    def _on_job_ended(self, _job_id: str) -> None:
        self.run_bar.set_idle(self._outcome, can_generate=self.generate_gate.can_queue())

    # -- init image ----------------------------------------------------------------------

    @Slot()
    def _on_init_image_changed(self) -> None:
        qimage = self.init_images.qimage()
        self.controls.set_init_image(self.init_images.description())
        if qimage is not None:
            self.canvas.show_image(qimage)
            self.scrubber.clear()  # its steps belong to the last result, not to this image
        elif self._result is not None:
            result = self._result
            self.canvas.show_image(result.image)
            self.scrubber.set_run(result.frames, result.image, result.request.effective_steps)
        else:
            self.canvas.clear_image()
        self._update_compare()

    def _on_upscaled(self, picture: UpscaledPicture) -> None:
        self.history.add_file(picture.path)
        self._show_chosen_image(picture.image)

    @Slot(QImage)
    def _show_chosen_image(self, image: QImage) -> None:
        """A history image on the canvas; the scrubber only goes with the last result."""
        self.canvas.show_image(image)
        result = self._result
        if result is not None and image.cacheKey() == result.image.cacheKey():
            self.scrubber.set_run(result.frames, result.image, result.request.effective_steps)
        else:
            self.scrubber.clear()

    @Slot(str)
    def _on_init_image_opened(self, path: str) -> None:
        self.show_message(f"Init image: {path}", 5000)

    @Slot()
    def choose_init_image(self) -> None:
        ask_open_image(self, self.image_opener.open)

    # -- result --------------------------------------------------------------------------

    def result(self) -> FinishedImage | None:
        return self._result

    @Slot(str)
    def save_result_as(self, path: str | Path) -> BackgroundOp | None:
        """Write a copy of the shown result to ``path`` off the GUI thread; the status bar
        says how it went. The returned op reports too (None: there is no result)."""
        if self._result is None:
            self.show_error("There is no image to save yet.")
            return None
        image = self._result.image

        def save() -> None:
            if not image.save(str(path)):
                raise OSError(f"Could not save {path}")

        return run_in_background(
            save,
            lambda _none: self.show_message(f"Saved a copy to {path}", 5000),
            lambda _error: self.show_error(f"Could not save {path}"),
            parent=self,
        )

    @Slot()
    def choose_save_path(self) -> None:
        if self._result is None:
            self.show_error("There is no image to save yet.")
            return
        ask_save_image(self, str(self._result.path or ""), self.save_result_as)

    # -- compare and zoom ----------------------------------------------------------------

    def _update_compare(self) -> None:
        can_compare = self.init_images.qimage() is not None and self._result is not None
        self.window_actions.compare.setEnabled(can_compare)
        if not can_compare:
            self.window_actions.compare.setChecked(False)

    @Slot(bool)
    def show_init_for_compare(self, show_init: bool) -> None:
        init_qimage = self.init_images.qimage()
        if self._result is None or init_qimage is None:
            return
        if show_init:
            self.canvas.show_image(init_qimage, self._result.image.size())
        else:
            self.canvas.show_image(self._result.image)
        self.inpainting.show_mask(show_init)

    @Slot(float)
    def _on_zoom(self, zoom: float) -> None:
        self._zoom_label.setText(f"{zoom * 100:.0f} %")

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the settings, cancel a run and wait for the worker thread."""
        self._save_controlnet()
        self.session.save()
        self.history.shutdown()
        self.upscaling.shutdown()
        self.inspection.shutdown()
        self.worker.shutdown()
        super().closeEvent(event)
