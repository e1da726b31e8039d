"""Whether Generate can queue a job, and what its tooltip says, following Preferences' server."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtWidgets import QAbstractButton

from sdstudio.ui.server.server_settings import ServerChoice, read_server_choice
from sdstudio.ui.settings_store import SettingsStore

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

NO_MODEL_TIP = (
    "No model loaded: choose one in the Model menu, or send jobs to a server "
    "(File → Preferences…, Server tab)"
)
URL_SHOWN = 80  # characters of the server's address in the tooltip


class GenerateGate(QObject):
    """Keeps ``button`` (Generate) enabled while a job can be queued: a model is here or on
    its way (``model_here``), or Preferences (read from ``settings``) send new jobs to a
    server, which needs no model here. :meth:`refresh` runs whenever ``changed`` fires (the
    Preferences were saved), so turning the server on or off applies at once.

    The tooltip follows the button whoever enables it (the run bar too): the server new jobs
    go to, or, when it is disabled, how to get a model. No signals.
    """

    def __init__(
        self,
        button: QAbstractButton,
        model_here: Callable[[], bool],
        settings: SettingsStore,
        changed: SignalInstance,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._button = button
        self._model_here = model_here
        self._settings = settings
        button.installEventFilter(self)
        changed.connect(self.refresh)
        self.refresh()

    def can_queue(self) -> bool:
        """A job queued now can run: here on a model that is or will be loaded, or on the
        server."""
        return self._model_here() or self._server().sends_jobs

    @Slot(object)
    def refresh(self, _changed: object = None) -> None:
        self._button.setEnabled(self.can_queue())
        self._show_tip()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802  (Qt's name)
        if watched is self._button and event.type() == QEvent.Type.EnabledChange:
            self._show_tip()
        return False

    def _show_tip(self) -> None:
        self._button.setToolTip(generate_tip(self._button.isEnabled(), self._server()))

    def _server(self) -> ServerChoice:
        return read_server_choice(self._settings)


def generate_tip(enabled: bool, server: ServerChoice) -> str:
    """Generate's tooltip: where new jobs run, or why it is disabled."""
    if server.sends_jobs:
        url = server.url if len(server.url) <= URL_SHOWN else server.url[: URL_SHOWN - 1] + "…"
        return f"Generate on the server at {url} (Ctrl+Enter)"
    return "Generate (Ctrl+Enter)" if enabled else NO_MODEL_TIP
