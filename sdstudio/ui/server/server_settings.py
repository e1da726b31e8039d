"""The server preference (address, token, whether new jobs go there), kept in settings.ini."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings

from sdstudio.engine.remote.server_connection import ServerConnection, ServerError
from sdstudio.ui.settings_store import SettingsStore

URL_KEY = "server/url"
TOKEN_KEY = "server/token"
ENABLED_KEY = "server/enabled"
TEXT_LIMIT = 2000  # longer text in settings.ini is not an address or a token


@dataclass(frozen=True)
class ServerChoice:
    """Where queued jobs run: the server at ``url`` with ``token`` when ``enabled``."""

    url: str = ""
    token: str = ""
    enabled: bool = False

    @property
    def sends_jobs(self) -> bool:
        return self.enabled and bool(self.url)


def check_server_choice(choice: ServerChoice) -> str | None:
    """Why ``choice`` cannot be saved (a message), or None."""
    if not choice.url and choice.enabled:
        return "Give the server's address (http://HOST:PORT) to send jobs there."
    if not choice.url:
        return None
    try:
        ServerConnection(choice.url, choice.token or None)
    except ServerError as error:
        return str(error)
    return None


def _settings(store: SettingsStore) -> QSettings:
    # QSettings objects on one file share their values within the process
    return QSettings(str(store.path), QSettings.Format.IniFormat)


def read_server_choice(store: SettingsStore) -> ServerChoice:
    """The stored choice; a value of the wrong kind reads as the default."""
    settings = _settings(store)
    url, token = settings.value(URL_KEY, ""), settings.value(TOKEN_KEY, "")
    enabled = settings.value(ENABLED_KEY, False)
    return ServerChoice(
        url=url.strip()[:TEXT_LIMIT] if isinstance(url, str) else "",
        token=token.strip()[:TEXT_LIMIT] if isinstance(token, str) else "",
        enabled=enabled is True or enabled == "true",
    )


def write_server_choice(store: SettingsStore, choice: ServerChoice) -> None:
    settings = _settings(store)
    settings.setValue(URL_KEY, choice.url)
    settings.setValue(TOKEN_KEY, choice.token)
    settings.setValue(ENABLED_KEY, choice.enabled)
    settings.sync()
