"""The generation settings, described once; every front end and file format walks this schema.

Each setting is a field of a small frozen section dataclass, and its ``Setting`` metadata says
what the request checks, what settings.ini keeps, what the saved record and A1111 infotext
hold, and how the command line and the settings panel offer it.

To add a setting: add a field with :func:`setting` to a section below (and a widget binding in
the settings panel). To add a section: write a frozen dataclass of such fields, add it to
:data:`SECTIONS` and to ``GenerationRequest``'s bases.

No ``from __future__ import annotations`` here: field types stay real types (``int``,
``float``, ``str``), which readers of text (settings.ini, JSON, infotext, argv) convert to.
"""

import dataclasses
import math
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from sdstudio.engine.generation.scheduler_names import MODEL_DEFAULT

if TYPE_CHECKING:
    from PIL import Image

SETTING_KEY = "sdstudio.setting"
MAX_SEED = 2**32 - 1
MAX_SIDE = 4096
MAX_PROMPT_LENGTH = 65_536  # characters; far beyond what a text encoder reads, not a file's size


@dataclass(frozen=True)
class Setting:
    """How one generation setting is checked, shown, stored and recorded.

    ``minimum``/``maximum`` bound every request (the command line accepts the whole range);
    ``control_minimum``/``control_maximum`` are the narrower range the settings panel offers
    where the full one would make its widgets awkward (150 steps, 2048 px).
    """

    label: str
    minimum: float | None = None
    maximum: float | None = None
    control_minimum: float | None = None
    control_maximum: float | None = None
    max_length: int | None = None
    # A1111 key; settings of one section sharing a key are written as "AxB"; a key used in
    # several sections is one of them, for settings never used together (see infotext_settings)
    infotext: str | None = None
    cli: str | None = None  # command-line flag; None: --name-with-dashes
    help: str | None = None
    persisted: bool = True  # kept in settings.ini between sessions
    recorded: bool = True  # stored in the saved image's record
    # Infotext only when this other setting is set (not empty), or has a value: "name=value";
    # several such conditions must all hold.
    needs: str | tuple[str, ...] | None = None
    # Infotext leaves it out at its default, so an infotext without it means the default
    # (A1111's extensions write their settings only when they are used).
    omitted_at_default: bool = False
    # A text setting that takes one of these values (the command line's spelling); each may
    # be written differently in infotext (A1111's words: "masked" is "Only masked").
    choices: tuple[str, ...] | None = None
    infotext_names: tuple[tuple[str, str], ...] = ()  # (value, infotext text) pairs

    @property
    def conditions(self) -> tuple[str, ...]:
        """``needs`` as a tuple of ``name`` / ``name=value`` conditions."""
        if self.needs is None:
            return ()
        return (self.needs,) if isinstance(self.needs, str) else self.needs

    def infotext_name(self, value: str) -> str:
        """How infotext writes ``value``."""
        return dict(self.infotext_names).get(value, value)

    def value_from_infotext(self, text: str) -> str:
        """The value infotext ``text`` stands for (either spelling, any case); raises
        ValueError for a value that is not a choice."""
        if self.choices is None:
            return text
        lowered = text.strip().lower()
        for value in self.choices:
            if lowered in (value.lower(), self.infotext_name(value).lower()):
                return value
        raise ValueError(text)

    @property
    def control_range(self) -> tuple[float | None, float | None]:
        """(lowest, highest) value the settings panel offers; None where unbounded."""
        low = self.control_minimum if self.control_minimum is not None else self.minimum
        high = self.control_maximum if self.control_maximum is not None else self.maximum
        return low, high

    @property
    def label_in_sentence(self) -> str:
        """The label inside a sentence: "steps", but "CFG scale" keeps its capitals."""
        if len(self.label) > 1 and self.label[1].isupper():
            return self.label
        return self.label[:1].lower() + self.label[1:]

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not allowed in a request, in words; None when it is."""
        noun = self.label_in_sentence
        if isinstance(value, str):
            if self.choices is not None and value not in self.choices:
                return f"{noun} must be one of {', '.join(self.choices)}, got {value!r}"
            if self.max_length is not None and len(value) > self.max_length:
                return f"{noun} must be at most {self.max_length} characters, got {len(value)}"
            return None
        if not isinstance(value, (int, float)):
            return None
        if not math.isfinite(value):  # NaN passes every comparison; inf has no picture
            return f"{noun} must be a finite number, got {value}"
        low, high = self.minimum, self.maximum
        if low is not None and high is not None and not low <= value <= high:
            return f"{noun} must be between {number_text(low)} and {number_text(high)}, got {value}"
        if low is not None and value < low:
            if low == 0:
                return f"{noun} must not be negative, got {value}"
            return f"{noun} must be at least {number_text(low)}, got {value}"
        if high is not None and value > high:
            return f"{noun} must be at most {number_text(high)}, got {value}"
        return None


def setting(
    default: Any,
    *,
    label: str,
    minimum: float | None = None,
    maximum: float | None = None,
    control_minimum: float | None = None,
    control_maximum: float | None = None,
    max_length: int | None = None,
    infotext: str | None = None,
    cli: str | None = None,
    help: str | None = None,
    persisted: bool = True,
    recorded: bool = True,
    needs: str | tuple[str, ...] | None = None,
    omitted_at_default: bool = False,
    compare: bool = True,
    choices: tuple[str, ...] | None = None,
    infotext_names: tuple[tuple[str, str], ...] = (),
) -> Any:
    """A dataclass field that carries its :class:`Setting` (``compare=False`` for images)."""
    description = Setting(
        label=label,
        minimum=minimum,
        maximum=maximum,
        control_minimum=control_minimum,
        control_maximum=control_maximum,
        max_length=max_length,
        infotext=infotext,
        cli=cli,
        help=help,
        persisted=persisted,
        recorded=recorded,
        needs=needs,
        omitted_at_default=omitted_at_default,
        choices=choices,
        infotext_names=infotext_names,
    )
    return dataclasses.field(
        default=default, compare=compare, repr=compare, metadata={SETTING_KEY: description}
    )


def number_text(value: float) -> str:
    """``7`` rather than ``7.0``, full precision otherwise, for messages and ranges."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True)
