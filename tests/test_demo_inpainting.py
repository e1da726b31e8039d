"""The issue's scene on the trained demo: draw "a blue circle on the right", mask the left
half, ask for "a red square on the left". Judged from the pixels, per seed."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.generation.request import GenerationRequest
from tests.shapes_judge import look

SEEDS = range(6)
LEFT_HALF = (0, 0, 64, 128)


def _draw(model, prompt: str, seed: int, **settings) -> Image.Image:
    request = GenerationRequest(
        prompt, seed=seed, steps=20, cfg_scale=7.0, width=128, height=128, **settings
    )
    (image,) = [e.image for e in generate(model, request) if isinstance(e, ImageFinished)]
    return image


def _left_half_mask() -> Image.Image:
    mask = Image.new("L", (128, 128), 0)
    mask.paste(255, LEFT_HALF)
    return mask


def _inpainted(base_model, model) -> list[tuple[Image.Image, Image.Image]]:
    """(the blue circle picture, the result of painting a red square into its left half)."""
    pairs = []
    for seed in SEEDS:
        base = _draw(base_model, "a blue circle on the right", seed)
        result = _draw(
            model,
            "a red square on the left",
            seed,
            init_image=base,
            mask=_left_half_mask(),
            strength=1.0,
        )
        pairs.append((base, result))
    return pairs


@pytest.fixture(scope="module")
def demo_inpainting_model():
    from sdstudio.engine.models.loading import load_model

    return load_model("demo-inpainting", device="cpu")


@pytest.fixture(scope="module")
def inpainted(demo_model, demo_inpainting_model):
    return _inpainted(demo_model, demo_inpainting_model)


def test_the_demo_inpainting_model_paints_a_red_square_on_the_left(inpainted) -> None:
    seen = [look(result.crop(LEFT_HALF)) for _, result in inpainted]
    right = [s.colour == "red" and s.shape is not None and s.shape.value == "square" for s in seen]
    assert sum(right) >= 5, [(s.colour, s.shape) for s in seen]


def test_the_blue_circle_is_kept(inpainted) -> None:
    for base, result in inpainted:
        kept = (80, 0, 128, 128)  # beyond the tail of the 4-px Gaussian on the mask edge
        assert np.array_equal(np.asarray(result.crop(kept)), np.asarray(base.crop(kept)))
        seen = look(base.crop((64, 0, 128, 128)))
        assert (seen.colour, seen.shape.value if seen.shape else None) == ("blue", "circle")


@pytest.mark.xfail(
    strict=True,
    reason="the demo's tiny VAE is not local: its group norms put the object's colour into "
    "the background's latents too, so an ordinary model's kept latents (a blue circle on "
    "gray) decode the new square in another colour (yellow); its inpainting model does not "
    "blend latents and draws it red",
)
def test_the_ordinary_demo_also_paints_it_red(demo_model) -> None:
    pairs = _inpainted(demo_model, demo_model)
    seen = [look(result.crop(LEFT_HALF)) for _, result in pairs]
    assert sum(s.colour == "red" for s in seen) >= 5, [s.colour for s in seen]
