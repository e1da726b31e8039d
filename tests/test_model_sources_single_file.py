"""Single-file checkpoints: a .safetensors in the original SD layout loads and generates;
pickles, damaged files and other model families are refused with clear messages."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.models.families import SD1, SD2
from sdstudio.engine.models.families.config_files import load_clip_tokenizer
from sdstudio.engine.models.load_options import LoadOptions
from sdstudio.engine.models.loading import load_model
from tests.model_sources_fixtures import (
    write_code_running_pickle,
    write_original_layout_checkpoint,
)
from tests.random_sd_model import build_random_sd_pipeline

REQUEST = GenerationRequest(prompt="a castle at night", steps=2, width=64, height=64, seed=3)
UNET_KEY = "model.diffusion_model.input_blocks.0.0.weight"


@pytest.fixture(scope="module")
def random_model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SD's original layout has a mid-block attention the demo leaves out: a random model."""
    folder = tmp_path_factory.mktemp("random-sd") / "random-sd"
    build_random_sd_pipeline().save_pretrained(folder, safe_serialization=True)
    return folder


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("checkpoint")
    pipeline = build_random_sd_pipeline()
    return write_original_layout_checkpoint(pipeline, folder / "tiny.safetensors")


def tiny_tensors(names: list[str], shape: tuple[int, ...] = (4, 4)) -> dict[str, torch.Tensor]:
    return {name: torch.zeros(shape) for name in names}


def test_a_single_file_checkpoint_loads_and_makes_the_same_image_as_its_folder(
    checkpoint, random_model_folder
):
    options = LoadOptions(config_dir=random_model_folder)
    from_file = load_model(str(checkpoint), device="cpu", options=options)
    from_folder = load_model(str(random_model_folder), device="cpu")

    image = [e for e in generate(from_file, REQUEST) if isinstance(e, ImageFinished)][0].image
    expected = [e for e in generate(from_folder, REQUEST) if isinstance(e, ImageFinished)][0]

    assert from_file.name == "tiny"
    assert image.tobytes() == expected.image.tobytes()


def test_a_pickle_checkpoint_is_refused_and_its_code_never_runs(tmp_path):
    marker = tmp_path / "payload-ran"
    for suffix in (".ckpt", ".pt", ".bin"):
        path = write_code_running_pickle(tmp_path / f"model{suffix}", marker)

        with pytest.raises(ModelLoadError, match=r"pickle.*convert the file to \.safetensors"):
            load_model(str(path), device="cpu")
    assert not marker.exists()


def test_a_truncated_checkpoint_says_it_is_truncated(checkpoint, tmp_path):
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(checkpoint.read_bytes()[: checkpoint.stat().st_size // 2])

    with pytest.raises(ModelLoadError, match="cut.safetensors is truncated"):
        load_model(str(cut), device="cpu")


def test_a_file_that_is_not_a_model_says_so(tmp_path):
    notes = tmp_path / "notes.safetensors"
    notes.write_text("shopping list: eggs, flour\n" * 20)

    with pytest.raises(ModelLoadError, match="not a valid .safetensors model file"):
        load_model(str(notes), device="cpu")


def test_an_unknown_file_type_lists_what_can_be_opened(tmp_path):
    picture = tmp_path / "cat.png"
    picture.write_bytes(b"\x89PNG")

    with pytest.raises(ModelLoadError, match="not a model file sdstudio can open"):
        load_model(str(picture), device="cpu")


def test_a_lora_file_is_told_apart_from_a_model(tmp_path):
    path = tmp_path / "style.safetensors"
    names = [f"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.{i}" for i in range(9)]
    save_file(tiny_tensors(names), str(path))

    with pytest.raises(ModelLoadError, match="looks like a LoRA"):
        load_model(str(path), device="cpu")


def test_an_sd2_checkpoint_is_recognised_by_its_openclip_text_encoder(tmp_path):
    from sdstudio.engine.models.checkpoint_header import read_checkpoint_header

    path = tmp_path / "sd21.safetensors"
    names = [UNET_KEY, "first_stage_model.encoder.conv_in.weight"]
    names.append("cond_stage_model.model.token_embedding.weight")
    tensors = tiny_tensors(names)
    tensors[UNET_KEY] = torch.zeros(320, 4, 3, 3)
    save_file(tensors, str(path))

    assert read_checkpoint_header(path).family is SD2


def test_the_shipped_tokenizer_gives_clips_token_ids():
    tokenizer = load_clip_tokenizer(SD1.pad_token)

    assert tokenizer("a photo of a cat").input_ids == [49406, 320, 1125, 539, 320, 2368, 49407]
    assert tokenizer.model_max_length == 77


def test_missing_tokenizer_files_say_how_to_get_them(checkpoint, tmp_path, monkeypatch):
    import sdstudio.engine.models.families.config_files as families

    empty_resources = tmp_path / "resources"
    (empty_resources / "model_configs").mkdir(parents=True)
    real = families.resources_dir()
    (empty_resources / "model_configs" / "sd15").symlink_to(real / "model_configs" / "sd15")
    monkeypatch.setattr(families, "resources_dir", lambda: empty_resources)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))

    with pytest.raises(ModelLoadError, match="hf download openai/clip-vit-large-patch14"):
        load_model(str(checkpoint), device="cpu")


def test_a_single_file_inpainting_checkpoint_loads_with_a_9_channel_unet(
    tmp_path, random_model_folder
):
    from tests.inpainting_models import widened_unet

    pipeline = build_random_sd_pipeline()
    pipeline.unet = widened_unet(pipeline.unet)
    path = write_original_layout_checkpoint(pipeline, tmp_path / "tiny-inpainting.safetensors")
    options = LoadOptions(config_dir=random_model_folder)

    model = load_model(str(path), device="cpu", options=options)

    assert model.pipeline.unet.config.in_channels == 9
    state = model.pipeline.unet.state_dict()["conv_in.weight"]
    assert torch.equal(state, pipeline.unet.state_dict()["conv_in.weight"])