class PromptSettings:
    prompt: str = setting("", label="Prompt", max_length=MAX_PROMPT_LENGTH, help="what to draw")
    negative_prompt: str = setting(
        "",
        label="Negative prompt",
        max_length=MAX_PROMPT_LENGTH,
        cli="--negative",
        help="what to steer away from",
    )
    pad_prompt_lengths: bool = setting(
        False,
        label="Pad prompt and negative to the same length",
        infotext="Pad conds",  # A1111 writes "Pad conds: True" when its option is on
        omitted_at_default=True,
        help="when the prompt and the negative prompt span different numbers of 75-token "
        "chunks, extend the shorter with empty chunks so both share one UNet batch (faster; "
        "A1111's option of that name); off: the UNet runs on them separately, as A1111 does",
    )


@dataclass(frozen=True)
class SamplingSettings:
    """Field order is A1111's infotext order: Steps, Sampler, CFG scale, Seed."""

    steps: int = setting(20, label="Steps", minimum=1, control_maximum=150, infotext="Steps")
    scheduler: str = setting(
        MODEL_DEFAULT, label="Scheduler", infotext="Sampler", help="e.g. 'Euler a', 'DPM++ 2M'"
    )
    cfg_scale: float = setting(
        7.0,
        label="CFG scale",
        minimum=0.0,
        control_maximum=30.0,
        infotext="CFG scale",
        cli="--cfg",
        help="classifier-free guidance scale",
    )
    seed: int = setting(0, label="Seed", minimum=0, maximum=MAX_SEED, infotext="Seed")
    guidance_rescale: float = setting(
        0.0,
        label="CFG rescale",
        minimum=0.0,
        maximum=1.0,
        infotext="CFG Rescale φ",  # the key A1111's CFG-rescale extension writes
        omitted_at_default=True,
        help="pull the guided prediction's spread back toward the prompt's (Lin et al. 2023): "
        "less washed-out pictures at high CFG and with v-prediction models; 0: off, 0.7 typical",
    )
    clip_skip: int = setting(
        1,
        label="Clip skip",
        minimum=1,
        maximum=12,
        infotext="Clip skip",
        omitted_at_default=True,  # A1111 writes it only when it is 2 or more
        help="read the prompt from an earlier text-encoder layer (A1111's count: 1 = the "
        "family's usual layer, 2 = one earlier, as anime models expect); as in diffusers, the "
        "negative prompt keeps the usual layer",
    )
    batch_count: int = setting(
        1,
        label="Batch count",
        minimum=1,
        control_maximum=16,
        recorded=False,  # a record describes one image, with that image's own seed
        help="batches, one after another; their images take seeds seed, seed+1…",
    )
    batch_size: int = setting(
        1,
        label="Batch size",
        minimum=1,
        control_maximum=8,
        recorded=False,  # how the images were batched does not change any one of them
        help="images denoised together in one UNet batch, each with its own seed (faster on "
        "a GPU, more memory); batch count × batch size images in all",
    )


@dataclass(frozen=True)
class SizeSettings:
    """Both sides are written together as infotext's "Size: WxH"."""

    width: int = setting(
        512,
        label="Width",
        minimum=8,
        maximum=MAX_SIDE,
        control_minimum=64,
        control_maximum=2048,
        infotext="Size",
    )
    height: int = setting(
        512,
        label="Height",
        minimum=8,
        maximum=MAX_SIDE,
        control_minimum=64,
        control_maximum=2048,
        infotext="Size",
    )


