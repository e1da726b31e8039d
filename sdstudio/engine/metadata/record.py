"""Everything needed to make one saved image again, as the JSON stored in our own PNG chunk.

The A1111 infotext is lossy (no model path, no requested-vs-actual scheduler, no preview
settings, floats printed for people); this record is the exact one. Reading is lenient: keys
from newer versions are ignored, missing keys take the request's defaults, so an old or
hand-edited record still opens.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, is_dataclass
from typing import TYPE_CHECKING, Any

from sdstudio import __version__
from sdstudio.engine.generation.scheduler_names import MODEL_DEFAULT
from sdstudio.engine.metadata.infotext import format_infotext

if TYPE_CHECKING:
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.models.loading import LoadedModel

RECORD_FORMAT = 1


class RecordError(ValueError):
    """Text that is not a generation record (bad JSON, or a setting of the wrong type)."""


@dataclass(frozen=True)
class GenerationRecord:
    """One image's complete settings; ``seed`` is this image's own seed, not the batch's first."""

    prompt: str
    negative_prompt: str = ""
    steps: int = 20
    cfg_scale: float = 7.0
    seed: int = 0
    width: int = 512
    height: int = 512
    scheduler: str = MODEL_DEFAULT  # as requested: "Default" means the model's own scheduler
    sampler: str = ""  # the A1111 name of the scheduler that actually ran
    img2img: bool = False
    strength: float = 0.75
    model_name: str = ""
    model_path: str = ""
    model_hash: str | None = None  # first 10 hex digits of SHA-256; None until it is known
    device: str | None = None  # "cuda (float16)": results differ slightly between devices
    preview: dict[str, Any] | None = None
    sdstudio_version: str = __version__

    def to_json(self) -> str:
        """Compact ASCII JSON: fits a latin-1 ``tEXt`` chunk and keeps any character exactly."""
        data = {"format": RECORD_FORMAT, **asdict(self)}
        return json.dumps(data, separators=(",", ":"), default=_json_value)

    @classmethod
    def from_json(cls, text: str) -> GenerationRecord:
        """A record from JSON of any version; raises :class:`RecordError` if it is not one."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise RecordError(f"not valid JSON: {error}") from error
        if not isinstance(data, dict) or not isinstance(data.get("prompt"), str):
            raise RecordError("not a generation record (no prompt)")
        values: dict[str, Any] = {}
        for spec in fields(cls):
            if spec.name in data and data[spec.name] is not None:
                values[spec.name] = _checked(spec.name, data[spec.name])
        return cls(**values)

    @property
    def sampler_name(self) -> str:
        """What infotext calls the sampler: the one that ran, else the requested name."""
        return self.sampler or self.scheduler

    def infotext(self) -> str:
        """This record in A1111's ``parameters`` layout, for tools that read only that."""
        params: dict[str, object] = {
            "Steps": self.steps,
            "Sampler": self.sampler_name,
            "CFG scale": format_number(self.cfg_scale),
            "Seed": self.seed,
            "Size": f"{self.width}x{self.height}",
        }
        if self.model_hash:
            params["Model hash"] = self.model_hash
        if self.model_name:
            params["Model"] = self.model_name
        if self.img2img:
            params["Denoising strength"] = format_number(self.strength)
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
    return GenerationRecord(
        prompt=request.prompt,
        negative_prompt=request.negative_prompt,
        steps=request.steps,
        cfg_scale=float(request.cfg_scale),
        seed=seed,
        width=request.width,
        height=request.height,
        scheduler=request.scheduler,
        sampler=_sampler_that_ran(model, request.scheduler),
        img2img=request.is_img2img,
        strength=float(request.strength),
        model_name=model.name,
        model_path=str(model.source),
        model_hash=model_hash,
        device=model.placement.label,
        preview=_plain_dict(preview),
    )


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


def _sampler_that_ran(model: LoadedModel, scheduler: str) -> str:
    if scheduler != MODEL_DEFAULT:
        return scheduler
    from sdstudio.engine.generation.schedulers import display_name

    return display_name(model.pipeline.scheduler)


_TYPES: dict[str, tuple[type, ...]] = {
    "steps": (int,),
    "seed": (int,),
    "width": (int,),
    "height": (int,),
    "cfg_scale": (int, float),
    "strength": (int, float),
    "img2img": (bool,),
    "preview": (dict,),
}


def _checked(name: str, value: Any) -> Any:
    """``value`` if it has the type the field needs (bool is not accepted as a number)."""
    expected = _TYPES.get(name, (str,))
    if isinstance(value, bool) and bool not in expected:
        raise RecordError(f"{name} has the wrong type: {value!r}")
    if not isinstance(value, expected):
        raise RecordError(f"{name} has the wrong type: {value!r}")
    return float(value) if float in expected else value


def format_number(value: float) -> str:
    """``7`` rather than ``7.0``, full precision otherwise (``0.123456789`` stays exact)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
