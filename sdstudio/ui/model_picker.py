"""Choosing the model: ``modelCombo``'s entries, the Model menu, recent models, memory options."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QMenu, QWidget

from sdstudio.engine.models.demo.model import DEMO_INPAINTING_NAME, DEMO_NAME, is_demo_spec
from sdstudio.engine.models.load_options import LoadOptions
from sdstudio.ui.app_state import AppState
from sdstudio.ui.model_dialogs import ask_checkpoint_file, ask_hub_id, ask_model_folder, ask_vae
from sdstudio.ui.settings_store import SettingsStore
from sdstudio.ui.worker_events import ModelFailed, ModelLoading, ModelReady
from sdstudio.ui.worker_host import WorkerHost

# Combo entries that open a dialog instead of naming a model (":" is in no hub id or spec).
OPEN_FOLDER = "sdstudio:open-folder"
OPEN_CHECKPOINT = "sdstudio:open-checkpoint"
FROM_HUB = "sdstudio:from-hub"
MEMORY_OPTION_LABELS = (
    ("attention_slicing", "Attention Slicing", "Less memory for attention, a little slower"),
    ("vae_tiling", "VAE Tiling", "Decode large images in tiles"),
    ("cpu_offload", "Model CPU Offload", "Keep parts of the model on the CPU until used (CUDA)"),
)
OPTIONS_APPLY_LATER = "Model options apply the next time a model loads (Model ▸ Reload Model)."


def model_label(spec: str) -> str:
    """What the combo shows for ``spec``: the folder or file name, or the hub id."""
    if spec == DEMO_NAME:
        return "Demo model"
    if spec == DEMO_INPAINTING_NAME:
        return "Demo inpainting model"
    path = Path(spec).expanduser()
    return path.name if path.exists() or spec.startswith(("/", "~", ".")) else spec


class ModelPicker(QObject):
    """Fills ``combo`` (demo, recent models, open…) and builds ``menu`` (the Model menu, for
    the window to place); reports through ``state`` and asks for loads by signal.

    The model shown as chosen is always the one loaded: a model that fails to load leaves
    the previous one selected (and usable). A model remembered from last time that no longer
    loads falls back to the demo, with the reason shown. It follows the worker's model
    reports itself; make it before anything else subscribes to them, so it acts first.

    Signals:
        loadRequested(str, bool): load this spec; True allows a download (a hub id). The
            window decides whether it can load now.
    """

    loadRequested = Signal(str, bool)

    def __init__(
        self,
        worker: WorkerHost,
        settings: SettingsStore,
        combo: QComboBox,
        state: AppState,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._parent = parent  # the dialogs' and the menu's parent
        self._worker = worker
        self._settings = settings
        self._state = state
        self._combo = combo
        self._current = DEMO_NAME
        self._pending: str | None = None
        self._pending_vae: str | None = None  # a VAE just chosen, until the load says how it went
        self._startup_spec: str | None = None
        self._fallback_reason = ""
        self._fill_combo()
        self.menu = self._build_menu()
        worker.on(ModelLoading, lambda event: self.model_loading(event.spec))
        worker.on(ModelReady, lambda event: self.model_ready(event.name, event.description))
        worker.on(ModelFailed, lambda event: self.model_failed(event.message))

    @property
    def current(self) -> str:
        """The spec of the model last loaded by name (the demo at first)."""
        return self._current

    # -- the combo -----------------------------------------------------------------------

    def _fill_combo(self) -> None:
        for spec in self._settings.recent_models:
            self._combo.addItem(model_label(spec), spec)
            self._combo.setItemData(self._combo.count() - 1, spec, Qt.ItemDataRole.ToolTipRole)
        self._combo.insertSeparator(self._combo.count())
        self._combo.addItem("Open folder…", OPEN_FOLDER)
        self._combo.addItem("Open checkpoint file…", OPEN_CHECKPOINT)
        self._combo.addItem("From hub id…", FROM_HUB)

    def show_model(self, spec: str) -> None:
        """Select ``spec`` in the combo, adding it above the separator if it is new."""
        index = self._combo.findData(spec)
        if index < 0:
            index = self._first_action_index() - 1  # the separator's place
            self._combo.insertItem(index, model_label(spec), spec)
            self._combo.setItemData(index, spec, Qt.ItemDataRole.ToolTipRole)
        self._combo.setCurrentIndex(index)

    def _first_action_index(self) -> int:
        return self._combo.findData(OPEN_FOLDER)

    @Slot(str)
    def choose(self, spec: str) -> None:
        """The user picked ``spec`` in the combo: load it, or ask which model to open."""
        dialogs = {
            OPEN_FOLDER: self.ask_folder,
            OPEN_CHECKPOINT: self.ask_checkpoint,
            FROM_HUB: self.ask_hub_id,
        }
        if spec in dialogs:
            self.show_model(self._pending or self._current)  # an action is not a model
            dialogs[spec]()
        elif spec != self._current or not self._worker.model_ready:
            self.loadRequested.emit(spec, False)

    # -- dialogs and menu ----------------------------------------------------------------

    @Slot()
    def ask_folder(self) -> None:
        ask_model_folder(self._parent, self._request_load)

    @Slot()
    def ask_checkpoint(self) -> None:
        ask_checkpoint_file(self._parent, self._request_load)

    @Slot()
    def ask_hub_id(self) -> None:
        ask_hub_id(self._parent, lambda repo_id: self.loadRequested.emit(repo_id, True))

    def _request_load(self, spec: str) -> None:
        self.loadRequested.emit(spec, False)

    def load_options(self, spec: str, allow_download: bool = False) -> LoadOptions:
        """The memory options chosen in the Model menu and ``spec``'s VAE; downloads only
        when asked for."""
        vae = self._vae_for(spec)
        return replace(
            self._settings.load_options(),
            allow_download=allow_download,
            vae=Path(vae).expanduser() if vae else None,
        )

    def _vae_for(self, spec: str) -> str:
        if self._pending_vae is not None and spec == self._current:
            return self._pending_vae
        return self._settings.model_vae(spec)

    # -- the VAE -------------------------------------------------------------------------

    @Slot()
    def ask_vae_folder(self) -> None:
        ask_vae(self._parent, self.use_vae, folder=True)

    @Slot()
    def ask_vae_file(self) -> None:
        ask_vae(self._parent, self.use_vae, folder=False)

    @Slot(str)
    def use_vae(self, vae: str) -> None:
        """Reload the current model with ``vae`` ("" for its own); kept if it loads."""
        self._pending_vae = vae
        self.loadRequested.emit(self._current, False)

    def _show_vae(self) -> None:
        vae = self._settings.model_vae(self._current)
        self.vae_menu.setTitle(f"VAE: {Path(vae).name}" if vae else "VAE: Model's Own")
        self.own_vae_action.setChecked(not vae)
        self.own_vae_action.setEnabled(bool(vae))

    def _build_menu(self) -> QMenu:
        menu = QMenu("&Model", self._parent)
        menu.setObjectName("modelMenu")
        menu.addAction("Open Model Folder…", self.ask_folder)
        menu.addAction("Open Checkpoint File…", self.ask_checkpoint)
        menu.addAction("Model From Hub Id…", self.ask_hub_id)
        menu.addSeparator()
        chosen = self._settings.load_options()
        self.option_actions: dict[str, QAction] = {}
        for name, text, tip in MEMORY_OPTION_LABELS:
            action = menu.addAction(text)
            action.setObjectName(f"{name}Action")
            action.setCheckable(True)
            action.setChecked(getattr(chosen, name))
            action.setToolTip(tip)
            action.toggled.connect(lambda on, name=name: self._set_option(name, on))
            self.option_actions[name] = action
        menu.addSeparator()
        self.vae_menu = menu.addMenu("VAE: Model's Own")
        self.vae_menu.setObjectName("vaeMenu")
        self.vae_menu.setToolTip("Decode with another VAE (an fp16-fix or a sharper one)")
        self.own_vae_action = self.vae_menu.addAction("Model's Own VAE", lambda: self.use_vae(""))
        self.own_vae_action.setObjectName("ownVaeAction")
        self.own_vae_action.setCheckable(True)
        self.vae_menu.addAction("Choose VAE Folder…", self.ask_vae_folder).setObjectName(
            "vaeFolderAction"
        )
        self.vae_menu.addAction("Choose VAE File…", self.ask_vae_file).setObjectName(
            "vaeFileAction"
        )
        self.reload_action = menu.addAction("Reload Model", self.reload)
        return menu

    def _set_option(self, name: str, enabled: bool) -> None:
        self._settings.set_load_option(name, enabled)
        self._state.tell(OPTIONS_APPLY_LATER, 8000)

    @Slot()
    def reload(self) -> None:
        self.loadRequested.emit(self._current, False)

    # -- start-up ------------------------------------------------------------------------

    def startup_spec(self) -> str:
        """The model to load at start: the last one used (the demo if that fails), or the demo."""
        last = self._settings.last_model
        if last and last != DEMO_NAME:
            self._startup_spec = last
            return last
        return DEMO_NAME

    # -- the worker's reports (the window connects them) -------------------------------

    @Slot(str)
    def model_loading(self, spec: str) -> None:
        self._pending = spec

    @Slot(str, str)
    def model_ready(self, name: str, description: str) -> None:
        if self._pending is not None:
            self._current, self._pending = self._pending, None
            self._settings.remember_model(self._current, is_demo=is_demo_spec(self._current))
            if self._pending_vae is not None:
                self._settings.set_model_vae(self._current, self._pending_vae)
            self._settings.sync()
        self._pending_vae = None
        self._show_vae()
        self._startup_spec = None
        self.show_model(self._current)
        if self._fallback_reason:
            self._state.error.emit(f"{self._fallback_reason} Loaded the demo model instead.")
            self._fallback_reason = ""

    @Slot(str)
    def model_failed(self, message: str) -> None:
        failed, self._pending = self._pending, None
        self._pending_vae = None  # a VAE that does not load is not kept
        if failed is not None and failed != self._current:
            index = self._combo.findData(failed)
            if index >= 0 and failed not in self._settings.recent_models:
                self._combo.removeItem(index)
        self.show_model(self._current)
        if self._startup_spec is not None and failed == self._startup_spec:
            self._startup_spec = None
            self._fallback_reason = message
            QTimer.singleShot(0, lambda: self.loadRequested.emit(DEMO_NAME, False))
