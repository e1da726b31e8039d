"""A1111's inpainting fields are written for inpainted pictures, and read back."""

from __future__ import annotations

from PIL import Image

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.metadata.infotext import parse_infotext
from sdstudio.engine.metadata.infotext_settings import read_settings_params
from sdstudio.engine.metadata.record import record_for


def _params(demo_model, **settings) -> dict[str, str]:
    request = GenerationRequest("a red square", seed=3, width=64, height=64, **settings)
    return parse_infotext(record_for(request, demo_model, 3).infotext()).params


def _inpainting(**settings) -> dict:
    return {
        "init_image": Image.new("RGB", (64, 64)),
        "mask": Image.new("L", (64, 64), 255),
        **settings,
    }


def test_only_masked_writes_a1111s_fields(demo_model) -> None:
    params = _params(demo_model, **_inpainting(inpaint_area="masked", mask_padding=48, mask_blur=6))
    assert params["Mask blur"] == "6"
    assert params["Inpaint area"] == "Only masked"
    assert params["Masked area padding"] == "48"
    assert "Masked content" not in params  # "original", A1111's default, is left out


def test_the_whole_picture_writes_mask_blur_only(demo_model) -> None:
    params = _params(demo_model, **_inpainting(masked_content="noise"))
    assert params["Mask blur"] == "4"
    assert params["Masked content"] == "latent noise"
    assert "Inpaint area" not in params and "Masked area padding" not in params


def test_a_picture_without_a_mask_has_no_inpainting_fields(demo_model) -> None:
    params = _params(demo_model, init_image=Image.new("RGB", (64, 64)), strength=0.5)
    assert "Mask blur" not in params and "Denoising strength" in params


def test_a1111s_inpainting_fields_are_read_back() -> None:
    text = (
        "a cat\nSteps: 20, Sampler: Euler, Seed: 1, Size: 512x512, Denoising strength: 0.6, "
        "Mask blur: 8, Inpaint area: Only masked, Masked area padding: 40, "
        "Masked content: latent nothing"
    )
    values, skipped = read_settings_params(parse_infotext(text).params)
    assert skipped == []
    assert values["mask_blur"] == 8
    assert values["inpaint_area"] == "masked"
    assert values["mask_padding"] == 40
    assert values["masked_content"] == "nothing"


def test_an_unknown_inpaint_area_is_reported_not_used() -> None:
    text = "x\nSteps: 20, Sampler: Euler, Seed: 1, Size: 64x64, Inpaint area: Sideways"
    values, skipped = read_settings_params(parse_infotext(text).params)
    assert "inpaint_area" not in values
    assert skipped == ["Inpaint area 'Sideways' is not a value sdstudio can use"]
