"""ControlNet units count in a run's memory estimate: each raises it, and a run refused for
memory says how many units it counted; the free memory is made up, so nothing allocates."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PIL import Image

from sdstudio.engine.generation import memory_estimate
from sdstudio.engine.generation.controlnet.memory import residual_values
from sdstudio.engine.generation.controlnet.unit import ControlUnit
from sdstudio.engine.generation.events import StepEvent
from sdstudio.engine.generation.memory_estimate import RunTooLargeError, check_run_fits
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import JobFailed
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.runner import run_job
from sdstudio.engine.models.load_options import LoadOptions
from sdstudio.engine.modules import load_architecture
from tests.random_controlnet import build_random_controlnet

GB = 10**9
PICTURE = Image.new("RGB", (64, 64), "gray")


@pytest.fixture(scope="module")
def tiled_demo():
    from sdstudio.engine.models.loading import load_model

    return load_model("demo", device="cpu", options=LoadOptions(vae_tiling=True))


@pytest.fixture
def controlnet(demo_model, tmp_path: Path) -> str:
    folder = tmp_path / "memory-tiny"
    build_random_controlnet(demo_model.pipeline.unet).save_pretrained(
        folder, safe_serialization=True
    )
    return str(folder)


@pytest.fixture
def two_gb_free(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory_estimate, "free_bytes", lambda _device: 2 * GB)


def _request(side: int) -> GenerationRequest:
    return GenerationRequest("a red circle", steps=1, width=side, height=side, seed=3)


def _peak(model, side: int, units: tuple[ControlUnit, ...]) -> int:
    estimate = memory_estimate.estimate_run(model.pipeline, _request(side), False, units)
    assert estimate is not None
    return estimate.peak


def test_each_unit_raises_the_estimate(demo_model, controlnet) -> None:
    unit = ControlUnit(controlnet, PICTURE)
    peaks = [_peak(demo_model, 2048, units) for units in ((), (unit,), (unit, unit))]

    assert peaks[0] < peaks[1] < peaks[2]


def test_with_vae_tiling_a_unit_is_the_peak_of_a_large_image(tiled_demo, controlnet) -> None:
    alone = _peak(tiled_demo, 4096, ())
    controlled = _peak(tiled_demo, 4096, (ControlUnit(controlnet, PICTURE),))

    # the control-image embedding runs at the full 4096²: about 5.1 GB against 1.5 GB
    assert (round(alone / GB, 1), round(controlled / GB, 1)) == (1.5, 5.1)


def test_a_run_that_fits_alone_is_refused_with_its_unit_counted(
    tiled_demo, controlnet, two_gb_free, monkeypatch
) -> None:
    from sdstudio.engine.jobs import generation_payloads

    def started(*_args: object) -> None:
        raise AssertionError("the run started")

    check_run_fits(tiled_demo, _request(4096))  # without the unit it fits
    monkeypatch.setattr(generation_payloads, "generate", started)
    job = Job(
        _request(4096),
        saving=SaveOptions(enabled=False),
        controlnets=(ControlUnit(controlnet, PICTURE),),
    )
    payloads = [event.payload for event in run_job(tiled_demo, job)]

    [failed] = [p for p in payloads if isinstance(p, JobFailed)]
    assert failed.message == (
        "A 4096×4096 image with 1 ControlNet unit needs about 5.1 GB and 2.0 GB are free: "
        "use a smaller size or fewer ControlNet units."
    )
    assert not any(isinstance(p, StepEvent) for p in payloads)


def test_the_message_counts_several_units_and_the_batch(
    demo_model, controlnet, two_gb_free
) -> None:
    units = (ControlUnit(controlnet, PICTURE), ControlUnit(controlnet, PICTURE))
    request = GenerationRequest("a red circle", steps=1, width=2048, height=2048, batch_size=2)

    with pytest.raises(RunTooLargeError) as refused:
        check_run_fits(demo_model, request, units)
    assert str(refused.value) == (
        "A batch of 2 2048×2048 images with 2 ControlNet units needs about 3.2 GB and 2.0 GB "
        "are free: use a smaller size, fewer images at once or fewer ControlNet units."
    )


@pytest.mark.parametrize("architecture", ["demo", "sd15", "sdxl"])
def test_the_residuals_are_counted_as_a_controlnet_hands_them_over(
    demo_model, architecture: str
) -> None:
    from diffusers import ControlNetModel

    if architecture == "demo":
        unet = demo_model.pipeline.unet
    else:
        unet = load_architecture(architecture).components["unet"]
    with torch.device("meta"):
        net = ControlNetModel.from_unet(unet, load_weights_from_unet=False)
    latent = (2, net.config.in_channels, 32, 32)
    kwargs = {"controlnet_cond": torch.zeros(2, 3, 256, 256, device="meta")}
    if net.config.addition_embed_type == "text_time":
        pooled = net.config.projection_class_embeddings_input_dim - 6 * 256
        kwargs["added_cond_kwargs"] = {
            "text_embeds": torch.zeros(2, pooled, device="meta"),
            "time_ids": torch.zeros(2, 6, device="meta"),
        }
    states = torch.zeros(2, 77, net.config.cross_attention_dim, device="meta")
    with torch.no_grad():
        down, mid = net(
            torch.zeros(latent, device="meta"), 500, states, **kwargs, return_dict=False
        )

    counted = sum(tensor[0].numel() for tensor in (*down, mid)) / (32 * 32)
    assert residual_values(unet.config) == counted
