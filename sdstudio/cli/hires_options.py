"""The hires fix's flags on the command line, checked together before anything loads.

The flags themselves come from the schema (``--hires-upscaler``, ``--hires-scale``...); what
this adds is what one flag cannot say alone: the hires fix runs only when an upscaler is
named, so the others given without one would silently do nothing and are refused instead, and
``--hires-sampler`` is read in any case as ``--scheduler`` is.
"""

from __future__ import annotations

import argparse

from sdstudio.cli.settings_arguments import destination, flag
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.hires.upscaler_names import LATENT_UPSCALERS, PILLOW_UPSCALERS
from sdstudio.engine.generation.scheduler_names import canonical_scheduler_name
from sdstudio.engine.generation.settings import HiresSettings, setting_fields

UPSCALER = "hires_upscaler"
SAMPLER = "hires_sampler"


def check_hires_arguments(args: argparse.Namespace) -> None:
    """Raise :class:`RequestError` for hires flags without ``--hires-upscaler``; spell
    ``--hires-sampler`` as the scheduler it names."""
    fields = {each.name: each for each in setting_fields((HiresSettings,))}
    sampler = destination(fields[SAMPLER])
    if getattr(args, sampler, ""):
        setattr(args, sampler, canonical_scheduler_name(getattr(args, sampler)))
    if getattr(args, destination(fields[UPSCALER]), ""):
        return
    given = [
        flag(each)
        for each in fields.values()
        if each.name != UPSCALER and getattr(args, destination(each), each.default) != each.default
    ]
    if given:
        names = ", ".join([*LATENT_UPSCALERS, *PILLOW_UPSCALERS.keys() - {"None"}])
        raise RequestError(
            f"{', '.join(given)} only act with {flag(fields[UPSCALER])}, which turns the hires "
            f"fix on: name one ({names}, or an upscaler model's name)"
        )
