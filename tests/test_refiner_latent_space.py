"""A refiner made for another latent space: another scale runs and is said, other channels
are refused before any work."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.events import Notice
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.models.refiner_fit import refiner_latent_notice
from sdstudio.engine.networks.selection import NetworkFolders
from tests.networks_fixtures import job_result

SETTINGS = {"steps": 4, "cfg_scale": 6.0, "seed": 1, "width": 64, "height": 64}


def _notices(payloads: list) -> list[str]:
    return [payload.text for payload in payloads if isinstance(payload, Notice)]


def test_an_sdxl_refiner_behind_the_demo_model_runs_and_says_so(demo_model, sdxl_refiner) -> None:
    request = GenerationRequest("a red circle", refiner=sdxl_refiner.source, **SETTINGS)
    image, payloads = job_result(demo_model, request, NetworkFolders())
    assert not isinstance(image, str), image  # it ran
    [said] = [text for text in _notices(payloads) if "latents scaled by" in text]
    assert "reads latents scaled by 0.13025, the model makes them scaled by 0.545" in said


def test_an_sdxl_refiner_behind_an_sdxl_model_says_nothing_of_latents(
    sdxl_model, sdxl_refiner
) -> None:
    request = GenerationRequest("a red circle", refiner=sdxl_refiner.source, **SETTINGS)
    image, payloads = job_result(sdxl_model, request, NetworkFolders())
    assert not isinstance(image, str), image
    assert not [text for text in _notices(payloads) if "latents scaled by" in text]


def _model(name: str, channels: int, scale: float) -> SimpleNamespace:
    config = SimpleNamespace(latent_channels=channels, scaling_factor=scale)
    return SimpleNamespace(name=name, pipeline=SimpleNamespace(vae=SimpleNamespace(config=config)))


def test_a_refiner_with_other_latent_channels_is_refused() -> None:
    with pytest.raises(RequestError, match="makes 16-channel latents and the model 4-channel"):
        refiner_latent_notice(_model("sd15", 4, 0.18215), _model("flux-ish", 16, 0.3611))
