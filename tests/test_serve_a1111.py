"""A1111's txt2img/img2img fields mapped onto the job schema (no Ray needed: the mapping is
plain Python; tests/test_serve_server.py runs it on a server)."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from sdstudio.engine.remote.wire_error import WireError
from sdstudio.engine.remote.wire_job import job_from_wire
from sdstudio.serve.a1111 import OVERRIDE_NOTE, a1111_job
from sdstudio.serve.a1111_sd_upscale import upscaler_names, upscalers_answer


def _png(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_a1111_fields_become_the_schema_settings() -> None:
    body = {"prompt": "a castle", "negative_prompt": "fog", "steps": 12, "cfg_scale": 5,
            "width": 64, "height": 96.0, "seed": 7, "sampler_name": "DPM++ 2M",
            "scheduler": "Karras", "batch_size": 2, "n_iter": 3, "restore_faces": False,
            "subseed": 4, "override_settings": {}}  # fmt: skip
    wire, notes = a1111_job(body, img2img=False)
    assert wire["settings"] == {
        "prompt": "a castle", "negative_prompt": "fog", "steps": 12, "cfg_scale": 5.0,
        "width": 64, "height": 96, "seed": 7, "scheduler": "DPM++ 2M Karras",
        "batch_size": 2, "batch_count": 3,
    }  # fmt: skip
    assert notes == []
    request = job_from_wire(wire, "x").request
    assert (request.scheduler, request.batch_count, request.height) == ("DPM++ 2M Karras", 3, 96)


def test_seed_minus_one_is_random_and_nulls_are_defaults() -> None:
    seeds = {a1111_job({"seed": -1, "sampler_name": None}, False)[0]["settings"]["seed"]
             for _ in range(5)}  # fmt: skip
    assert len(seeds) > 1 and all(0 <= seed < 2**32 for seed in seeds)
    wire, _ = a1111_job({"prompt": "x", "steps": None}, False)
    assert "steps" not in wire["settings"] and "scheduler" not in wire["settings"]


def test_hires_fix_and_ignored_options_are_noted() -> None:
    body = {"enable_hr": True, "hr_scale": 1.5, "denoising_strength": 0.4,
            "hr_sampler_name": "euler a", "override_settings": {"CLIP_stop_at_last_layers": 2},
            "tiling": True}  # fmt: skip
    wire, notes = a1111_job(body, img2img=False)
    settings = wire["settings"]
    assert (settings["hires_upscaler"], settings["hires_scale"]) == ("Latent", 1.5)
    assert (settings["hires_denoise"], settings["hires_sampler"]) == (0.4, "Euler a")
    assert "strength" not in settings
    assert notes == [OVERRIDE_NOTE, "tiling is not done by this server and was ignored"]


def test_img2img_maps_the_init_image_and_the_inpainting_options() -> None:
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (0, 0, 16, 64))
    body = {"init_images": [_png(Image.new("RGB", (64, 64), "red"))], "mask": _png(mask),
            "denoising_strength": 0.6, "mask_blur": 2, "inpainting_fill": 2,
            "inpaint_full_res": 1, "inpaint_full_res_padding": 8,
            "inpainting_mask_invert": 1}  # fmt: skip
    wire, _ = a1111_job(body, img2img=True)
    assert wire["settings"] == {
        "seed": wire["settings"]["seed"], "strength": 0.6, "mask_blur": 2,
        "mask_padding": 8, "masked_content": "noise", "inpaint_area": "masked",
    }  # fmt: skip
    request = job_from_wire({**wire, "settings": {**wire["settings"], "width": 64,
                                                  "height": 64}}, "x").request  # fmt: skip
    assert request.mask.getpixel((2, 2)) == 0 and request.mask.getpixel((40, 2)) == 255
    assert request.init_image.getpixel((5, 5)) == (255, 0, 0)


@pytest.mark.parametrize(
    ("body", "img2img", "message"),
    [
        ({"sampler_name": "DPM++ SDE"}, False, "Unknown sampler 'DPM++ SDE'"),
        ({"sampler_name": "Euler", "scheduler": "Exponential"}, False, "Unknown schedule type"),
        ({"cfg_scale": "high"}, False, "cfg_scale must be a number, not 'high'"),
        ({"seed": 2**40}, False, "seed must be at most"),
        ({"init_images": []}, True, "init_images must be a list with one base64 image"),
        ({"init_images": ["bm90IGFuIGltYWdl"]}, True, "init_images[0] cannot be read"),
        ({"init_images": ["?!"]}, True, "init_images[0] is not valid base64"),
        ([1, 2], False, "The body must be a JSON object"),
    ],
)
def test_bad_values_are_refused_with_a_message(body, img2img: bool, message: str) -> None:
    with pytest.raises(WireError) as refused:
        a1111_job(body, img2img)
    assert message in str(refused.value)


NAMES = upscaler_names(["4x-UltraSharp"])  # None, Lanczos, Nearest, the server's model


def _sd_upscale_body(script_args: list) -> dict:
    return {"init_images": [_png(Image.new("RGB", (96, 80), "red"))], "width": 64,
            "height": 64, "denoising_strength": 0.3, "script_name": "SD upscale",
            "script_args": script_args}  # fmt: skip


@pytest.mark.parametrize("upscaler", [3, "4x-ultrasharp"])
def test_the_sd_upscale_script_becomes_the_jobs_sd_upscale(upscaler) -> None:
    """By A1111's index in GET /sdapi/v1/upscalers, or by its name."""
    wire, notes = a1111_job(_sd_upscale_body([None, 32, upscaler, 2.5]), True, NAMES)
    assert wire["sd_upscale"] == {"upscaler": "4x-UltraSharp", "scale": 2.5, "overlap": 32}
    assert not notes  # the script is done, not ignored
    job = job_from_wire(wire, "x")
    assert job.sd_upscale.upscaler == "4x-UltraSharp" and job.request.width == 64


@pytest.mark.parametrize(
    ("script_args", "message"),
    [
        ([None, 64, 0, 2.0], "without an upscaler (None) is not done by this server: choose "
                             "one of 1: Lanczos, 2: Nearest, 3: 4x-UltraSharp"),
        ([None, 64, 9, 2.0], "upscaler_index 9 is not one of this server's upscalers (0 to 3"),
        ([None, 64, 1], "script_args are [info, overlap, upscaler_index, scale_factor]"),
        ([None, "wide", 1, 2.0], "overlap must be a whole number of pixels"),
        ([None, 64, 1, "twice"], "scale_factor must be a number"),
    ],
)  # fmt: skip
def test_sd_upscale_script_args_it_cannot_take_are_refused(script_args, message) -> None:
    with pytest.raises(WireError) as refused:
        a1111_job(_sd_upscale_body(script_args), True, NAMES)
    assert message in str(refused.value)


def test_the_upscaler_list_has_a1111s_first_three_then_the_models() -> None:
    listed = upscalers_answer(NAMES)
    assert [each["name"] for each in listed] == ["None", "Lanczos", "Nearest", "4x-UltraSharp"]
    assert listed[3]["model_name"] == "4x-UltraSharp" and listed[1]["model_name"] is None
