"""ControlNet preprocessors on drawn shapes: the maps a user would see, and the refusals they
would read."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sdstudio.engine.controlnet_preprocessors import PREPROCESSORS, preprocess
from sdstudio.engine.errors import RequestError
from tests.helpers import gray_channel

SIDE = 128
CENTRE = 64
RADIUS = 36
_ROWS, _COLUMNS = np.mgrid[0:SIDE, 0:SIDE]
DISTANCE = np.hypot(_COLUMNS - CENTRE, _ROWS - CENTRE)  # from the circle's centre, per pixel
ANGLE = np.arctan2(_ROWS - CENTRE, _COLUMNS - CENTRE)

STRIPE_COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (230, 230, 40)]


def _circle(fill: str | tuple[int, ...], background: str | tuple[int, ...]) -> Image.Image:
    picture = Image.new("RGB", (SIDE, SIDE), background)
    box = (CENTRE - RADIUS, CENTRE - RADIUS, CENTRE + RADIUS, CENTRE + RADIUS)
    ImageDraw.Draw(picture).ellipse(box, fill=fill)
    return picture


def _goes_all_round(lines: np.ndarray) -> bool:
    """Whether line pixels are found in every 10° sector around the circle's centre."""
    sectors = ((ANGLE[lines] + np.pi) / (2 * np.pi) * 36).astype(int) % 36
    return len(set(sectors.tolist())) == 36


