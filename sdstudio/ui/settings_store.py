"""The app's settings: one typed wrapper around QSettings, stored as INI under SDSTUDIO_HOME."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import Field, asdict, fields
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from sdstudio.engine.controlnet_preprocessors.annotator_weights import (
    ANNOTATOR_KINDS,
    AnnotatorWeights,
)
from sdstudio.engine.devices import DEVICE_CHOICES
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.settings import setting_of
from sdstudio.engine.models.load_options import LoadOptions
from sdstudio.engine.networks.selection import NetworkFolders
from sdstudio.engine.paths import home_dir
from sdstudio.ui.controls_state import ControlValues, field_types
from sdstudio.ui.settings_values import (
    MAX_TEXT_LENGTH,
    SETTINGS_FILE,
    SettingsReader,
    shortened,
)

MAX_RECENT_MODELS = 8
MAX_MODEL_VAES_LENGTH = 256 * 1024  # characters of the per-model VAE choices (JSON)
MAX_CONTROLNET_LENGTH = 64 * 1024  # characters of the ControlNet panel's units (JSON)
MEMORY_OPTIONS = ("attention_slicing", "vae_tiling", "cpu_offload")
TAESD_VARIANTS = ("taesd", "taesdxl")  # the model families' ``taesd_variant`` values
THEME_CHOICES = ("system", "light", "dark")
# Free text keeps what fits when it is too long; a path or a name cut short would mean
# something else, so those fall back to their default instead.
CUT_WHEN_TOO_LONG = ("prompt", "negative_prompt")
PANEL_LABELS = {"random_seed": "Random seed", "preview": "Preview"}  # not in the schema


class SettingsStore:
    """Typed access to ``SDSTUDIO_HOME/settings.ini``; a missing or odd value gives the default.

    INI files keep only text, so every value is read back with its type, through one
    checked reader (``settings_values``): a value outside what the window offers gives its
    default (a prompt too long is cut), and :meth:`report_problems` says so.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or home_dir() / SETTINGS_FILE
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)
        self._read = SettingsReader(self._settings)

    def report_problems(self, tell: Callable[[str], object]) -> None:
        """Say through ``tell``, in one message, which stored values could not be used as
        they were; values read later that cannot be used are told as they are found."""
        self._read.report_to(tell)

    def drop_unrestorable(self, key: str, what: str) -> None:
        """A saved geometry or layout (``key``) Qt could not restore, damaged or from an
        older version, is dropped so it is not tried at every start, and said once."""
        self._settings.setValue(key, QByteArray())
        message = f"The saved {what} could not be restored; the window uses its default."
        self._read.note(key, message)

    def sync(self) -> None:
        """Write pending changes to disk now (QSettings also does so on its own)."""
        self._settings.sync()

    # -- models --------------------------------------------------------------------------

    @property
    def last_model(self) -> str | None:
        return self._read.text("model/last", label="The last model") or None

    @last_model.setter
    def last_model(self, spec: str) -> None:
        self._settings.setValue("model/last", spec)

    @property
    def recent_models(self) -> list[str]:
        """Models loaded before, newest first (the demo is always offered, so never listed).

        At most :data:`MAX_RECENT_MODELS`, whatever size the file claims.
        """
        return self._read.texts("recentModels", "spec", MAX_RECENT_MODELS, "recent models")

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
        text = self._read.text("model/vaes", "{}", MAX_MODEL_VAES_LENGTH, "The models' VAEs")
        try:
            vaes = json.loads(text or "{}")
        except (ValueError, RecursionError):  # nested too deep
            vaes = None
        if not isinstance(vaes, dict):
            self._read.note("model/vaes", f"The models' VAEs in {SETTINGS_FILE} are damaged.")
            return {}
        return {
            k: v
            for k, v in vaes.items()
            if isinstance(k, str) and isinstance(v, str) and len(k) + len(v) <= MAX_TEXT_LENGTH
        }

    def load_options(self) -> LoadOptions:
        """The memory savers the user chose (downloads are never allowed by a setting)."""
        defaults = asdict(LoadOptions())
        chosen = {name: self._read.flag(f"model/{name}", defaults[name]) for name in MEMORY_OPTIONS}
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
        return self._read.text(_taesd_key(variant))

    def set_taesd_path(self, variant: str, path: str) -> None:
        self._settings.setValue(_taesd_key(variant), path)

    @property
    def allow_taesd_download(self) -> bool:
        """Whether missing TAESD weights may be fetched from the hub."""
        return self._read.flag("previews/allow_download", False)

    @allow_taesd_download.setter
    def allow_taesd_download(self, allowed: bool) -> None:
        self._settings.setValue("previews/allow_download", allowed)

    def annotator_dir(self, kind: str) -> Path | None:
        """The folder chosen for the ControlNet preprocessors' ``kind`` model ("depth",
        "pose"); None: ``SDSTUDIO_HOME/models/annotators/<kind>``."""
        value = self._read.text(_annotator_key(kind), label=f"The {kind} model folder")
        return Path(value).expanduser() if value else None

    def set_annotator_dir(self, kind: str, folder: Path | None) -> None:
        self._set_path(_annotator_key(kind), folder)

    def annotator_weights(self) -> AnnotatorWeights:
        """The depth and pose folders as the preprocessors take them."""
        return AnnotatorWeights(depth=self.annotator_dir("depth"), pose=self.annotator_dir("pose"))

    def set_preview_kind(self, kind: str) -> None:
        """Store the panel's preview choice now (a choice that failed must not come back)."""
        self._settings.setValue("controls/preview", kind)

    @property
    def device(self) -> str:
        """Where models run: one of ``DEVICE_CHOICES`` ("auto" when unset or unknown)."""
        return self._read.choice("model/device", "auto", DEVICE_CHOICES, "The device")

    @device.setter
    def device(self, name: str) -> None:
        if name not in DEVICE_CHOICES:
            raise ValueError(f"unknown device {name!r}")
        self._settings.setValue("model/device", name)

    @property
    def theme(self) -> str:
        """One of ``THEME_CHOICES``; "system" follows the operating system."""
        return self._read.choice("window/theme", "system", THEME_CHOICES, "The theme")

    @theme.setter
    def theme(self, name: str) -> None:
        if name not in THEME_CHOICES:
            raise ValueError(f"unknown theme {name!r}")
        self._settings.setValue("window/theme", name)

    def _path(self, key: str) -> Path | None:
        value = self._read.text(key)
        return Path(value).expanduser() if value else None

    def _set_path(self, key: str, folder: Path | None) -> None:
        self._settings.setValue(key, str(folder) if folder else "")

    # -- controls and window -------------------------------------------------------------

    def controlnet_units(self) -> list[Any]:
        """The ControlNet panel's units as they were left (JSON values the panel checks
        itself); empty the first time, and when damaged (said once)."""
        key = "controlnet/units"
        text = self._read.text(key, "[]", MAX_CONTROLNET_LENGTH, "The ControlNet units")
        try:
            units = json.loads(text or "[]")
        except (ValueError, RecursionError):
            units = None
        if not isinstance(units, list):
            self._read.note(key, f"The ControlNet units in {SETTINGS_FILE} are damaged.")
            return []
        return units

    def set_controlnet_units(self, units: list[dict[str, Any]]) -> None:
        self._settings.setValue("controlnet/units", json.dumps(units))

    def control_values(self) -> ControlValues | None:
        """The settings panel as it was left, or None the first time.

        Each value is read back with its type and must be one the panel offers (a hand-edited
        or damaged file gives the default instead); a prompt too long keeps what fits.
        """
        if not self._read.has_group("controls"):
            return None
        types = field_types()
        defaults = ControlValues()
        values = {
            spec.name: self._control_value(spec, types[spec.name], getattr(defaults, spec.name))
            for spec in fields(ControlValues)
        }
        return ControlValues(**values)

    def _control_value(self, spec: Field, kind: type, default: Any) -> Any:
        key = f"controls/{spec.name}"
        setting = setting_of(spec)
        label = setting.label if setting is not None else PANEL_LABELS[spec.name]
        if kind is bool:
            return self._read.flag(key, default, label)
        if kind is str:
            longest = setting.max_length if setting and setting.max_length else MAX_TEXT_LENGTH
            value = self._read.text(key, default, longest, label, spec.name in CUT_WHEN_TOO_LONG)
        else:
            low, high = setting.control_range if setting is not None else (None, None)
            value = self._read.number(key, default, kind, low, high, label)
        problem = _request_problem(spec, value)
        if problem is None:
            return value
        self._read.note(key, f"{shortened(problem, 160)} in {SETTINGS_FILE}; using the default.")
        return default

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
        return self._read.byte_array(key)


def _taesd_key(variant: str) -> str:
    if variant not in TAESD_VARIANTS:
        raise ValueError(f"unknown TAESD variant {variant!r}")
    return f"previews/{variant}_path"


def _annotator_key(kind: str) -> str:
    if kind not in ANNOTATOR_KINDS:
        raise ValueError(f"unknown annotator kind {kind!r}")
    return f"controlnet/{kind}_weights"


def _request_problem(spec: Field, value: Any) -> str | None:
    """Why a request would refuse ``value`` for the setting ``spec``, in words; None if not."""
    if setting_of(spec) is None:
        return None
    try:
        GenerationRequest(**{spec.name: value})
    except RequestError as error:
        return str(error)
    return None
