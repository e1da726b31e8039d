"""AUTOMATIC1111's ``/sdapi/v1/txt2img`` and ``img2img`` on the server: their JSON to our job,
our images back as A1111's answer.

Kept free of Ray and torch, so the mapping is checked without a server. An A1111 request
becomes the wire job of ``POST /jobs`` (:mod:`sdstudio.engine.remote.wire_job`), which then
gets every check a job gets (A1111's "SD upscale" script too, :mod:`.a1111_sd_upscale`);
what A1111 defines and this server does not do is ignored, and said in the answer's ``info``
(``notes``) when it would have changed the picture. The field names and their meanings are
A1111's (``modules/api/models.py``); docs/SCALING.md lists them.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import secrets
import time
import warnings
from collections.abc import Sequence
from typing import Any

from PIL import Image

from sdstudio import __version__
from sdstudio.engine.generation.scheduler_names import (
    MODEL_DEFAULT,
    canonical_scheduler_name,
    scheduler_choices,
)
from sdstudio.engine.generation.settings import MAX_SEED, MAX_SIDE
from sdstudio.engine.remote.wire_error import WireError
from sdstudio.engine.remote.wire_png import png_bytes
from sdstudio.serve.a1111_sd_upscale import is_sd_upscale, sd_upscale_part

# A1111's name → (our setting, its type), for both endpoints.
COMMON = {
    "prompt": ("prompt", str),
    "negative_prompt": ("negative_prompt", str),
    "steps": ("steps", int),
    "cfg_scale": ("cfg_scale", float),
    "width": ("width", int),
    "height": ("height", int),
    "batch_size": ("batch_size", int),
    "n_iter": ("batch_count", int),
}
IMG2IMG = {
    "denoising_strength": ("strength", float),
    "mask_blur": ("mask_blur", int),
    "inpaint_full_res_padding": ("mask_padding", int),
}
HIRES = {  # txt2img with enable_hr
    "hr_scale": ("hires_scale", float),
    "hr_upscaler": ("hires_upscaler", str),
    "hr_second_pass_steps": ("hires_steps", int),
    "hr_resize_x": ("hires_resize_x", int),
    "hr_resize_y": ("hires_resize_y", int),
    "denoising_strength": ("hires_denoise", float),
    "hr_prompt": ("hires_prompt", str),
    "hr_negative_prompt": ("hires_negative_prompt", str),
}
# A1111's inpainting_fill: 0 fill, 1 original, 2 latent noise, 3 latent nothing.
INPAINTING_FILL = ("fill", "original", "noise", "nothing")
# Schedule types (A1111 1.9+ ``scheduler``) that leave the sampler as it is.
PLAIN_SCHEDULES = ("", "automatic", "uniform")
# A1111 options that would change the picture and that this server does not do.
NOT_DONE = ("restore_faces", "tiling", "script_name", "alwayson_scripts", "styles")
OVERRIDE_NOTE = "override_settings is ignored: this server runs one model, with its own settings"


def a1111_job(
    body: object, img2img: bool, upscalers: Sequence[str] = ()
) -> tuple[dict[str, Any], list[str]]:
    """The wire job for an A1111 request ``body`` (``img2img``: of ``/sdapi/v1/img2img``) and
    the notes on what was ignored; :class:`WireError` with a message for a bad value.
    ``upscalers`` are A1111's list of them, for the SD upscale script's index."""
    if not isinstance(body, dict):
        raise WireError("The body must be a JSON object of A1111's fields")
    given = {key: value for key, value in body.items() if value is not None}
    settings: dict[str, Any] = {}
    _copy(given, COMMON, settings)
    settings["seed"] = _seed(given.get("seed", -1))
    scheduler = _scheduler(given)
    if scheduler is not None:
        settings["scheduler"] = scheduler
    images: dict[str, str] = {}
    if img2img:
        _copy(given, IMG2IMG, settings)
        images["init_image"] = _init_image(given.get("init_images"))
        if "mask" in given:
            images["mask"] = _mask(given)
            _inpaint_options(given, settings)
    elif _flag(given, "enable_hr"):
        _copy(given, HIRES, settings)
        settings.setdefault("hires_upscaler", "Latent")  # A1111's default upscaler
        if "hr_sampler_name" in given:
            settings["hires_sampler"] = _sampler({"sampler_name": given["hr_sampler_name"]})
    stage = {}
    if img2img and is_sd_upscale(given.get("script_name")):
        stage["sd_upscale"] = sd_upscale_part(given.get("script_args"), upscalers)
        given.pop("script_name")
    notes = []
    if given.get("override_settings"):
        notes.append(OVERRIDE_NOTE)
    notes += [f"{name} is not done by this server and was ignored" for name in NOT_DONE
              if given.get(name)]  # fmt: skip
    previews = {"kind": "none"}
    return {**stage, "settings": settings, "images": images, "previews": previews}, notes


def a1111_answer(
    body: dict[str, Any], job: dict[str, Any], images: list[dict[str, Any]], notes: list[str]
) -> dict[str, Any]:
    """A1111's answer: the finished ``images`` (the server's ``image`` events) as base64 PNGs,
    the request's ``parameters`` (its pictures left out, as A1111 does) and ``info``, the
    JSON text of what was made, with each image's infotext."""
    settings = job["settings"]
    seeds = [int(image["seed"]) for image in images]
    records = [json.loads(image["record"]) for image in images]
    first = records[0] if records else {}
    prompt = settings.get("prompt", "")
    negative = settings.get("negative_prompt", "")
    info = {
        "prompt": prompt,
        "all_prompts": [prompt] * len(images),
        "negative_prompt": negative,
        "all_negative_prompts": [negative] * len(images),
        "seed": seeds[0] if seeds else settings["seed"],
        "all_seeds": seeds,
        "subseed": -1,
        "all_subseeds": [-1] * len(images),
        "subseed_strength": 0,
        "width": first.get("width", settings.get("width")),
        "height": first.get("height", settings.get("height")),
        "sampler_name": first.get("sampler", settings.get("scheduler", MODEL_DEFAULT)),
        "cfg_scale": first.get("cfg_scale", settings.get("cfg_scale")),
        "steps": first.get("steps", settings.get("steps")),
        "batch_size": settings.get("batch_size", 1),
        "denoising_strength": first.get("strength") if "init_image" in job["images"] else None,
        "clip_skip": first.get("clip_skip", 1),
        "sd_model_name": first.get("model_name"),
        "sd_model_hash": first.get("model_hash"),
        "index_of_first_image": 0,
        "infotexts": [image["infotext"] for image in images],
        "styles": [],
        "job_timestamp": time.strftime("%Y%m%d%H%M%S"),
        "version": f"sdstudio {__version__}",
        "notes": notes,
    }
    parameters = {**body, "init_images": None, "mask": None} if "init_images" in body else body
    return {
        "images": [image["png"] for image in images],
        "parameters": parameters,
        "info": json.dumps(info),
    }