def _stripes() -> Image.Image:
    """Vertical 8 px stripes of four colours, so any smooth shuffle meets all of them."""
    picture = Image.new("RGB", (SIDE, 96))
    draw = ImageDraw.Draw(picture)
    for left in range(0, SIDE, 8):
        draw.rectangle((left, 0, left + 7, 95), fill=STRIPE_COLOURS[(left // 8) % 4])
    return picture


def _colour_shares(picture: Image.Image) -> tuple[float, list[float]]:
    """The share of pixels that are one of the stripe colours, and each colour's share."""
    pixels = np.asarray(picture).reshape(-1, 3).astype(int)
    palette = np.array(STRIPE_COLOURS)
    distance = np.abs(pixels[:, None, :] - palette[None]).sum(axis=2)
    pure = distance.min(axis=1) <= 12
    nearest = distance.argmin(axis=1)[pure]
    return float(pure.mean()), [float((nearest == i).mean()) for i in range(4)]


def test_canny_draws_thin_white_edges_on_black_along_the_border_only() -> None:
    edges = gray_channel(preprocess("canny", _circle("white", "black")))

    assert set(np.unique(edges).tolist()) == {0, 255}
    on = edges == 255
    assert np.abs(DISTANCE[on] - RADIUS).max() <= 2  # on the border
    assert edges[DISTANCE < RADIUS - 3].max() == 0  # nothing inside
    assert edges[DISTANCE > RADIUS + 3].max() == 0  # nothing outside
    assert _goes_all_round(on)
    assert on.sum() < 3 * 2 * np.pi * RADIUS  # one line, not a band


def test_canny_thresholds_decide_whether_a_faint_shape_has_edges() -> None:
    faint = _circle((15, 15, 15), "black")

    assert gray_channel(preprocess("canny", faint)).max() == 0
    sensitive = gray_channel(preprocess("canny", faint, low_threshold=10, high_threshold=20))
    assert _goes_all_round(sensitive == 255)


def test_invert_turns_black_lines_on_white_into_white_lines_on_black() -> None:
    drawing = Image.new("RGB", (SIDE, SIDE), "white")
    draw = ImageDraw.Draw(drawing)
    draw.line((10, 20, 110, 100), fill="black", width=3)
    draw.line((20, 110, 110, 15), fill="black", width=3)
    line = np.asarray(drawing.convert("L")) == 0

    inverted = gray_channel(preprocess("invert", drawing))

    assert (inverted[line] == 255).all()
    assert (inverted[~line] == 0).all()


def test_invert_reads_a_drawing_on_a_transparent_layer_as_drawn_on_white() -> None:
    layer = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    ImageDraw.Draw(layer).line((0, 16, 31, 16), fill=(0, 0, 0, 255), width=2)

    inverted = gray_channel(preprocess("invert (from white bg & black line)", layer))

    assert inverted[16].min() == 255
    assert inverted[:8].max() == 0


def test_scribble_draws_a_thick_stroke_along_the_border_of_a_drawn_shape() -> None:
    scribble = gray_channel(preprocess("scribble_xdog", _circle("black", "white")))

    assert set(np.unique(scribble).tolist()) == {0, 255}
    on = scribble == 255
    assert np.abs(DISTANCE[on] - RADIUS).max() <= 9
    assert scribble[DISTANCE < RADIUS - 10].max() == 0
    assert scribble[DISTANCE > RADIUS + 2].max() == 0
    assert _goes_all_round(on)
    assert on.sum() > 3 * 2 * np.pi * RADIUS  # a stroke several pixels wide


def test_a_lower_scribble_threshold_keeps_a_fainter_drawing() -> None:
    faint = _circle((240, 240, 240), "white")

    assert gray_channel(preprocess("scribble_xdog", faint, threshold=32)).max() == 0
    assert _goes_all_round(gray_channel(preprocess("scribble_xdog", faint, threshold=4)) == 255)


def test_lineart_standard_traces_the_border_of_a_drawn_shape() -> None:
    lineart = gray_channel(preprocess("lineart_standard", _circle("black", "white")))

    line = lineart > 64
    assert np.abs(DISTANCE[line] - RADIUS).max() <= 9
    assert lineart[DISTANCE < RADIUS - 16].max() < 8  # the inside stays dark
    assert lineart[DISTANCE > RADIUS + 2].max() == 0
    assert _goes_all_round(line)
    assert lineart.max() == 255


def test_lineart_of_a_blank_picture_is_black() -> None:
    blank = Image.new("RGB", (48, 48), "white")

    assert (
        gray_channel(preprocess("lineart_standard (from white bg & black line)", blank)).max() == 0
    )


def test_blur_lowers_the_sharpest_step_and_keeps_size_and_mean() -> None:
    square = Image.new("RGB", (SIDE, SIDE), "black")
    ImageDraw.Draw(square).rectangle((32, 32, 95, 95), fill="white")

    blurred = preprocess("blur_gaussian", square, sigma=4.0)

    def sharpest_step(picture: Image.Image) -> int:
        gray = np.asarray(picture.convert("L")).astype(int)
        return int(max(np.abs(np.diff(gray, axis=0)).max(), np.abs(np.diff(gray, axis=1)).max()))

    assert blurred.size == square.size
    assert sharpest_step(square) == 255
    assert sharpest_step(blurred) < 40
    assert sharpest_step(preprocess("blur_gaussian", square, sigma=1.0)) > sharpest_step(blurred)
    assert abs(np.asarray(blurred).mean() - np.asarray(square).mean()) < 2


def test_tile_resample_shrinks_the_picture_and_keeps_its_mean_colour() -> None:
    picture = _stripes()

    tile = preprocess("tile_resample", picture, down_sampling_rate=4.0)

    assert tile.size == (32, 24)
    means = np.asarray(tile).reshape(-1, 3).mean(axis=0)
    expected = np.asarray(picture).reshape(-1, 3).mean(axis=0)
    assert np.abs(means - expected).max() < 1.5


def test_tile_resample_at_rate_one_leaves_the_picture_as_it_is() -> None:
    picture = _stripes()

    assert np.array_equal(np.asarray(preprocess("tile_resample", picture)), np.asarray(picture))


def test_shuffle_with_one_seed_gives_one_picture_and_another_seed_another() -> None:
    picture = _stripes()

    first = np.asarray(preprocess("shuffle", picture, seed=7))
    again = np.asarray(preprocess("shuffle", picture, seed=7))
    other = np.asarray(preprocess("shuffle", picture, seed=8))

    assert np.array_equal(first, again)
    assert (first != other).any(axis=2).mean() > 0.3
    assert (first != np.asarray(picture)).any(axis=2).mean() > 0.5  # the layout moved


@pytest.mark.parametrize("seed", [0, 7])
def test_shuffle_keeps_the_pictures_colours_in_about_their_proportions(seed: int) -> None:
    shuffled = preprocess("shuffle", _stripes(), seed=seed)

    pure, shares = _colour_shares(shuffled)
    assert shuffled.size == (SIDE, 96)
    assert pure > 0.8  # the rest are blends of two neighbouring stripes
    assert all(0.15 < share < 0.35 for share in shares), shares


def test_none_gives_the_control_image_back_as_rgb() -> None:
    depth = Image.new("L", (40, 30), 90)
    ImageDraw.Draw(depth).rectangle((10, 10, 20, 20), fill=200)

    result = preprocess("none", depth)

    assert result.mode == "RGB" and result.size == (40, 30)
    assert np.array_equal(gray_channel(result), np.asarray(depth))


def test_a_sixteen_bit_map_is_scaled_from_its_own_range_not_clipped_to_white() -> None:
    wide = Image.fromarray(np.array([[0, 1000], [2000, 4000]], dtype=np.int32), "I")

    assert gray_channel(preprocess("none", wide)).tolist() == [[0, 64], [128, 255]]


@pytest.mark.parametrize(
    "name",
    [
        name
        for name, preprocessor in PREPROCESSORS.items()
        if preprocessor.available and preprocessor.annotator is None
    ],
)
def test_each_preprocessor_runs_with_its_defaults_and_keeps_the_size(name: str) -> None:
    result = preprocess(name, _circle("white", (40, 80, 120)).resize((96, 80)))

    assert result.mode == "RGB"
    assert result.size == (96, 80)


def test_every_parameter_offers_a_default_inside_its_range() -> None:
    for preprocessor in PREPROCESSORS.values():
        for parameter in preprocessor.parameters:
            assert parameter.minimum <= parameter.default <= parameter.maximum, parameter
        assert preprocessor.checked_parameters({}) == preprocessor.defaults()


def test_an_unknown_preprocessor_is_refused_with_the_known_names() -> None:
    with pytest.raises(RequestError) as refused:
        preprocess("sobel", _circle("white", "black"))

    message = str(refused.value)
    assert "'sobel'" in message
    for name in ("canny", "invert", "scribble_xdog", "lineart_standard", "shuffle", "none"):
        assert name in message


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"low_threshold": 300}, "Low Threshold must be between 0 and 256, not 300"),
        ({"high_threshold": -1}, "High Threshold must be between 0 and 256, not -1"),
        ({"low_threshold": 150, "high_threshold": 50}, "must not be above its High Threshold"),
        ({"low_threshold": 12.5}, "must be a whole number"),
        ({"low_threshold": "low"}, "must be a number, not 'low'"),
        ({"low_threshold": float("nan")}, "must be a number, not NaN"),
        ({"threshold": 20}, "has no parameter threshold. It takes: low_threshold, high_threshold"),
    ],
)
def test_bad_canny_thresholds_are_refused_with_a_message(
    params: dict[str, object], expected: str
) -> None:
    with pytest.raises(RequestError) as refused:
        preprocess("canny", _circle("white", "black"), **params)

    assert expected in str(refused.value)


