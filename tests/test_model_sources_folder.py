"""Diffusers folders: SD 1.x-shaped and v-prediction folders load and generate; broken ones
are refused with a message naming the problem."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished, StepEvent
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.models.demo.model import demo_model_dir
from sdstudio.engine.models.loading import load_model
from tests.model_sources_fixtures import (
    copy_model_folder,
    make_v_prediction_folder,
    write_code_running_pickle,
)

REQUEST = GenerationRequest(prompt="a red fox", steps=3, width=64, height=64, seed=7)


@pytest.fixture
def model_folder(tmp_path: Path) -> Path:
    return copy_model_folder(demo_model_dir(), tmp_path / "my-model")


def run(model) -> list:
    return list(generate(model, REQUEST))


def test_a_diffusers_folder_loads_under_its_folder_name_and_makes_an_image(model_folder):
    model = load_model(str(model_folder), device="cpu")

    events = run(model)

    assert model.name == "my-model" and not model.is_demo
    assert isinstance(events[-1], ImageFinished)
    assert events[-1].image.size == (64, 64)


def test_a_v_prediction_folder_generates_with_finite_previews(tmp_path):
    epsilon = load_model(str(copy_model_folder(demo_model_dir(), tmp_path / "eps")), "cpu")
    folder = make_v_prediction_folder(demo_model_dir(), tmp_path / "v-model")
    v_model = load_model(str(folder), device="cpu")

    events = run(v_model)
    previews = [event.x0 for event in events if isinstance(event, StepEvent)]
    image = events[-1].image

    assert v_model.prediction_type == "v_prediction"
    assert previews and all(torch.isfinite(x0).all() for x0 in previews)
    # Same weights read as v-prediction must denoise differently than as epsilon.
    assert image.tobytes() != run(epsilon)[-1].image.tobytes()


def test_a_folder_missing_its_unet_is_refused_by_name(model_folder):
    shutil.rmtree(model_folder / "unet")

    with pytest.raises(ModelLoadError, match="missing its 'unet' component"):
        load_model(str(model_folder), device="cpu")


def test_a_folder_missing_its_vae_weights_names_the_file(model_folder):
    (model_folder / "vae" / "diffusion_pytorch_model.safetensors").unlink()

    with pytest.raises(ModelLoadError, match="vae/diffusion_pytorch_model.safetensors"):
        load_model(str(model_folder), device="cpu")


def test_pickle_weights_in_a_folder_are_never_unpickled(model_folder, tmp_path):
    marker = tmp_path / "payload-ran"
    (model_folder / "unet" / "diffusion_pytorch_model.safetensors").unlink()
    write_code_running_pickle(model_folder / "unet" / "diffusion_pytorch_model.bin", marker)

    with pytest.raises(ModelLoadError, match="pickle"):
        load_model(str(model_folder), device="cpu")
    assert not marker.exists()


def test_an_sdxl_folder_without_its_second_text_encoder_names_it(model_folder):
    index_file = model_folder / "model_index.json"
    index = json.loads(index_file.read_text())
    index["_class_name"] = "StableDiffusionXLPipeline"
    index_file.write_text(json.dumps(index))

    with pytest.raises(ModelLoadError, match="missing its 'text_encoder_2' component"):
        load_model(str(model_folder), device="cpu")


def test_an_sdxl_inpainting_folder_is_read_as_sdxl(model_folder):
    index_file = model_folder / "model_index.json"
    index = json.loads(index_file.read_text())
    index["_class_name"] = "StableDiffusionXLInpaintPipeline"
    index_file.write_text(json.dumps(index))

    with pytest.raises(ModelLoadError, match="missing its 'text_encoder_2' component"):
        load_model(str(model_folder), device="cpu")


def test_a_folder_without_model_index_says_what_to_open(tmp_path):
    (tmp_path / "photos").mkdir()

    with pytest.raises(ModelLoadError, match="no model_index.json"):
        load_model(str(tmp_path / "photos"), device="cpu")


def test_an_unknown_path_is_reported_as_not_found(tmp_path):
    with pytest.raises(ModelLoadError, match="Model not found"):
        load_model(str(tmp_path / "nowhere" / "model.safetensors"), device="cpu")
