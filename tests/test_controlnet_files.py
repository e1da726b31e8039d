"""ControlNet models from files: found by name or path, loaded from diffusers folders and
single ``.safetensors`` files, pickles and other families' ControlNets refused with a
message, and a job's units run with the model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from sdstudio.engine.errors import ModelLoadError, RequestError
from sdstudio.engine.generation.controlnet.cache import CONTROLNETS
from sdstudio.engine.generation.controlnet.library import (
    available_controlnets,
    controlnet_dir,
    find_controlnet,
)
from sdstudio.engine.generation.controlnet.loading import load_controlnet
from sdstudio.engine.generation.controlnet.modes import ControlMode
from sdstudio.engine.generation.controlnet.unit import ControlUnit
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved, JobFailed
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.runner import run_job
from tests.helpers import max_pixel_difference, noise_image
from tests.random_controlnet import build_random_controlnet

CONTROL = noise_image(64, 64, seed=21)


@pytest.fixture(scope="module")
def demo_controlnet(demo_model):
    return build_random_controlnet(demo_model.pipeline.unet, seed=5)


@pytest.fixture
def controlnet_folder(demo_controlnet, tmp_path) -> Path:
    folder = tmp_path / "tiny-controlnet"
    demo_controlnet.save_pretrained(folder, safe_serialization=True)
    return folder


@pytest.fixture
def controlnet_file(demo_controlnet, tmp_path) -> Path:
    path = tmp_path / "tiny-controlnet.safetensors"
    save_file({k: v.contiguous() for k, v in demo_controlnet.state_dict().items()}, path)
    return path


@pytest.fixture(autouse=True)
def no_controlnet_kept():
    yield
    CONTROLNETS.release()


def _same_weights(first, second) -> bool:
    theirs = second.state_dict()
    return all(torch.equal(value, theirs[key]) for key, value in first.state_dict().items())


@pytest.mark.parametrize("suffix", [".pth", ".ckpt", ".bin", ".pt"])
def test_a_pickled_controlnet_is_refused_with_a_message(demo_model, tmp_path, suffix) -> None:
    path = tmp_path / f"control_v11p_sd15_canny{suffix}"
    path.write_bytes(b"\x80\x04not opened")
    with pytest.raises(ModelLoadError, match=r"not a \.safetensors file.*can run code"):
        load_controlnet(find_controlnet(str(path)), demo_model)


def test_a_pickled_controlnet_named_in_the_folder_is_found_and_refused(demo_model) -> None:
    (controlnet_dir() / "control_v11f1p_sd15_depth.pth").write_bytes(b"\x80\x04not opened")
    with pytest.raises(ModelLoadError, match="control_v11f1p_sd15_depth.pth is not a"):
        load_controlnet(find_controlnet("control_v11f1p_sd15_depth"), demo_model)


def test_a_sharded_folder_naming_a_pickle_is_refused(demo_model, controlnet_folder) -> None:
    (controlnet_folder / "diffusion_pytorch_model.safetensors").unlink()
    index = {"weight_map": {"conv_in.weight": "diffusion_pytorch_model-00001.bin"}}
    (controlnet_folder / "diffusion_pytorch_model.safetensors.index.json").write_text(
        json.dumps(index)
    )
    with pytest.raises(ModelLoadError, match="not a .safetensors file"):
        load_controlnet(controlnet_folder, demo_model)


def test_a_folder_with_pickled_weights_only_is_refused(demo_model, controlnet_folder) -> None:
    (controlnet_folder / "diffusion_pytorch_model.safetensors").rename(
        controlnet_folder / "diffusion_pytorch_model.bin"
    )
    with pytest.raises(ModelLoadError, match=r"no diffusion_pytorch_model\.safetensors.*\.bin"):
        load_controlnet(controlnet_folder, demo_model)


def test_a_folder_of_another_kind_is_refused(demo_model, tmp_path) -> None:
    demo_model.pipeline.vae.save_pretrained(tmp_path / "vae")
    with pytest.raises(
        ModelLoadError, match="not a ControlNet: its config.json says AutoencoderKL"
    ):
        load_controlnet(tmp_path / "vae", demo_model)


def test_a_file_that_is_not_a_controlnet_is_refused(demo_model, tmp_path) -> None:
    path = tmp_path / "model.safetensors"
    save_file({"model.diffusion_model.input_blocks.0.0.weight": torch.zeros(4, 4, 3, 3)}, path)
    with pytest.raises(ModelLoadError, match="is a whole model, not a ControlNet"):
        load_controlnet(path, demo_model)


def test_a_folder_and_a_single_file_load_the_same_weights(
    demo_model, demo_controlnet, controlnet_folder, controlnet_file
) -> None:
    """The single file has no config: the model's UNet gives the architecture, the file its
    control-image embedding's (here not the usual one)."""
    from_folder = load_controlnet(controlnet_folder, demo_model)
    from_file = load_controlnet(controlnet_file, demo_model)
    assert tuple(from_file.config.conditioning_embedding_out_channels) == (8, 16, 16, 32)
    assert _same_weights(demo_controlnet, from_folder)
    assert _same_weights(demo_controlnet, from_file)