def test_an_empty_picture_is_refused_before_any_work() -> None:
    with pytest.raises(RequestError, match="control image is empty"):
        preprocess("canny", Image.new("RGB", (0, 12)))


def test_a_blur_sigma_out_of_range_is_refused() -> None:
    with pytest.raises(RequestError, match="Sigma must be between 0.01 and 64, not 0"):
        preprocess("blur_gaussian", _circle("white", "black"), sigma=0)


@pytest.mark.parametrize(
    ("name", "bring"),
    [
        ("depth_leres", "depth map"),
        ("depth_leres++", "depth map"),
        ("openpose_full", "OpenPose skeleton"),
        ("dw_openpose_full", "OpenPose skeleton"),
        ("animal_openpose", "OpenPose skeleton"),
        ("normal_bae", "normal map"),
        ("normal_dsine", "normal map"),
        # run with weights the user brings; without them, the same way out is offered
        ("depth_midas", "depth map"),
        ("depth_anything_v2", "depth map"),
        ("normal_midas", "normal map"),
        ("openpose", "OpenPose skeleton"),
    ],
)
def test_preprocessors_that_need_weights_say_to_bring_the_map_and_use_none(
    name: str, bring: str
) -> None:
    with pytest.raises(RequestError) as refused:
        preprocess(name, _circle("white", "black"))

    message = str(refused.value)
    assert "preprocessor needs" in message and "model" in message
    assert bring in message
    assert 'choose the preprocessor "none"' in message
