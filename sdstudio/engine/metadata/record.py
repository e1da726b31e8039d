"""Everything needed to make one saved image again, as the JSON stored in our own PNG chunk.

The A1111 infotext is lossy (no model path, no requested-vs-actual scheduler, no preview
settings, floats printed for people); this record is the exact one. Reading is lenient: keys
from newer versions are ignored, missing keys take the request's defaults, so an old or
hand-edited record still opens.
"""

from __future__ import annotations

import enum
import functools
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, is_dataclass
from typing import TYPE_CHECKING, Any

from sdstudio import __version__
from sdstudio.engine.generation.scheduler_names import MODEL_DEFAULT
from sdstudio.engine.generation.settings import (
    InitImageSettings,
    InpaintSettings,
    flat_settings,
    setting_fields,
)
from sdstudio.engine.metadata.controlnet_infotext import controlnet_params
from sdstudio.engine.metadata.infotext import format_infotext
from sdstudio.engine.metadata.infotext_settings import format_number, settings_params

if TYPE_CHECKING:
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.models.loading import LoadedModel

__all__ = ["RECORD_FORMAT", "GenerationRecord", "RecordError", "format_number", "record_for"]

RECORD_FORMAT = 1
# A1111 writes the model right after the size; tools that compare infotext expect it there.
MODEL_AFTER_KEY = "Size"


class RecordError(ValueError):
    """Text that is not a generation record (bad JSON, or a setting of the wrong type)."""


# The recorded settings (prompt, steps, seed, size, scheduler as requested, strength...) as
# flat fields, so the JSON keys are the settings' own names.
_RecordedSettings = flat_settings("RecordedSettings", lambda setting: setting.recorded)


@dataclass(frozen=True)
class GenerationRecord(_RecordedSettings):
    """One image's complete settings; ``seed`` is this image's own seed, not the batch's first.

    ``scheduler`` is as requested: "Default" means the model's own scheduler.
    """

    sampler: str = ""  # the A1111 name of the scheduler that actually ran
    img2img: bool = False
    inpainted: bool = False  # a mask said where to repaint
    model_name: str = ""
    model_path: str = ""
    model_family: str = ""  # the family's stable name ("sd1", "sd2"): how it was loaded
    model_hash: str | None = None  # first 10 hex digits of SHA-256; None until it is known
    device: str | None = None  # "cuda (float16)": results differ slightly between devices
    preview: dict[str, Any] | None = None
    lora_hashes: str = ""  # A1111's "Lora hashes": "name: hash, …" of the LoRAs that ran
    ti_hashes: str = ""  # A1111's "TI hashes", for the embeddings
    controlnets: list[str] | None = None  # each ControlNet unit as A1111's infotext has it
    sdstudio_version: str = __version__

    def to_json(self) -> str:
        """Compact ASCII JSON: fits a latin-1 ``tEXt`` chunk and keeps any character exactly."""
        data = {"format": RECORD_FORMAT, **asdict(self)}
        return json.dumps(data, separators=(",", ":"), default=_json_value)

    @classmethod
    def from_json(cls, text: str) -> GenerationRecord:
        """A record from JSON of any version; raises :class:`RecordError` if it is not one."""
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except (ValueError, RecursionError) as error:
            raise RecordError(f"not valid JSON: {error}") from error
        if not isinstance(data, dict) or not isinstance(data.get("prompt"), str):
            raise RecordError("not a generation record (no prompt)")
        hints = _field_hints(cls)
        values: dict[str, Any] = {}
        for spec in fields(cls):
            if spec.name in data and data[spec.name] is not None:
                values[spec.name] = _checked(spec.name, data[spec.name], hints[spec.name])
        return cls(**values)

    @property
    def sampler_name(self) -> str:
        """What infotext calls the sampler: the one that ran, else the requested name."""
        return self.sampler or self.scheduler

    def infotext(self) -> str:
        """This record in A1111's ``parameters`` layout, for tools that read only that.

        The init image's settings (strength) mean nothing for txt2img, and the mask's without
        a mask, so are left out then (A1111 writes "Denoising strength" for an inpainting
        run at strength 1 too).
        """
        unused = set()
        if not (self.img2img or self.inpainted):
            unused |= {spec.name for spec in fields(InitImageSettings)}
        if not self.inpainted:
            unused |= {spec.name for spec in fields(InpaintSettings)}
        values = {
            each.name: getattr(self, each.name)
            for each in setting_fields()
            if each.setting.recorded and each.name not in unused
        }
        values["scheduler"] = self.sampler_name
        model: dict[str, str] = {}
        if self.model_hash:
            model["Model hash"] = self.model_hash
        if self.model_name:
            model["Model"] = self.model_name
        params = _inserted_after(settings_params(values), MODEL_AFTER_KEY, model)
        if self.lora_hashes:
            params["Lora hashes"] = self.lora_hashes
        if self.ti_hashes:
            params["TI hashes"] = self.ti_hashes
        params.update(controlnet_params(str(each) for each in self.controlnets or ()))
        params["Version"] = f"sdstudio {self.sdstudio_version}"
        return format_infotext(self.prompt, self.negative_prompt, params)