def test_an_sd_controlnet_is_refused_for_sdxl(
    sdxl_model, controlnet_folder, controlnet_file
) -> None:
    with pytest.raises(ModelLoadError, match="made for another model family"):
        load_controlnet(controlnet_folder, sdxl_model)
    with pytest.raises(ModelLoadError, match="does not fit this model"):
        load_controlnet(controlnet_file, sdxl_model)


def test_names_find_files_and_folders_in_the_controlnet_folder(demo_controlnet) -> None:
    folder = controlnet_dir()
    path = folder / "names-test-canny.safetensors"
    save_file({"x": torch.zeros(1)}, path)
    demo_controlnet.save_pretrained(folder / "names-test-depth")
    assert find_controlnet("Names-Test-Canny") == path
    assert find_controlnet("names-test-canny [d14c016b]") == path  # A1111's infotext
    assert find_controlnet("names-test-depth") == folder / "names-test-depth"
    listed = available_controlnets()
    assert path in listed and folder / "names-test-depth" in listed
    with pytest.raises(ModelLoadError, match=f"No ControlNet named 'lineart'.*{folder}"):
        find_controlnet("lineart")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"start": 0.8, "end": 0.2}, "must start before it ends"),
        ({"weight": 2.5}, "weight must be between 0 and 2"),
        ({"weight": float("nan")}, "weight must be a finite number"),
        ({"mode": "strong"}, "control mode must be one of balanced, prompt, controlnet"),
    ],
)
def test_unit_settings_that_cannot_run_are_refused(settings, message) -> None:
    with pytest.raises(RequestError, match=message):
        ControlUnit("canny", CONTROL, **settings)


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("Balanced", "balanced"),
        ("My prompt is more important", "prompt"),
        ("ControlNet is more important", "controlnet"),
        ("CONTROLNET", "controlnet"),
    ],
)
def test_a1111s_control_mode_names_are_understood(text, mode) -> None:
    assert ControlMode.parse(text).value == mode
    assert ControlUnit("canny", CONTROL, mode=ControlMode.parse(text).value).mode == mode


def test_an_unknown_control_mode_name_is_refused() -> None:
    with pytest.raises(ValueError):
        ControlMode.parse("Prompt and ControlNet")


def _request(**changes) -> GenerationRequest:
    values = dict(prompt="a red circle", steps=3, width=64, height=64, seed=4, cfg_scale=6.0)
    return GenerationRequest(**{**values, **changes})


def _saved_image(model, job):
    payloads = [event.payload for event in run_job(model, job)]
    failures = [payload.message for payload in payloads if isinstance(payload, JobFailed)]
    assert not failures
    [saved] = [payload for payload in payloads if isinstance(payload, ImageSaved)]
    return saved.image


def test_a_job_runs_its_units_with_the_controlnet_named_in_the_folder(
    demo_model, demo_controlnet, tmp_path
) -> None:
    save_file(
        {k: v.contiguous() for k, v in demo_controlnet.state_dict().items()},
        controlnet_dir() / "job-test.safetensors",
    )
    control_file = tmp_path / "edges.png"
    CONTROL.save(control_file)
    unit = ControlUnit("job-test", control_file, weight=0.8, start=0.0, end=0.7)
    off = SaveOptions(enabled=False)
    plain = _saved_image(demo_model, Job(_request(), saving=off))
    controlled = _saved_image(demo_model, Job(_request(), saving=off, controlnets=(unit,)))
    again = _saved_image(demo_model, Job(_request(), saving=off, controlnets=(unit,)))
    assert max_pixel_difference(plain, controlled) > 30
    assert max_pixel_difference(controlled, again) == 0


def test_the_last_jobs_controlnet_is_kept_for_the_next(demo_model, controlnet_file) -> None:
    unit = ControlUnit(str(controlnet_file), CONTROL)
    (first,) = CONTROLNETS.loaded_units([unit], demo_model)
    (second,) = CONTROLNETS.loaded_units([unit], demo_model)
    assert first.controlnet is second.controlnet


def test_a_missing_controlnet_fails_the_job_with_a_message(demo_model) -> None:
    unit = ControlUnit("no-such-controlnet", CONTROL)
    job = Job(_request(), saving=SaveOptions(enabled=False), controlnets=(unit,))
    payloads = [event.payload for event in run_job(demo_model, job)]
    [failure] = [payload for payload in payloads if isinstance(payload, JobFailed)]
    assert "No ControlNet named 'no-such-controlnet'" in failure.message
    assert not any(isinstance(payload, ImageSaved) for payload in payloads)


def test_only_masked_inpainting_with_a_controlnet_is_refused(demo_model, controlnet_file) -> None:
    mask = noise_image(64, 64, seed=2).convert("L")
    request = _request(init_image=CONTROL, mask=mask, inpaint_area="masked", strength=0.9)
    unit = ControlUnit(str(controlnet_file), CONTROL)
    job = Job(request, saving=SaveOptions(enabled=False), controlnets=(unit,))
    payloads = [event.payload for event in run_job(demo_model, job)]
    [failure] = [payload for payload in payloads if isinstance(payload, JobFailed)]
    assert "'Only masked' inpainting" in failure.message
