"""Qt-free pictures: heat-map overlays with opacity, channel grids, PCA colours."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.probes import heat_layer, overlay_on
from sdstudio.engine.probes.activation_images import GAP, channel_grid, pca_rgb
from sdstudio.engine.probes.colormaps import lookup_table
from tests.helpers import noise_image


def corner_heat() -> np.ndarray:
    """A 4x2 (height x width) map: hot top-left, cold elsewhere."""
    heat = np.zeros((4, 2), np.float32)
    heat[0, 0] = 1.0
    return heat


def test_overlay_has_the_images_size() -> None:
    image = noise_image(64, 128)

    assert overlay_on(image, corner_heat(), 0.5).size == (64, 128)
    assert heat_layer(corner_heat(), (64, 128)).mode == "RGBA"


def test_opacity_zero_shows_the_image_unchanged() -> None:
    image = noise_image(32, 64)

    composite = overlay_on(image, corner_heat(), opacity=0.0)
    assert np.array_equal(np.asarray(composite.convert("RGB")), np.asarray(image))


def test_full_opacity_covers_the_hottest_pixel_with_the_top_colour() -> None:
    composite = overlay_on(noise_image(32, 64), corner_heat(), opacity=1.0)

    assert composite.getpixel((0, 0))[:3] == tuple(lookup_table("heat")[255])


def test_cold_pixels_stay_visible_at_any_opacity() -> None:
    image = noise_image(32, 64)

    composite = overlay_on(image, corner_heat(), opacity=1.0)
    assert composite.getpixel((31, 63))[:3] == image.getpixel((31, 63))


def test_opacity_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(UserFacingError, match="Opacity must be between 0 and 1"):
        heat_layer(corner_heat(), (8, 8), opacity=1.5)


def test_channel_grid_shows_the_top_k_channels_in_a_square() -> None:
    grid = channel_grid(torch.randn(32, 8, 8), top_k=16, min_tile=64)

    side = 4 * 64 + 3 * GAP  # 4x4 tiles, each 8x8 enlarged to 64x64
    assert grid.size == (side, side)


def test_the_strongest_channel_comes_first() -> None:
    feature_map = torch.zeros(8, 4, 4)
    feature_map[5, 0, 0] = 100.0  # one loud pixel in channel 5
    feature_map[:, 3, 3] += 0.5  # every channel has a little energy at the far corner

    first_tile = np.asarray(channel_grid(feature_map, top_k=1, min_tile=4))
    assert first_tile[0, 0].tolist() == lookup_table("heat")[255].tolist()


def test_pca_gives_regions_with_alike_features_alike_colours() -> None:
    feature_map = torch.zeros(16, 8, 8)
    feature_map[:, :, :4] = torch.linspace(-1, 1, 16)[:, None, None]  # left half: one vector
    feature_map[:, :, 4:] = torch.linspace(1, -1, 16)[:, None, None]  # right half: another

    pixels = np.asarray(pca_rgb(feature_map, min_side=8))
    left, right = pixels[:, :4].reshape(-1, 3), pixels[:, 4:].reshape(-1, 3)
    assert len(np.unique(left, axis=0)) == 1 and len(np.unique(right, axis=0)) == 1
    assert not np.array_equal(left[0], right[0])


def test_pca_is_the_same_from_run_to_run() -> None:
    feature_map = torch.randn(64, 16, 16, generator=torch.Generator().manual_seed(3))

    assert np.array_equal(np.asarray(pca_rgb(feature_map)), np.asarray(pca_rgb(feature_map)))


def test_pca_leaves_torchs_random_state_alone() -> None:
    torch.manual_seed(11)
    expected = torch.rand(3)
    torch.manual_seed(11)
    pca_rgb(torch.randn(32, 8, 8, generator=torch.Generator().manual_seed(0)))
    assert torch.equal(torch.rand(3), expected)


def test_images_are_plain_pil_rgb() -> None:
    assert isinstance(channel_grid(torch.randn(4, 2, 2)), Image.Image)
    assert pca_rgb(torch.randn(4, 2, 2)).mode == "RGB"