@dataclass(frozen=True)
class InitImageSettings:
    """img2img: an image to start from, and how much of it to change."""

    init_image: "Image.Image | None" = setting(
        None,
        label="Init image",
        cli="--init",
        help="init image (img2img)",
        persisted=False,  # pixels do not belong in settings.ini or in a text record
        recorded=False,
        compare=False,
    )
    strength: float = setting(
        0.75,
        label="Denoising strength",
        minimum=0.0,
        maximum=1.0,
        infotext="Denoising strength",
        help="img2img denoising 0..1",
    )


MASKED_CONTENT = ("original", "fill", "noise", "nothing")
INPAINT_AREAS = ("whole", "masked")


@dataclass(frozen=True)
class InpaintSettings:
    """Inpainting: a mask over the init image says where to repaint (white) and what to keep
    (black). A1111's options and infotext keys."""

    mask: "Image.Image | None" = setting(
        None,
        label="Mask",
        cli="--mask",
        help="a mask image the init image's size (white: repaint, black: keep); any other "
        "size is scaled to fit",
        persisted=False,
        recorded=False,
        compare=False,
    )
    mask_blur: int = setting(
        4,
        label="Mask blur",
        minimum=0,
        maximum=256,
        control_maximum=64,
        infotext="Mask blur",
        help="soften the mask's edge by this many pixels (a Gaussian blur), so the repainted "
        "part blends in",
    )
    masked_content: str = setting(
        "original",
        label="Masked content",
        infotext="Masked content",
        omitted_at_default=True,
        choices=MASKED_CONTENT,
        infotext_names=(("noise", "latent noise"), ("nothing", "latent nothing")),
        help="what the masked part starts from, for ordinary (not inpainting) models: the "
        "original picture, its surrounding colours (fill), latent noise or latent nothing",
    )
    inpaint_area: str = setting(
        "whole",
        label="Inpaint area",
        infotext="Inpaint area",
        omitted_at_default=True,
        choices=INPAINT_AREAS,
        infotext_names=(("whole", "Whole picture"), ("masked", "Only masked")),
        help="whole: denoise the whole picture at the requested size; masked: only a crop "
        "around the mask (plus the padding), generated at the requested size and pasted back",
    )
    mask_padding: int = setting(
        32,
        label="Masked area padding",
        minimum=0,
        maximum=MAX_SIDE,
        control_maximum=256,
        infotext="Masked area padding",
        needs="inpaint_area=masked",
        help="pixels around the mask included in the crop when the inpaint area is 'masked'",
    )


@dataclass(frozen=True)
class RefinerSettings:
    """SDXL's refiner: a second model that finishes the last steps (A1111's "Refiner")."""

    refiner: str = setting(
        "",
        label="Refiner",
        max_length=4096,
        infotext="Refiner",
        help="a model (folder or hub id) that finishes the last steps; empty: none",
    )
    refiner_switch: float = setting(
        0.8,
        label="Refiner switch at",
        minimum=0.01,
        maximum=0.99,
        infotext="Refiner switch at",
        needs="refiner",
        help="the fraction of the steps the main model runs before the refiner takes over",
    )


HIRES_NEEDS = "hires_upscaler"  # the hires fix runs when an upscaler is named


