"""The latent preview's fitted maps on disk, read back only when every number is sound.

The cache only saves a second of fitting, so any doubt means fitting again: a file that was
hand-edited, cut short or written by another version (empty or unordered scales, strings,
non-finite or negative numbers, a matrix without a row per latent channel) is never used,
and a cache that cannot be written (a full disk, a read-only folder) keeps the fit for this
session only. Staging files left by a crash or a full disk are removed.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from sdstudio.engine.models.json_files import write_json_object
from sdstudio.engine.previews.latent_rgb import LatentRGBMap, ScaledLatentRGBMap

STAGING_PREFIX = ".fit-"
STALE_AFTER_S = 60.0  # a write takes milliseconds: an older staging file is a leftover
MAX_FILE_BYTES = 1024 * 1024  # a fit is a few kilobytes
MAX_SCALES = 64
MAX_LABEL_LENGTH = 200
# Fitted factors are about 1 and PSNRs at most 120 dB; a number far past that is damage, and
# would overflow the float32 the previews are computed in.
MAX_MAGNITUDE = 1e6

_log = logging.getLogger(__name__)


def map_problem(rgb_map: ScaledLatentRGBMap, latent_channels: int) -> str | None:
    """Why ``rgb_map`` cannot picture ``latent_channels`` latents, in words; None if it can.

    Picking a map takes the log of each scale, and applying one multiplies the latents by a
    (channels x 3) matrix: each must hold, for every step of every run that uses it.
    """
    scales, maps = rgb_map.scales, rgb_map.maps
    if not 1 <= len(scales) <= MAX_SCALES or len(maps) != len(scales):
        return f"{len(scales)} scales for {len(maps)} maps"
    if not all(_finite(scale) and scale > 0 for scale in scales):
        return "a scale that is not a positive number"
    if any(low >= high for low, high in zip(scales, scales[1:], strict=False)):
        return "scales out of order"
    for each in maps:
        if not isinstance(each, LatentRGBMap) or len(each.weights) != latent_channels:
            return f"a map without one row per latent channel ({latent_channels})"
        rows = (*each.weights, each.bias)
        if not all(_triple(row) for row in rows):
            return "a map whose numbers are not three finite numbers a row"
    return None


def read_fit(path: Path, latent_channels: int) -> tuple[ScaledLatentRGBMap, float, float] | None:
    """The map, PSNR and correlation stored in ``path``; None (fit again) on any doubt."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # missing, unreadable, not JSON, too deep
        return None
    fit = _parse(data)
    if fit is None or map_problem(fit[0], latent_channels) is not None:
        return None
    return fit


def write_fit(path: Path, data: dict[str, Any]) -> bool:
    """Write ``data`` atomically (a concurrent reader sees all or nothing); False when the
    disk refuses, leaving no staging file behind."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json_object(path, data, STAGING_PREFIX)
    except OSError as error:
        _log.warning("the latent preview fit could not be cached in %s (%s)", path.parent, error)
        return False
    return True


def remove_stale_staging(folder: Path, now: float | None = None) -> None:
    """Remove the staging files a crash or a full disk left in ``folder`` (not a write in
    progress elsewhere: those are younger than :data:`STALE_AFTER_S`)."""
    now = time.time() if now is None else now
    try:
        leftovers = list(folder.glob(f"{STAGING_PREFIX}*.json"))
    except OSError:
        return
    for leftover in leftovers:
        try:
            if now - leftover.stat().st_mtime > STALE_AFTER_S:
                leftover.unlink()
        except OSError:  # gone already, or a folder that refuses: the next start tries again
            continue


def _parse(data: object) -> tuple[ScaledLatentRGBMap, float, float] | None:
    """The stored values with their types checked; the map's shape is checked afterwards."""
    if not isinstance(data, dict):
        return None
    scales, items, label = data.get("scales"), data.get("maps"), data.get("label", "")
    psnr, correlation = data.get("psnr"), data.get("correlation")
    if not isinstance(scales, list) or not isinstance(items, list) or not isinstance(label, str):
        return None
    if not _finite(psnr) or not _finite(correlation) or len(label) > MAX_LABEL_LENGTH:
        return None
    if not all(_finite(scale) for scale in scales) or not all(_map_data(i) for i in items):
        return None
    maps = tuple(
        LatentRGBMap(tuple(tuple(row) for row in item["weights"]), tuple(item["bias"]))
        for item in items
    )
    return ScaledLatentRGBMap(tuple(scales), maps, label), float(psnr), float(correlation)


def _map_data(item: object) -> bool:
    if not isinstance(item, dict):
        return False
    weights, bias = item.get("weights"), item.get("bias")
    return isinstance(weights, list) and all(_triple(row) for row in (*weights, bias))


def _triple(row: object) -> bool:
    return isinstance(row, (list, tuple)) and len(row) == 3 and all(_finite(v) for v in row)


def _finite(value: object) -> bool:
    """A real number within :data:`MAX_MAGNITUDE` (JSON's ``true`` is not a number here).

    The comparison is exact for ints of any size and false for NaN and infinities.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) <= MAX_MAGNITUDE
