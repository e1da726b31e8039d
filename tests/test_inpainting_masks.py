"""Masks as users bring them: any mode, any size, or no good at all (a message, no crash)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sdstudio.engine.errors import MaskError, RequestError
from sdstudio.engine.generation.inpainting.inputs import inpaint_inputs
from sdstudio.engine.generation.inpainting.mask_file import load_mask
from sdstudio.engine.generation.inpainting.masked_content import filled
from sdstudio.engine.generation.inpainting.outpaint import Extension, outpainted
from sdstudio.engine.generation.request import GenerationRequest


def _half_mask(size: tuple[int, int] = (64, 64)) -> Image.Image:
    mask = np.zeros((size[1], size[0]), np.uint8)
    mask[:, : size[0] // 2] = 255
    return Image.fromarray(mask, "L")


def test_a_mask_of_another_size_is_scaled_to_fit_the_init_image() -> None:
    request = GenerationRequest(
        "x",
        width=64,
        height=64,
        init_image=Image.new("RGB", (96, 96)),
        mask=_half_mask((32, 32)),
        mask_blur=0,
    )
    inputs = inpaint_inputs(request, ordinary_model=True)
    assert inputs.mask.size == (96, 96)
    assert np.asarray(inputs.mask)[:, :40].min() == 255
    assert np.asarray(inputs.mask)[:, 56:].max() == 0


def test_an_all_black_mask_file_is_refused_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "black.png"
    Image.new("L", (32, 32), 0).save(path)
    with pytest.raises(MaskError, match="all black: nothing would be repainted"):
        load_mask(path)


def test_an_unreadable_mask_file_is_refused_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "mask.png"
    path.write_bytes(b"not a picture")
    with pytest.raises(MaskError, match="Cannot read mask.png as a mask image"):
        load_mask(path)


def test_a_transparent_rgba_mask_keeps_where_it_is_transparent(tmp_path: Path) -> None:
    rgba = np.zeros((16, 16, 4), np.uint8)
    rgba[:, :8] = (255, 255, 255, 255)  # left: opaque white, right: transparent white
    rgba[:, 8:] = (255, 255, 255, 0)
    path = tmp_path / "mask.png"
    Image.fromarray(rgba, "RGBA").save(path)
    mask = np.asarray(load_mask(path))
    assert mask[:, :8].min() == 255 and mask[:, 8:].max() == 0


def test_a_16_bit_mask_is_read_from_its_own_range(tmp_path: Path) -> None:
    values = np.zeros((16, 16), np.uint16)
    values[:, :8] = 65535
    path = tmp_path / "mask16.png"
    Image.fromarray(values).save(path)
    mask = np.asarray(load_mask(path))
    assert mask[:, :8].min() == 255 and mask[:, 8:].max() == 0


def test_a_mask_without_an_init_image_asks_for_one() -> None:
    request = GenerationRequest("x", width=64, height=64, mask=_half_mask())
    with pytest.raises(RequestError, match="A mask needs an init image"):
        inpaint_inputs(request, ordinary_model=True)


def test_fill_paints_the_masked_part_with_the_colours_around_it() -> None:
    picture = np.zeros((64, 64, 3), np.uint8)
    picture[:, :32] = (200, 40, 40)  # red on the left, to be repainted
    picture[:, 32:] = (40, 40, 200)  # blue on the right, kept
    result = np.asarray(filled(Image.fromarray(picture), _half_mask()))
    assert np.array_equal(result[:, 32:], picture[:, 32:])
    assert result[:, :32, 2].mean() > 150 and result[:, :32, 0].mean() < 80


def test_outpainting_extends_the_picture_and_masks_only_the_new_part() -> None:
    picture = Image.new("RGB", (64, 48), (10, 200, 30))
    image, mask = outpainted(picture, Extension(left=16, bottom=8))
    assert image.size == mask.size == (80, 56)
    mask_pixels = np.asarray(mask)
    assert mask_pixels[:, :16].min() == 255 and mask_pixels[48:].min() == 255
    assert mask_pixels[:48, 16:].max() == 0
    assert np.asarray(image)[0, 0].tolist() == [10, 200, 30]  # the edge stretched out


@pytest.mark.parametrize("text", ["64,0", "a,b,c,d", "0,0,60,0", "0,0,0,0"])
def test_a_bad_outpaint_argument_says_what_it_takes(text: str) -> None:
    with pytest.raises(RequestError, match="--outpaint takes|multiples of 8|at least one side"):
        Extension.parse(text)
