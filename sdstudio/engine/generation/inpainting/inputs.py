"""What an inpainting run works on, prepared once for a request: the picture and mask at the
generation size (or the crop around the mask), and what the result is composited onto."""

from __future__ import annotations

from dataclasses import dataclass

from diffusers.image_processor import VaeImageProcessor
from PIL import Image

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.inpainting.mask_image import blurred, check_not_empty, fitted
from sdstudio.engine.generation.inpainting.masked_content import filled
from sdstudio.engine.generation.request import GenerationRequest

GRAY = (127, 127, 127)  # what a 9-channel model starts from without an init image


@dataclass(frozen=True)
class InpaintInputs:
    """``source`` and ``mask`` are given to diffusers' processors with ``crop`` and
    ``resize_mode``, exactly as its inpaint pipelines take ``image`` and ``mask_image``;
    ``composite_onto`` and ``composite_mask`` (same size) make the final picture."""

    source: Image.Image
    mask: Image.Image
    crop: tuple[int, int, int, int] | None
    composite_onto: Image.Image | None  # None: keep the generated picture as it is
    composite_mask: Image.Image | None

    @property
    def resize_mode(self) -> str:
        return "fill" if self.crop is not None else "default"


def inpaint_inputs(request: GenerationRequest, ordinary_model: bool) -> InpaintInputs:
    """The inputs of ``request`` (which has a mask, or runs a 9-channel model without one).

    The mask is fitted to the init image, blurred by ``mask_blur`` (A1111), then:
    ``whole``: the init image and mask at the generation size, composited at that size;
    ``masked``: a crop around the mask plus ``mask_padding`` (diffusers' ``padding_mask_crop``),
    generated at the requested size and pasted back into the init image at its own size.
    """
    size = (request.width, request.height)
    if request.mask is None:  # an inpainting model asked for txt2img or img2img: repaint all
        source = request.init_image or Image.new("RGB", size, GRAY)
        return InpaintInputs(source.convert("RGB"), Image.new("L", size, 255), None, None, None)
    if request.init_image is None:
        raise RequestError("A mask needs an init image: the picture to repaint.")
    init = request.init_image.convert("RGB")
    mask = fitted(request.mask, init.size)
    check_not_empty(mask)
    mask = blurred(mask, request.mask_blur)
    fill = ordinary_model and request.masked_content == "fill"
    source = filled(init, mask) if fill else init
    if request.inpaint_area == "masked":
        crop = VaeImageProcessor.get_crop_region(
            mask, request.width, request.height, pad=request.mask_padding
        )
        return InpaintInputs(source, mask, crop, init, mask)
    composite_onto = init.resize(size, Image.Resampling.LANCZOS) if init.size != size else init
    composite_mask = mask.resize(size, Image.Resampling.BILINEAR) if mask.size != size else mask
    return InpaintInputs(source, mask, None, composite_onto, composite_mask)
