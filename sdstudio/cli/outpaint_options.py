"""``--outpaint L,T,R,B`` and ``--outpaint-fill``: extend the init image, then inpaint the new
part (the request grows by the same pixels)."""

from __future__ import annotations

import argparse
import dataclasses

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.inpainting.outpaint import OUTPAINT_FILLS, Extension, outpainted
from sdstudio.engine.generation.request import GenerationRequest


def add_outpaint_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("outpainting")
    group.add_argument(
        "--outpaint",
        default=None,
        metavar="L,T,R,B",
        help="extend the init image by these pixels on the left, top, right and bottom "
        "(multiples of 8) and paint the new part; the size grows by as much",
    )
    group.add_argument(
        "--outpaint-fill",
        default="edge",
        choices=OUTPAINT_FILLS,
        help="what the new part starts from: the edge pixels stretched out, or gray noise",
    )


def with_outpainting(request: GenerationRequest, args: argparse.Namespace) -> GenerationRequest:
    """``request`` on the extended canvas when ``--outpaint`` is given (after the size is
    known: the init image is taken at the requested size, then extended)."""
    if not getattr(args, "outpaint", None):
        return request
    extension = Extension.parse(args.outpaint)
    if request.init_image is None:
        raise RequestError("--outpaint needs --init: the picture to extend.")
    size = (request.width, request.height)
    init = request.init_image.convert("RGB")
    if init.size != size:
        init = init.resize(size)
    image, mask = outpainted(init, extension, request.mask, args.outpaint_fill, request.seed)
    return dataclasses.replace(
        request, init_image=image, mask=mask, width=image.width, height=image.height
    )
