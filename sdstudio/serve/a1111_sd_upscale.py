"""A1111's "SD upscale" img2img script on the server's A1111 API, and its upscaler list.

A1111 clients run it with ``"script_name": "SD upscale"`` and ``"script_args": [info,
overlap, upscaler_index, scale_factor]``, where the index is a place in A1111's list of
upscalers (``GET /sdapi/v1/upscalers``): ``None``, ``Lanczos``, ``Nearest``, then the models.
Ours lists the same first three, then the model files in the server's ``models/upscalers``;
it becomes the job's ``sd_upscale`` part (:mod:`sdstudio.engine.remote.wire_sd_upscale`).

``None`` (A1111's default, which refines the picture at its own size) is refused with the
choices: this server's SD upscale always upscales. Kept free of Ray and torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sdstudio.engine.remote.wire_error import WireError

SCRIPT_TITLE = "sd upscale"  # A1111 matches a script's title without regard to case
NO_UPSCALER = "None"
FIRST_UPSCALERS = (NO_UPSCALER, "Lanczos", "Nearest")  # A1111's order


def is_sd_upscale(script_name: object) -> bool:
    return isinstance(script_name, str) and script_name.strip().lower() == SCRIPT_TITLE


def upscaler_names(model_stems: Sequence[str]) -> list[str]:
    """A1111's list of upscaler names, indices as its ``upscaler_index`` counts them."""
    return [*FIRST_UPSCALERS, *model_stems]


def upscalers_answer(names: Sequence[str]) -> list[dict[str, Any]]:
    """``GET /sdapi/v1/upscalers``: A1111's fields for each of ``names``. A model's scale is
    left out (null): reading it means loading the model."""
    return [
        {
            "name": name,
            "model_name": None if name in FIRST_UPSCALERS else name,
            "model_path": None,
            "model_url": None,
            "scale": 4 if name in FIRST_UPSCALERS else None,  # A1111's value for its own
        }
        for name in names
    ]


def sd_upscale_part(script_args: object, names: Sequence[str]) -> dict[str, Any]:
    """The job's ``sd_upscale`` part for A1111's ``script_args``; :class:`WireError` (422)
    naming what is wrong. An upscaler may be given by its name as well as its index."""
    if not isinstance(script_args, list) or len(script_args) != 4:
        raise WireError(
            "SD upscale's script_args are [info, overlap, upscaler_index, scale_factor]"
        )
    _, overlap, upscaler, scale = script_args
    if type(overlap) is not int or overlap < 0:
        raise WireError(f"SD upscale's overlap must be a whole number of pixels, not {overlap!r}")
    if type(scale) not in (int, float):
        raise WireError(f"SD upscale's scale_factor must be a number, not {scale!r:.40}")
    name = _upscaler(upscaler, names)
    if name == NO_UPSCALER:
        choices = ", ".join(f"{index}: {each}" for index, each in enumerate(names) if index)
        raise WireError(
            f"SD upscale without an upscaler (None) is not done by this server: choose one of "
            f"{choices}"
        )
    return {"upscaler": name, "scale": float(scale), "overlap": overlap}


def _upscaler(given: object, names: Sequence[str]) -> str:
    if type(given) is int and 0 <= given < len(names):
        return names[given]
    if isinstance(given, str):
        for name in names:
            if name.lower() == given.strip().lower():
                return name
    raise WireError(
        f"SD upscale's upscaler_index {given!r:.40} is not one of this server's upscalers "
        f"(0 to {len(names) - 1}; GET /sdapi/v1/upscalers lists them)"
    )