def record_for(
    request: GenerationRequest,
    model: LoadedModel,
    seed: int,
    model_hash: str | None = None,
    preview: Mapping[str, Any] | Any | None = None,
) -> GenerationRecord:
    """The record of one finished image of ``request`` (``seed`` from its ``ImageFinished``).

    ``preview`` may be a dict or a settings dataclass such as ``PreviewSettings``.
    """
    settings = {
        each.name: _as_type(getattr(request, each.name), each.value_type)
        for each in setting_fields()
        if each.setting.recorded
    }
    settings["seed"] = seed
    return GenerationRecord(
        **settings,
        sampler=_sampler_that_ran(model, request.scheduler),
        img2img=request.is_img2img,
        inpainted=request.mask is not None and request.init_image is not None,
        model_name=model.name,
        model_path=str(model.source),
        model_family=model.family.name,
        model_hash=model_hash,
        device=model.placement.label,
        preview=_plain_dict(preview),
    )


def _as_type(value: Any, kind: type | None) -> Any:
    """``7`` for a float setting is stored as ``7.0``, so the record's JSON is typed."""
    return float(value) if kind is float else value


def _inserted_after(
    params: dict[str, str], key: str, inserted: Mapping[str, str]
) -> dict[str, str]:
    result: dict[str, str] = {}
    for each, value in params.items():
        result[each] = value
        if each == key:
            result.update(inserted)
    if key not in params:
        result.update(inserted)
    return result


def _plain_dict(value: Mapping[str, Any] | Any | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return dict(value)


def _json_value(value: Any) -> Any:
    """JSON for the odd values settings may hold (enums, paths); anything else as text."""
    if isinstance(value, enum.Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return str(value)


def _no_constant(name: str) -> Any:
    """Python's JSON reader takes ``NaN`` and ``Infinity``, which no setting can use (a NaN
    CFG scale, an infinite strength); the record is refused and the infotext read instead."""
    raise ValueError(f"{name} is not a number a setting can hold")


def _sampler_that_ran(model: LoadedModel, scheduler: str) -> str:
    if scheduler != MODEL_DEFAULT:
        return scheduler
    from sdstudio.engine.generation.schedulers import display_name

    return display_name(model.pipeline.scheduler)


@functools.cache
def _field_hints(cls: type) -> dict[str, Any]:
    """A record class's resolved field types, worked out once: resolving them is most of
    the time a record takes to read (history, every image a server sends)."""
    return typing.get_type_hints(cls)


def _accepted_types(hint: Any) -> tuple[type, ...]:
    """The JSON value types a field of type ``hint`` takes: ``float`` also takes ``1``,
    ``dict[str, Any] | None`` takes a dict (None means "missing" and is handled before)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        members = [each for each in typing.get_args(hint) if each is not type(None)]
        return tuple(kind for member in members for kind in _accepted_types(member))
    origin = typing.get_origin(hint)
    if origin is not None:
        return (origin,)
    if hint is float:
        return (int, float)
    return (hint,)


def _checked(name: str, value: Any, hint: Any) -> Any:
    """``value`` if it has the type the field needs (bool is not accepted as a number)."""
    expected = _accepted_types(hint)
    if isinstance(value, bool) and bool not in expected:
        raise RecordError(f"{name} has the wrong type: {value!r}")
    if not isinstance(value, expected):
        raise RecordError(f"{name} has the wrong type: {value!r}")
    return float(value) if float in expected else value
