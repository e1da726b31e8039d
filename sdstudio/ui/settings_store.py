"""The app's settings: one typed wrapper around QSettings, stored as INI under SDSTUDIO_HOME."""

from __future__ import annotations

import json
import math
from dataclasses import Field, asdict, fields
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from sdstudio.engine.devices import DEVICE_CHOICES
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.settings import setting_of
from sdstudio.engine.models.load_options import LoadOptions
from sdstudio.engine.networks.selection import NetworkFolders
from sdstudio.engine.paths import home_dir
from sdstudio.ui.controls_state import ControlValues, field_types

SETTINGS_FILE = "settings.ini"
MAX_RECENT_MODELS = 8
MEMORY_OPTIONS = ("attention_slicing", "vae_tiling", "cpu_offload")
TAESD_VARIANTS = ("taesd", "taesdxl")  # the model families' ``taesd_variant`` values
THEME_CHOICES = ("system", "light", "dark")


class SettingsStore:
    """Typed access to ``SDSTUDIO_HOME/settings.ini``; a missing or odd value gives the default.

    INI files keep only text, so every value is read back with its type.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or home_dir() / SETTINGS_FILE
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        """Write pending changes to disk now (QSettings also does so on its own)."""
        self._settings.sync()

    # -- models --------------------------------------------------------------------------

    @property
    def last_model(self) -> str | None:
        value = self._settings.value("model/last", "", type=str)
        return value or None

    @last_model.setter
    def last_model(self, spec: str) -> None:
        self._settings.setValue("model/last", spec)

    @property
    def recent_models(self) -> list[str]:
        """Models loaded before, newest first (the demo is always offered, so never listed)."""
        count = self._settings.beginReadArray("recentModels")
        specs = []
        for index in range(count):
            self._settings.setArrayIndex(index)
            spec = self._settings.value("spec", "", type=str)
            if spec and spec not in specs:
                specs.append(spec)
        self._settings.endArray()
        return specs

    def remember_model(self, spec: str, is_demo: bool = False) -> None:
        """``spec`` was loaded: it becomes the last model and heads the recent list."""
        self.last_model = spec
        if is_demo:
            return
        specs = [spec, *(s for s in self.recent_models if s != spec)][:MAX_RECENT_MODELS]
        self._settings.remove("recentModels")
        self._settings.beginWriteArray("recentModels", len(specs))
        for index, each in enumerate(specs):
            self._settings.setArrayIndex(index)
            self._settings.setValue("spec", each)
        self._settings.endArray()

    def model_vae(self, spec: str) -> str:
        """The VAE chosen for the model ``spec`` (a folder or file), or "" for its own."""
        return self._model_vaes().get(spec, "")

    def set_model_vae(self, spec: str, vae: str) -> None:
        """Each model keeps its own VAE choice: an SDXL VAE cannot decode an SD 1.5 model."""
        vaes = self._model_vaes()
        if vae:
            vaes[spec] = vae
        else:
            vaes.pop(spec, None)
        self._settings.setValue("model/vaes", json.dumps(vaes))

    def _model_vaes(self) -> dict[str, str]:
        try:
            vaes = json.loads(self._settings.value("model/vaes", "{}", type=str) or "{}")
        except ValueError:
            return {}
        if not isinstance(vaes, dict):
            return {}
        return {k: v for k, v in vaes.items() if isinstance(k, str) and isinstance(v, str)}

    def load_options(self) -> LoadOptions:
        """The memory savers the user chose (downloads are never allowed by a setting)."""
        defaults = asdict(LoadOptions())
        chosen = {
            name: _typed(self._settings.value(f"model/{name}"), defaults[name], bool)
            for name in MEMORY_OPTIONS
        }
        return LoadOptions(**chosen)

    def set_load_option(self, name: str, enabled: bool) -> None:
        if name not in MEMORY_OPTIONS:
            raise ValueError(f"unknown model option {name!r}")
        self._settings.setValue(f"model/{name}", enabled)

    # -- folders, previews, device and theme (the Preferences dialog) --------------------

    @property
    def output_dir(self) -> Path | None:
        """Where images are saved; None: ``outputs/<date>`` in SDSTUDIO_HOME."""
        return self._path("paths/output_dir")

    @output_dir.setter
    def output_dir(self, folder: Path | None) -> None:
        self._set_path("paths/output_dir", folder)

    @property
    def lora_dir(self) -> Path | None:
        """A LoRA folder searched before ``SDSTUDIO_HOME/models/loras``."""
        return self._path("paths/lora_dir")

    @lora_dir.setter
    def lora_dir(self, folder: Path | None) -> None:
        self._set_path("paths/lora_dir", folder)

    @property
    def embeddings_dir(self) -> Path | None:
        """An embeddings folder searched before ``SDSTUDIO_HOME/models/embeddings``."""
        return self._path("paths/embeddings_dir")

    @embeddings_dir.setter
    def embeddings_dir(self, folder: Path | None) -> None:
        self._set_path("paths/embeddings_dir", folder)

    def network_folders(self) -> NetworkFolders:
        """The chosen LoRA and embeddings folders, as a job searches them."""
        loras, embeddings = self.lora_dir, self.embeddings_dir
        return NetworkFolders(
            loras=(loras,) if loras else (), embeddings=(embeddings,) if embeddings else ()
        )

    def taesd_path(self, variant: str) -> str:
        """The TAESD weights (folder or file) chosen for ``variant``, or "" for the default."""
        return self._settings.value(_taesd_key(variant), "", type=str) or ""

    def set_taesd_path(self, variant: str, path: str) -> None:
        self._settings.setValue(_taesd_key(variant), path)

    @property
    def allow_taesd_download(self) -> bool:
        """Whether missing TAESD weights may be fetched from the hub."""
        return _typed(self._settings.value("previews/allow_download"), False, bool)

    @allow_taesd_download.setter
    def allow_taesd_download(self, allowed: bool) -> None:
        self._settings.setValue("previews/allow_download", allowed)

    def set_preview_kind(self, kind: str) -> None:
        """Store the panel's preview choice now (a choice that failed must not come back)."""
        self._settings.setValue("controls/preview", kind)

    @property
    def device(self) -> str:
        """Where models run: one of ``DEVICE_CHOICES`` ("auto" when unset or unknown)."""
        value = self._settings.value("model/device", "auto", type=str)
        return value if value in DEVICE_CHOICES else "auto"

    @device.setter
    def device(self, name: str) -> None:
        if name not in DEVICE_CHOICES:
            raise ValueError(f"unknown device {name!r}")
        self._settings.setValue("model/device", name)

    @property
    def theme(self) -> str:
        """One of ``THEME_CHOICES``; "system" follows the operating system."""
        value = self._settings.value("window/theme", "system", type=str)
        return value if value in THEME_CHOICES else "system"

    @theme.setter
    def theme(self, name: str) -> None:
        if name not in THEME_CHOICES:
            raise ValueError(f"unknown theme {name!r}")
        self._settings.setValue("window/theme", name)

    def _path(self, key: str) -> Path | None:
        value = self._settings.value(key, "", type=str)
        return Path(value).expanduser() if value else None

    def _set_path(self, key: str, folder: Path | None) -> None:
        self._settings.setValue(key, str(folder) if folder else "")

    # -- controls and window -------------------------------------------------------------

    def control_values(self) -> ControlValues | None:
        """The settings panel as it was left, or None the first time.

        Each value is read back with its type and must be one the panel offers (a hand-edited
        or damaged file gives the default instead).
        """
        if "controls" not in self._settings.childGroups():
            return None
        types = field_types()
        defaults = ControlValues()
        self._settings.beginGroup("controls")
        try:
            values = {}
            for spec in fields(ControlValues):
                default = getattr(defaults, spec.name)
                value = _typed(self._settings.value(spec.name), default, types[spec.name])
                values[spec.name] = value if _allowed(spec, value) else default
        finally:
            self._settings.endGroup()
        return ControlValues(**values)

    def set_control_values(self, values: ControlValues) -> None:
        self._settings.beginGroup("controls")
        for name, value in asdict(values).items():
            self._settings.setValue(name, value)
        self._settings.endGroup()

    @property
    def window_geometry(self) -> QByteArray:
        return self._byte_array("window/geometry")

    @window_geometry.setter
    def window_geometry(self, data: QByteArray) -> None:
        self._settings.setValue("window/geometry", data)

    @property
    def window_state(self) -> QByteArray:
        """Docks and toolbars, as ``QMainWindow.saveState()`` gives them."""
        return self._byte_array("window/state")

    @window_state.setter
    def window_state(self, data: QByteArray) -> None:
        self._settings.setValue("window/state", data)

    def _byte_array(self, key: str) -> QByteArray:
        value = self._settings.value(key, QByteArray())
        return value if isinstance(value, QByteArray) else QByteArray()


def _taesd_key(variant: str) -> str:
    if variant not in TAESD_VARIANTS:
        raise ValueError(f"unknown TAESD variant {variant!r}")
    return f"previews/{variant}_path"


def _allowed(spec: Field, value: Any) -> bool:
    """A setting's value within the range the panel offers, and valid in a request."""
    setting = setting_of(spec)
    if setting is None:
        return True
    if isinstance(value, (int, float)) and not _within(value, *setting.control_range):
        return False
    try:
        GenerationRequest(**{spec.name: value})
    except RequestError:
        return False
    return True


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _typed(raw: object, default: Any, kind: type) -> Any:
    """``raw`` (text from the file, or the value set in this session) as ``kind``; the
    default when it is missing or does not read as one (a hand-edited file, say)."""
    if raw is None:
        return default
    if kind is bool:
        text = str(raw).strip().lower()
        return {"true": True, "false": False}.get(text, default)
    if kind is str:
        return raw if isinstance(raw, str) else default
    try:
        value = kind(raw)
    except (TypeError, ValueError, OverflowError):
        return default
    return value if kind is not float or math.isfinite(value) else default
