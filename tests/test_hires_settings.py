"""The hires fix as settings: A1111's infotext keys written and read back, the command line's
flags, and what it refuses before a run."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from sdstudio.cli import build_parser, main
from sdstudio.cli.settings_arguments import build_request
from sdstudio.engine.metadata import read_metadata
from sdstudio.engine.metadata.infotext import parse_infotext
from sdstudio.engine.metadata.record import GenerationRecord
from sdstudio.engine.metadata.restore import settings_from_infotext

HIRES = {
    "hires_upscaler": "Latent",
    "hires_scale": 2.0,
    "hires_steps": 10,
    "hires_denoise": 0.5,
}


def test_infotext_has_a1111s_hires_fields() -> None:
    params = parse_infotext(GenerationRecord(prompt="a fox", **HIRES).infotext()).params
    assert params["Hires upscale"] == "2"
    assert params["Hires steps"] == "10"
    assert params["Hires upscaler"] == "Latent"
    assert params["Denoising strength"] == "0.5"
    assert "Hires resize" not in params and "Hires sampler" not in params


def test_infotext_without_the_hires_fix_has_no_hires_fields() -> None:
    params = parse_infotext(GenerationRecord(prompt="a fox").infotext()).params
    assert not [key for key in params if key.startswith("Hires") or key == "Denoising strength"]


def test_every_hires_field_comes_back_from_infotext() -> None:
    record = GenerationRecord(
        prompt="a fox",
        **HIRES,
        hires_resize_x=1024,
        hires_sampler="DPM++ 2M",
        hires_prompt="a fox, sharp fur",
        hires_negative_prompt="blur, noise",
    )
    params = parse_infotext(record.infotext()).params
    assert (params["Hires resize"], params["Hires sampler"]) == ("1024x0", "DPM++ 2M")
    assert "Hires upscale" not in params  # A1111 writes the resize instead of the factor
    restored = settings_from_infotext(parse_infotext(record.infotext()))
    expected = {
        "hires_upscaler": "Latent",
        "hires_steps": 10,
        "hires_denoise": 0.5,
        "hires_resize_x": 1024,
        "hires_resize_y": 0,
        "hires_sampler": "DPM++ 2M",
        "hires_prompt": "a fox, sharp fur",
        "hires_negative_prompt": "blur, noise",
    }
    assert {name: restored.settings[name] for name in expected} == expected
    assert "strength" not in restored.settings and restored.skipped == []


def test_an_a1111_hires_infotext_restores_the_hires_pass() -> None:
    text = (
        "a castle\nNegative prompt: fog\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 5, "
        "Size: 512x512, Model hash: 6ce0161689, Model: v1-5, Denoising strength: 0.45, "
        "Hires upscale: 1.5, Hires steps: 12, Hires upscaler: R-ESRGAN 4x+, "
        "Hires sampler: DPM++ 2M Karras, Version: v1.10.1"
    )
    settings = settings_from_infotext(parse_infotext(text)).settings
    assert settings["hires_upscaler"] == "R-ESRGAN 4x+"
    assert (settings["hires_scale"], settings["hires_steps"]) == (1.5, 12)
    assert settings["hires_denoise"] == 0.45 and "strength" not in settings
    assert settings["hires_sampler"] == "DPM++ 2M Karras"


def test_an_infotext_from_before_a1111_named_the_upscaler_means_latent() -> None:
    text = "a castle\nSteps: 20, Seed: 5, Size: 512x512, Denoising strength: 0.6, Hires upscale: 2"
    settings = settings_from_infotext(parse_infotext(text)).settings
    assert (settings["hires_upscaler"], settings["hires_denoise"]) == ("Latent", 0.6)
    assert "strength" not in settings


def test_an_img2img_infotext_turns_the_hires_fix_off() -> None:
    text = "a castle\nSteps: 20, Sampler: Euler a, Seed: 5, Size: 512x512, Denoising strength: 0.3"
    settings = settings_from_infotext(parse_infotext(text)).settings
    assert settings["strength"] == 0.3 and "hires_denoise" not in settings
    assert settings["hires_upscaler"] == "" and settings["hires_steps"] == 0


def test_the_command_line_flags_make_the_hires_request() -> None:
    args = build_parser().parse_args(
        [
            "generate",
            "--prompt",
            "a fox",
            "--hires-scale",
            "2",
            "--hires-steps",
            "10",
            "--hires-denoise",
            "0.5",
            "--hires-upscaler",
            "Lanczos",
            "--hires-sampler",
            "dpm++ 2m",
        ]
    )
    from sdstudio.cli.hires_options import check_hires_arguments

    check_hires_arguments(args)
    request = build_request(args)
    assert (request.hires_upscaler, request.hires_scale) == ("Lanczos", 2.0)
    assert (request.hires_steps, request.hires_denoise) == (10, 0.5)
    assert request.hires_sampler == "DPM++ 2M"
    assert request.final_size == (1024, 1024)  # the schema's 512 until the model says


def test_the_command_line_writes_the_hires_picture_and_its_fields(tmp_path: Path) -> None:
    out = tmp_path / "fox.png"
    args = ["generate", "--prompt", "a red circle", "--steps", "2", "--width", "64"]
    args += ["--height", "64", "--hires-upscaler", "Latent", "--hires-steps", "2"]
    assert main([*args, "--hires-denoise", "0.6", "--out", str(out)]) == 0
    with Image.open(out) as image:
        assert image.size == (128, 128)
    params = read_metadata(out).infotext.params
    assert (params["Size"], params["Hires upscaler"], params["Hires steps"]) == (
        "64x64",
        "Latent",
        "2",
    )
    assert params["Denoising strength"] == "0.6"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--hires-upscaler", "Latent", "--init", "{init}"], "The hires fix is for txt2img"),
        (
            ["--hires-scale", "3", "--hires-steps", "5"],
            "--hires-scale, --hires-steps only act with",
        ),
        (["--hires-upscaler", "Latent", "--hires-sampler", "Nope"], "Unknown hires sampler"),
    ],
)
def test_a_hires_request_that_cannot_run_is_one_line(
    tmp_path: Path, capsys, extra, message
) -> None:
    init = tmp_path / "init.png"
    Image.new("RGB", (64, 64)).save(init)
    code = main(["generate", "--prompt", "a fox", *[part.format(init=init) for part in extra]])
    err = capsys.readouterr().err
    assert code != 0 and message in err
    assert len(err.strip().splitlines()) == 1