# -- fields --------------------------------------------------------------------------------


def _copy(given: dict[str, Any], table: dict[str, tuple[str, type]], out: dict[str, Any]) -> None:
    for name, (ours, kind) in table.items():
        if name in given:
            out[ours] = _typed(name, given[name], kind)


def _typed(name: str, value: Any, kind: type) -> Any:
    """``value`` as ``kind`` the way A1111's pydantic models take it (5.0 is a whole
    number, 5 a float); anything else is a :class:`WireError`."""
    if kind is int and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if type(value) is not kind:
        raise WireError(f"{name} must be {_kind_name(kind)}, not {value!r:.40}")
    return value


def _kind_name(kind: type) -> str:
    return {int: "a whole number", float: "a number", str: "text", bool: "true or false"}[kind]


def _flag(given: dict[str, Any], name: str) -> bool:
    value = given.get(name, False)
    if value in (0, 1):  # True and False too
        return bool(value)
    raise WireError(f"{name} must be true or false, not {value!r:.40}")


def _seed(value: Any) -> int:
    """A1111's seed: -1 (or any negative number) picks one at random."""
    seed = _typed("seed", value, int)
    if seed < 0:
        return secrets.randbelow(MAX_SEED + 1)
    if seed > MAX_SEED:
        raise WireError(f"seed must be at most {MAX_SEED}, got {seed}")
    return seed


