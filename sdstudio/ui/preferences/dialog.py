"""The Preferences dialog: what otherwise lives only in settings.ini, checked before it is saved."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.controlnet_preprocessors.annotator_weights import default_annotator_dir
from sdstudio.engine.devices import DEVICE_CHOICES
from sdstudio.engine.models.families import SD1, SDXL
from sdstudio.engine.networks.library import NetworkKind, default_folders
from sdstudio.engine.paths import outputs_dir
from sdstudio.engine.previews.taesd_weights import default_taesd_dir, hub_repo
from sdstudio.ui.model_picker import MEMORY_OPTION_LABELS
from sdstudio.ui.preferences.checks import FOLDER_LABELS, check_preferences
from sdstudio.ui.preferences.path_row import PathRow
from sdstudio.ui.preferences.theme import THEME_LABELS
from sdstudio.ui.preferences.values import Preferences, read_preferences, write_preferences
from sdstudio.ui.server.server_settings import ServerChoice, check_server_choice
from sdstudio.ui.settings_store import SettingsStore

APPLY_NOTE = (
    "Folders, TAESD weights, the ControlNet preprocessors' models and the theme apply now "
    "(the LoRA list after a restart); memory options when a model next loads; the device at "
    "the next start; the server for the jobs queued after saving."
)
# The tabs keep the dialog low enough for a 1366x768 screen (its buttons in view).
PAGE_TITLES = {"general": "General", "models": "Models && previews", "server": "Server"}


class PreferencesDialog(QDialog):
    """``preferencesDialog``, in three tabs (``preferencesTabs``): General (``generalPage``:
    folders, theme), Models & previews (``modelsPage``: device, memory options, TAESD
    weights, the ControlNet preprocessors' model folders ``depthWeightsPath`` and
    ``poseWeightsPath``) and Server (``serverPage``: ``serverUrl``, ``serverToken``,
    ``serverEnabled``); :meth:`show_page` brings one to the front.

    Save checks the values: a wrong one is named in ``preferencesError`` (under the tabs, its
    tab brought to the front) and nothing is saved; folders that do not exist are created if
    the user agrees (``confirm_box``, a non-blocking question), else nothing is saved either.

    Signals:
        saved(object): the :class:`Preferences` just written to ``settings``.
    """

    saved = Signal(object)

    def __init__(self, settings: SettingsStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self._settings = settings
        self.confirm_box: QMessageBox | None = None
        self.output_row = PathRow("outputDir", f"{outputs_dir()}/<date>")
        self.lora_row = PathRow("loraDir", f"Only {default_folders(NetworkKind.LORA)[0]}")
        self.embeddings_row = PathRow(
            "embeddingsDir", f"Only {default_folders(NetworkKind.EMBEDDING)[0]}"
        )
        self.taesd_row = PathRow("taesdPath", str(default_taesd_dir(SD1)), files=True)
        self.taesdxl_row = PathRow("taesdxlPath", str(default_taesd_dir(SDXL)), files=True)
        self.download_check = QCheckBox(
            f"Allow downloading missing weights from the hub ({hub_repo(SD1)}, {hub_repo(SDXL)})",
            objectName="taesdDownloadCheck",
        )
        self.depth_row = _annotator_row("depthWeightsPath", "depth")
        self.pose_row = _annotator_row("poseWeightsPath", "pose")
        self.device_combo = QComboBox(objectName="deviceCombo")
        for name in DEVICE_CHOICES:
            self.device_combo.addItem(
                "Automatic (CUDA, MPS, CPU)" if name == "auto" else name, name
            )
        self.memory_checks: dict[str, QCheckBox] = {}
        for name, text, tip in MEMORY_OPTION_LABELS:
            check = QCheckBox(text, objectName=f"{name}Check")
            check.setToolTip(tip)
            self.memory_checks[name] = check
        self.theme_combo = QComboBox(objectName="themeCombo")
        for name, label in THEME_LABELS:
            self.theme_combo.addItem(label, name)
        self.server_url = QLineEdit(objectName="serverUrl")
        self.server_url.setPlaceholderText("http://127.0.0.1:7861")
        self.server_token = QLineEdit(objectName="serverToken")
        self.server_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.server_token.setPlaceholderText("None (a loopback server needs none)")
        self.server_enabled = QCheckBox(
            "Send queued jobs to the server", objectName="serverEnabled"
        )
        self.server_enabled.setToolTip(
            "New jobs run on the server (sdstudio serve); their images are saved here"
        )
        self.error_label = QLabel(objectName="preferencesError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet("color: #d04040")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.tabs = QTabWidget(objectName="preferencesTabs")
        self._lay_out()
        self.show_preferences(read_preferences(settings))

    def _lay_out(self) -> None:
        folders = QFormLayout()
        folders.addRow("Output folder", self.output_row)
        folders.addRow("LoRA folder", self.lora_row)
        folders.addRow("Embeddings folder", self.embeddings_row)
        previews = QFormLayout()
        previews.addRow("TAESD (SD 1.x/2.x)", self.taesd_row)
        previews.addRow("TAESDXL (SDXL)", self.taesdxl_row)
        previews.addRow(self.download_check)
        annotators = QFormLayout()
        annotators.addRow("Depth model (depth, normal)", self.depth_row)
        annotators.addRow("Pose model (openpose)", self.pose_row)
        model = QFormLayout()
        model.addRow("Device", self.device_combo)
        for check in self.memory_checks.values():
            model.addRow(check)
        look = QFormLayout()
        look.addRow("Theme", self.theme_combo)
        server = QFormLayout()
        server.addRow("Address", self.server_url)
        server.addRow("Token", self.server_token)
        server.addRow(self.server_enabled)
        pages = {
            "general": [("Folders", folders), ("Appearance", look)],
            "models": [
                ("Model", model),
                ("TAESD preview weights", previews),
                ("ControlNet preprocessors", annotators),
            ],
            "server": [("Server (sdstudio serve)", server)],
        }
        for name, groups in pages.items():
            page = QWidget(objectName=f"{name}Page")
            column = QVBoxLayout(page)
            for title, form in groups:
                box = QGroupBox(title)
                box.setLayout(form)
                column.addWidget(box)
            column.addStretch(1)
            self.tabs.addTab(page, PAGE_TITLES[name])
        note = QLabel(APPLY_NOTE, objectName="preferencesNote")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(note)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def show_page(self, name: str) -> None:
        """Bring the tab ``name`` (a key of :data:`PAGE_TITLES`) to the front."""
        page = self.tabs.findChild(QWidget, f"{name}Page")
        if page is not None:
            self.tabs.setCurrentWidget(page)

    # -- values --------------------------------------------------------------------------

    def show_preferences(self, preferences: Preferences) -> None:
        self.output_row.set_text(_folder_text(preferences.output_dir))
        self.lora_row.set_text(_folder_text(preferences.lora_dir))
        self.embeddings_row.set_text(_folder_text(preferences.embeddings_dir))
        self.taesd_row.set_text(preferences.taesd_path)
        self.taesdxl_row.set_text(preferences.taesdxl_path)
        self.download_check.setChecked(preferences.allow_taesd_download)
        self.depth_row.set_text(_folder_text(preferences.depth_weights))
        self.pose_row.set_text(_folder_text(preferences.pose_weights))
        self.device_combo.setCurrentIndex(max(0, self.device_combo.findData(preferences.device)))
        for name, check in self.memory_checks.items():
            check.setChecked(getattr(preferences, name))
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(preferences.theme)))
        self.server_url.setText(preferences.server.url)
        self.server_token.setText(preferences.server.token)
        self.server_enabled.setChecked(preferences.server.enabled)

    def preferences(self) -> Preferences:
        """The values as the dialog shows them (not checked yet)."""
        return Preferences(
            output_dir=_folder(self.output_row.text()),
            lora_dir=_folder(self.lora_row.text()),
            embeddings_dir=_folder(self.embeddings_row.text()),
            taesd_path=self.taesd_row.text(),
            taesdxl_path=self.taesdxl_row.text(),
            allow_taesd_download=self.download_check.isChecked(),
            depth_weights=_folder(self.depth_row.text()),
            pose_weights=_folder(self.pose_row.text()),
            device=str(self.device_combo.currentData()),
            theme=str(self.theme_combo.currentData()),
            server=ServerChoice(
                url=self.server_url.text().strip(),
                token=self.server_token.text().strip(),
                enabled=self.server_enabled.isChecked(),
            ),
            **{name: check.isChecked() for name, check in self.memory_checks.items()},
        )

    # -- saving --------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        """Check, ask about missing folders, then write and close; or say what is wrong."""
        preferences = self.preferences()
        check = check_preferences(preferences)
        server_problem = check_server_choice(preferences.server)
        errors = [*check.errors, *([server_problem] if server_problem else [])]
        if errors:
            self._refuse("\n".join(errors))
            self.show_page(_page_of(errors[0], server_problem))
            return
        if check.missing_folders:
            self._ask_to_create(preferences, check.missing_folders)
            return
        self._write(preferences)

    def _ask_to_create(self, preferences: Preferences, folders: list[Path]) -> None:
        names = "\n".join(str(folder) for folder in folders)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Create folders?",
            f"These folders do not exist yet:\n{names}\n\nCreate them?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("createFoldersBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(
            lambda _result: self._on_create_answer(
                box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes,
                preferences,
                folders,
            )
        )
        self.confirm_box = box
        box.open()

    def _on_create_answer(
        self, create: bool, preferences: Preferences, folders: list[Path]
    ) -> None:
        self.confirm_box = None
        if not create:
            self._refuse("Not saved: choose folders that exist, or let sdstudio create them.")
            return
        for folder in folders:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                self._refuse(f"Could not create {folder}: {error.strerror or error}")
                return
        self._write(preferences)

    def _write(self, preferences: Preferences) -> None:
        write_preferences(self._settings, preferences)
        self.error_label.hide()
        self.saved.emit(preferences)
        self.accept()

    def _refuse(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()


def _annotator_row(name: str, kind: str) -> PathRow:
    """A folder row for the ``kind`` model; empty means the default folder."""
    row = PathRow(name, str(default_annotator_dir(kind)))
    row.setObjectName(name)
    example = (
        "a transformers depth-estimation model (Depth Anything, DPT/MiDaS, ZoeDepth)"
        if kind == "depth"
        else "a transformers ViTPose model"
    )
    row.edit.setToolTip(
        f"A folder with {example}: config.json, preprocessor_config.json and .safetensors "
        f"weights. Empty: {default_annotator_dir(kind)}"
    )
    return row


def _page_of(error: str, server_problem: str | None) -> str:
    """The tab whose field ``error`` is about."""
    if error == server_problem:
        return "server"
    if any(error.startswith(f"{label}:") for _name, label in FOLDER_LABELS):
        return "general"
    return "models"  # TAESD weights, the preprocessors' model folders


def _folder(text: str) -> Path | None:
    return Path(text).expanduser() if text else None


def _folder_text(folder: Path | None) -> str:
    return str(folder) if folder else ""
