"""An SD upscale on the wire: the job's ``sd_upscale`` part (upscaler, scale, overlap) read
with its types, and what its run would refuse refused when the job comes in, so a bad one
never waits for a replica."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.remote.wire_error import WireError
from sdstudio.engine.sd_upscale.checks import check_sd_upscale
from sdstudio.engine.upscalers.upscale import MAX_UPSCALED_SIDE, target_size

if TYPE_CHECKING:
    from sdstudio.engine.jobs.job import Job


def sd_upscale_part(data: dict[str, Any]) -> dict[str, Any]:
    """The queue entry's ``sd_upscale`` part ({} for a job without one)."""
    if "sd_upscale" not in data:
        return {}
    stage = data["sd_upscale"]
    kinds = {"upscaler": (str,), "scale": (int, float), "overlap": (int,)}
    if not isinstance(stage, dict) or not {"upscaler", "scale"} <= set(stage) <= set(kinds):
        raise WireError("'sd_upscale' is an object with an upscaler, a scale and an overlap")
    for name, value in stage.items():
        if type(value) not in kinds[name]:
            raise WireError(f"The SD upscale's {name} cannot be {value!r:.40}")
    return {"sd_upscale": stage}


def check_sd_upscale_job(job: Job) -> None:
    """What the run would refuse, refused when the job comes in."""
    stage, request = job.sd_upscale, job.request
    assert stage is not None
    if request.init_image is None:
        raise WireError("An SD upscale needs its picture: the init image")
    if not (math.isfinite(stage.scale) and stage.scale > 0):
        raise WireError(f"The SD upscale's scale must be a number above 0, not {stage.scale}")
    width, height = target_size(request.init_image.size, stage.scale)
    if max(width, height) > MAX_UPSCALED_SIDE:
        raise WireError(
            f"The SD upscale would make a {width}×{height} picture; at most "
            f"{MAX_UPSCALED_SIDE} pixels a side"
        )
    try:
        check_sd_upscale(request, stage.overlap)
    except UserFacingError as error:
        raise WireError(str(error)) from None