def _scheduler(given: dict[str, Any]) -> str | None:
    """Our scheduler for A1111's ``sampler_name`` (or the older ``sampler_index``) and its
    schedule type ``scheduler`` ("Karras" makes "DPM++ 2M" "DPM++ 2M Karras"); None: the
    model's own."""
    if "sampler_name" not in given and "sampler_index" not in given:
        if str(given.get("scheduler", "")).casefold() not in PLAIN_SCHEDULES:
            raise WireError("scheduler (the schedule type) needs a sampler_name")
        return None
    return _sampler(given)


def _sampler(given: dict[str, Any]) -> str:
    name = given.get("sampler_name", given.get("sampler_index"))
    field = "sampler_name" if "sampler_name" in given else "sampler_index"
    sampler = canonical_scheduler_name(_typed(field, name, str))
    schedule = _typed("scheduler", given.get("scheduler", ""), str).strip()
    if schedule.casefold() == "karras" and not sampler.endswith("Karras"):
        sampler = canonical_scheduler_name(f"{sampler} Karras")
    elif schedule.casefold() not in PLAIN_SCHEDULES and schedule.casefold() != "karras":
        raise WireError(f"Unknown schedule type {schedule!r} (known: Automatic, Karras)")
    if sampler not in scheduler_choices():
        known = ", ".join(scheduler_choices())
        raise WireError(f"Unknown sampler {name!r}{' with ' + schedule if schedule else ''} "
                        f"(known: {known})")  # fmt: skip
    return sampler


def _inpaint_options(given: dict[str, Any], settings: dict[str, Any]) -> None:
    if "inpainting_fill" in given:
        fill = _typed("inpainting_fill", given["inpainting_fill"], int)
        if not 0 <= fill < len(INPAINTING_FILL):
            raise WireError(f"inpainting_fill must be 0, 1, 2 or 3, not {fill}")
        settings["masked_content"] = INPAINTING_FILL[fill]
    if "inpaint_full_res" in given:
        settings["inpaint_area"] = "masked" if _flag(given, "inpaint_full_res") else "whole"


# -- pictures ------------------------------------------------------------------------------


def _init_image(value: Any) -> str:
    if not isinstance(value, list) or not value:
        raise WireError("init_images must be a list with one base64 image")
    return _as_png(value[0], "init_images[0]")  # A1111 too uses the first for every image


def _mask(given: dict[str, Any]) -> str:
    png = _as_png(given["mask"], "mask")
    if not _flag(given, "inpainting_mask_invert"):
        return png
    with Image.open(io.BytesIO(base64.b64decode(png))) as opened:
        inverted = Image.eval(opened.convert("L"), lambda value: 255 - value)
    buffer = io.BytesIO()
    inverted.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _as_png(text: Any, what: str) -> str:
    """A base64 picture as A1111 clients send it (PNG, JPEG or WebP, maybe as a
    ``data:image/…;base64,`` URL) as the base64 PNG a wire job carries."""
    if not isinstance(text, str):
        raise WireError(f"{what} must be a base64 image, not {type(text).__name__}")
    if text.startswith("data:"):
        text = text.partition(",")[2]
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise WireError(f"{what} is not valid base64: {error}") from None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        png_bytes(text, what)  # the checks a PNG gets
        return text
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                if max(opened.size) > MAX_SIDE:
                    raise WireError(f"{what} is {opened.size[0]}x{opened.size[1]}; at most "
                                    f"{MAX_SIDE} pixels a side")  # fmt: skip
                picture = opened.convert("RGBA" if "A" in opened.getbands() else "RGB")
    except Image.DecompressionBombError:
        raise WireError(f"{what} has too many pixels") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise WireError(f"{what} cannot be read as a picture: {error}") from None
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
