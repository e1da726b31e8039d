"""Control images brought to the generation's size by A1111's three resize modes, judged by
where the picture's content lands."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sdstudio.engine.controlnet_preprocessors import ResizeMode, preprocess, resize_control_image
from sdstudio.engine.errors import RequestError

RED, GREEN, BLUE, GRAY = (255, 0, 0), (0, 255, 0), (0, 0, 255), (128, 128, 128)


def _three_bands() -> Image.Image:
    """200×100: a red band (50 px), a green middle (100 px), a blue band (50 px)."""
    picture = Image.new("RGB", (200, 100))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, 49, 99), fill=RED)
    draw.rectangle((50, 0, 149, 99), fill=GREEN)
    draw.rectangle((150, 0, 199, 99), fill=BLUE)
    return picture


def _colour_at(picture: Image.Image, x: int, y: int) -> tuple[int, int, int]:
    return tuple(int(v) for v in np.asarray(picture)[y, x])


def test_just_resize_stretches_the_whole_picture_to_the_size() -> None:
    result = resize_control_image(_three_bands(), 64, 64, ResizeMode.JUST_RESIZE)

    assert result.size == (64, 64)
    assert _colour_at(result, 5, 5) == RED
    assert _colour_at(result, 32, 60) == GREEN
    assert _colour_at(result, 60, 30) == BLUE
    # a quarter of the width each side, as in the picture: stretched, not cut
    assert _colour_at(result, 14, 32) == RED and _colour_at(result, 49, 32) == BLUE


def test_crop_and_resize_of_a_wide_picture_keeps_its_centre() -> None:
    result = resize_control_image(_three_bands(), 64, 64, "Crop and Resize")

    assert result.size == (64, 64)
    pixels = np.asarray(result).reshape(-1, 3)
    assert (pixels == GREEN).all(axis=1).all()  # the red and blue sides are cut off


def test_crop_and_resize_of_a_tall_picture_cuts_top_and_bottom_equally() -> None:
    tall = Image.new("RGB", (100, 200), GREEN)
    draw = ImageDraw.Draw(tall)
    draw.rectangle((0, 0, 99, 49), fill=RED)
    draw.rectangle((0, 150, 99, 199), fill=BLUE)
    draw.rectangle((48, 98, 51, 101), fill=(0, 0, 0))  # a dot at the centre

    result = resize_control_image(tall, 64, 64)  # A1111's default mode

    pixels = np.asarray(result)
    assert (pixels[:, :, 0] < 128).all()  # no red row is left
    assert (pixels[:, :, 2] < 128).all()  # no blue row is left
    dot = pixels.sum(axis=2) == 0
    assert dot[30:34, 30:34].any() and dot.sum() == dot[30:34, 30:34].sum()  # still central


def test_resize_and_fill_fits_the_picture_and_fills_the_margins_with_its_border_colour() -> None:
    picture = Image.new("RGB", (200, 100), GRAY)
    ImageDraw.Draw(picture).rectangle((80, 30, 119, 69), fill=RED)

    result = resize_control_image(picture, 64, 64, "Resize and Fill")

    pixels = np.asarray(result)
    assert result.size == (64, 64)
    assert (pixels[:16] == GRAY).all() and (pixels[48:] == GRAY).all()  # 64×32 in the middle
    assert _colour_at(result, 32, 32) == RED
    assert _colour_at(result, 32, 18) == GRAY  # the picture's own gray above the square


def test_resize_and_fill_uses_the_median_colour_of_the_pictures_edges() -> None:
    picture = Image.new("RGB", (100, 200), BLUE)
    ImageDraw.Draw(picture).rectangle((0, 0, 99, 9), fill=(255, 255, 0))  # one edge differs
    ImageDraw.Draw(picture).ellipse((30, 80, 70, 120), fill=RED)

    result = resize_control_image(picture, 64, 32, ResizeMode.RESIZE_AND_FILL)

    pixels = np.asarray(result)
    assert (pixels[:, :24] == BLUE).all() and (pixels[:, 40:] == BLUE).all()  # 16×32 inside
    assert _colour_at(result, 32, 0) == (255, 255, 0)  # the picture's top band is kept
    assert _colour_at(result, 32, 16) == RED


def test_an_edge_map_stays_black_and_white_when_enlarged() -> None:
    edges = preprocess("canny", _three_bands())

    enlarged = resize_control_image(edges, 400, 400, "Just Resize")

    values = np.unique(np.asarray(enlarged))
    assert set(values.tolist()) == {0, 255}


def test_a_segmentation_map_keeps_exactly_its_colours() -> None:
    segments = Image.new("RGB", (90, 60), (120, 120, 70))
    draw = ImageDraw.Draw(segments)
    draw.rectangle((0, 0, 29, 59), fill=(180, 120, 120))
    draw.ellipse((40, 10, 80, 50), fill=(6, 230, 230))
    draw.rectangle((60, 40, 89, 59), fill=(204, 5, 255))

    for size in ((45, 30), (200, 130)):
        resized = resize_control_image(segments, *size, "Just Resize")
        colours = {colour for _, colour in resized.getcolors()}
        assert colours == {colour for _, colour in segments.getcolors()}


def test_a_photo_is_averaged_when_shrunk() -> None:
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(0, 256, (128, 128, 3), dtype=np.uint8), "RGB")

    small = np.asarray(resize_control_image(noise, 32, 32, "Just Resize")).astype(float)

    assert small.std() < 0.4 * np.asarray(noise).std()  # areas averaged, not samples picked
    assert abs(small.mean() - np.asarray(noise).mean()) < 2


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        ("Scale to Fit (Inner Fit)", ResizeMode.CROP_AND_RESIZE),
        ("Envelope (Outer Fit)", ResizeMode.RESIZE_AND_FILL),
        ("Just Resize", ResizeMode.JUST_RESIZE),
    ],
)
def test_resize_modes_are_found_by_a1111s_names(name: str, mode: ResizeMode) -> None:
    assert ResizeMode.from_name(name) is mode


def test_an_unknown_resize_mode_is_refused_with_the_three_choices() -> None:
    with pytest.raises(RequestError) as refused:
        resize_control_image(_three_bands(), 64, 64, "Stretch")

    message = str(refused.value)
    assert "'Stretch'" in message
    for mode in ResizeMode:
        assert f'"{mode.value}"' in message


def test_a_size_of_zero_is_refused() -> None:
    with pytest.raises(RequestError, match="cannot be resized to 0×64"):
        resize_control_image(_three_bands(), 0, 64, "Just Resize")


def test_an_empty_control_image_is_refused() -> None:
    with pytest.raises(RequestError, match="control image is empty"):
        resize_control_image(Image.new("RGB", (0, 0)), 64, 64)