@dataclass(frozen=True)
class HiresSettings:
    """A1111's "Hires. fix" for txt2img: the picture made at the requested size is upscaled
    (by ``hires_scale``, or to ``hires_resize_x`` × ``hires_resize_y``) and denoised again at
    the large size as img2img (:mod:`sdstudio.engine.generation.hires`). Off while no
    upscaler is named. A1111's infotext keys; its "Denoising strength" is the hires pass's in
    txt2img, so ``hires_denoise`` shares that key with img2img's ``strength``.
    """

    hires_upscaler: str = setting(
        "",
        label="Hires upscaler",
        max_length=256,
        infotext="Hires upscaler",
        omitted_at_default=True,
        help="turn the hires fix on with this upscaler: Latent, Latent (antialiased), Latent "
        "(bicubic), Latent (bicubic antialiased), Latent (nearest), Latent (nearest-exact), "
        "Lanczos, Nearest, or an upscaler model's name; empty: off",
    )
    hires_scale: float = setting(
        2.0,
        label="Hires upscale by",
        minimum=1.0,
        maximum=8.0,
        control_maximum=4.0,
        infotext="Hires upscale",
        needs=(HIRES_NEEDS, "hires_resize_x=0", "hires_resize_y=0"),
        help="the hires pass's size as a factor of the requested size (unless a resize is given)",
    )
    hires_resize_x: int = setting(
        0,
        label="Hires resize width",
        minimum=0,
        maximum=MAX_SIDE,
        control_maximum=2048,
        infotext="Hires resize",
        omitted_at_default=True,
        needs=HIRES_NEEDS,
        help="the hires pass's width in pixels instead of the factor; 0: from the height "
        "and the aspect ratio (both 0: use the factor)",
    )
    hires_resize_y: int = setting(
        0,
        label="Hires resize height",
        minimum=0,
        maximum=MAX_SIDE,
        control_maximum=2048,
        infotext="Hires resize",
        omitted_at_default=True,
        needs=HIRES_NEEDS,
        help="the hires pass's height in pixels instead of the factor; 0: from the width and "
        "the aspect ratio. With both sides given, the upscaled picture covers them and is "
        "cropped to them",
    )
    hires_steps: int = setting(
        0,
        label="Hires steps",
        minimum=0,
        control_maximum=150,
        infotext="Hires steps",
        omitted_at_default=True,  # A1111 writes it only when it is not 0
        needs=HIRES_NEEDS,
        help="steps the hires pass runs; 0: as many as the first pass",
    )
    hires_denoise: float = setting(
        0.7,
        label="Hires denoising strength",
        minimum=0.0,
        maximum=1.0,
        infotext="Denoising strength",
        needs=HIRES_NEEDS,
        help="how much the hires pass changes the upscaled picture, 0..1",
    )
    hires_sampler: str = setting(
        "",
        label="Hires sampler",
        max_length=64,
        infotext="Hires sampler",
        omitted_at_default=True,
        needs=HIRES_NEEDS,
        help="the hires pass's scheduler (e.g. 'DPM++ 2M'); empty: the first pass's",
    )
    hires_prompt: str = setting(
        "",
        label="Hires prompt",
        max_length=MAX_PROMPT_LENGTH,
        infotext="Hires prompt",
        omitted_at_default=True,
        needs=HIRES_NEEDS,
        help="the hires pass's prompt; empty: the prompt",
    )
    hires_negative_prompt: str = setting(
        "",
        label="Hires negative prompt",
        max_length=MAX_PROMPT_LENGTH,
        infotext="Hires negative prompt",
        omitted_at_default=True,
        needs=HIRES_NEEDS,
        help="the hires pass's negative prompt; empty: the negative prompt",
    )


# In the order they are shown, written and offered on the command line.
SECTIONS: tuple[type, ...] = (
    PromptSettings,
    SamplingSettings,
    SizeSettings,
    InitImageSettings,
    InpaintSettings,
    RefinerSettings,
    HiresSettings,
)


class SettingField(NamedTuple):
    """One setting as every consumer sees it: its section, dataclass field and description."""

    section: type
    field: dataclasses.Field
    setting: Setting

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def default(self) -> Any:
        if self.field.default_factory is not dataclasses.MISSING:
            return self.field.default_factory()
        return self.field.default

    @property
    def annotation(self) -> Any:
        """The field's type, also for sections written with postponed annotations; None when
        it names something that is only imported for type checkers (an image)."""
        if not isinstance(self.field.type, str):
            return self.field.type
        module = sys.modules.get(self.section.__module__)
        try:
            return eval(self.field.type, vars(module) if module else {})  # as typing does
        except (NameError, AttributeError, TypeError, SyntaxError):
            return None

    @property
    def value_type(self) -> type | None:
        """``int``, ``float``, ``str``...; None for values that are not plain (an image)."""
        annotation = self.annotation
        return annotation if isinstance(annotation, type) else None


def setting_fields(sections: Iterable[type] = SECTIONS) -> Iterator[SettingField]:
    """Every setting of ``sections``, in order."""
    for section in sections:
        for spec in dataclasses.fields(section):
            description = spec.metadata.get(SETTING_KEY)
            if description is not None:
                yield SettingField(section, spec, description)


def setting_of(spec: dataclasses.Field) -> Setting | None:
    """The description a field carries, also in dataclasses built by :func:`flat_settings`."""
    return spec.metadata.get(SETTING_KEY)


def flat_settings(
    name: str, keep: Callable[[Setting], bool], sections: Iterable[type] = SECTIONS
) -> type:
    """A frozen dataclass of the kept settings as plain fields (same names, types, defaults
    and metadata): the base of values that hold a part of the schema, such as the saved
    record (``keep=lambda s: s.recorded``) or the settings panel's stored state."""
    kept = [
        (each.name, each.annotation or each.field.type, _copied(each.field))
        for each in setting_fields(sections)
        if keep(each.setting)
    ]
    return dataclasses.make_dataclass(name, kept, frozen=True)


def _copied(spec: dataclasses.Field) -> Any:
    return dataclasses.field(
        default=spec.default,
        default_factory=spec.default_factory,
        compare=spec.compare,
        repr=spec.repr,
        metadata=spec.metadata,
    )
