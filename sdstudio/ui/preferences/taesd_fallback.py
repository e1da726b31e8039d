"""TAESD previews that cannot work fall back to latent previews, for this run and the next.

Without it a TAESD choice whose weights are missing is saved with the panel, and every run
of every later session repeats the same long error in the status bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from sdstudio.engine.generation.events import PREVIEWS_TOPIC
from sdstudio.engine.previews.settings import PreviewError, PreviewKind, PreviewSettings
from sdstudio.engine.previews.taesd_weights import taesd_source
from sdstudio.ui.app_state import AppState
from sdstudio.ui.controls_panel import ControlsPanel
from sdstudio.ui.controls_state import show_preview_kind
from sdstudio.ui.settings_store import TAESD_VARIANTS, SettingsStore

if TYPE_CHECKING:
    from sdstudio.engine.models.families import ModelFamily

SHORT_MESSAGE = (
    "TAESD previews failed: switched to latent previews. Set the TAESD weights in Preferences…"
)
QUEUED_MESSAGE = "A job queued with TAESD previews runs without previews (see Preferences…)."


class TaesdFallback(QObject):
    """Builds each run's preview settings from the panel and Preferences.

    When the panel asks for TAESD previews and the loaded model's family has no TAESD
    weights, the run gets latent previews instead; a job whose notice says TAESD failed
    (weights that exist but do not load) does the same. Either way the panel switches to
    latent previews and the choice is stored at once, so later runs and later sessions do
    not repeat the error. The user is told once per switch: a short status bar message, and
    a message box (``message_box``) with the full reason and a way to Preferences.

    Signals:
        fellBack(str): the full reason, after the panel switched to latent previews.
    """

    fellBack = Signal(str)

    def __init__(
        self,
        controls: ControlsPanel,
        settings: SettingsStore,
        state: AppState,
        open_preferences: Callable[[], object],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._controls = controls
        self._settings = settings
        self._state = state
        self._open_preferences = open_preferences
        self._parent = parent
        self._family: ModelFamily | None = None
        self.message_box: QMessageBox | None = None

    def set_family(self, family: ModelFamily) -> None:
        """The loaded model's family: which TAESD weights a run needs."""
        self._family = family

    def preview_settings(self) -> PreviewSettings:
        """The previews for a run queued now (latent when TAESD cannot work)."""
        settings = PreviewSettings(
            self._controls.preview_kind(),
            taesd_paths=tuple(
                (variant, path)
                for variant in TAESD_VARIANTS
                if (path := self._settings.taesd_path(variant))
            ),
            allow_download=self._settings.allow_taesd_download,
        )
        if settings.kind is not PreviewKind.TAESD or self._family is None:
            return settings
        try:
            taesd_source(settings, self._family)
        except PreviewError as error:
            self.fall_back(str(error))
            return PreviewSettings(PreviewKind.LATENT)
        return settings

    def handle_notice(self, text: str, topic: str, previews: PreviewSettings | None) -> bool:
        """Take a job's notice if it says the job's TAESD previews failed (True: handled)."""
        if previews is None or previews.kind is not PreviewKind.TAESD:
            return False
        if topic != PREVIEWS_TOPIC:
            return False
        self.fall_back(text)
        return True

    def fall_back(self, reason: str) -> None:
        """Switch the panel to latent previews and store it; tell the user once."""
        if self._controls.preview_kind() != PreviewKind.TAESD.value:
            self._state.tell(QUEUED_MESSAGE, 10000)
            return  # already switched: a job queued before the switch
        show_preview_kind(self._controls, PreviewKind.LATENT.value)
        self._settings.set_preview_kind(PreviewKind.LATENT.value)
        self._settings.sync()
        self._state.error.emit(SHORT_MESSAGE)
        self._show_box(reason)
        self.fellBack.emit(reason)

    def _show_box(self, reason: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "TAESD previews",
            "TAESD previews could not run, so sdstudio switched to latent previews.\n\n"
            "Set the TAESD weights in Preferences…, then choose TAESD in the Preview list again.",
            QMessageBox.StandardButton.Close,
            self._parent,
        )
        box.setObjectName("taesdFallbackBox")
        box.setInformativeText(reason)  # in full: the status bar has room for a short line
        button = box.addButton("Open Preferences…", QMessageBox.ButtonRole.AcceptRole)
        button.setObjectName("openPreferencesButton")
        button.clicked.connect(self._open_preferences)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(self._forget_box)
        self.message_box = box
        box.open()

    def _forget_box(self) -> None:
        self.message_box = None
