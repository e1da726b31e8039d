"""Textual-inversion embeddings named in a prompt: read safely in A1111's and diffusers'
formats, and equal to diffusers' load_textual_inversion."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from diffusers import EulerDiscreteScheduler, StableDiffusionPipeline

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved
from sdstudio.engine.models.demo.model import demo_model_dir
from sdstudio.engine.models.loading import load_model
from sdstudio.engine.networks.embeddings import read_vectors
from sdstudio.engine.networks.library import NetworkFile, NetworkKind
from sdstudio.engine.networks.selection import NetworkFolders
from tests.helpers import max_pixel_difference
from tests.networks_fixtures import job_result, write_embedding, write_sdxl_embedding


@pytest.fixture
def model():
    return load_model("demo", device="cpu")


def _width(model) -> int:
    return model.pipeline.text_encoder.get_input_embeddings().weight.shape[-1]


def _request(prompt: str) -> GenerationRequest:
    return GenerationRequest(
        prompt, steps=6, cfg_scale=7.0, seed=5, width=128, height=128, scheduler="Euler"
    )


def _diffusers(prompt: str, embedding: Path | None, token: str):
    pipe = StableDiffusionPipeline.from_pretrained(
        demo_model_dir(), safety_checker=None, requires_safety_checker=False
    )
    pipe.scheduler = EulerDiscreteScheduler.from_config(pipe.scheduler.config)
    pipe.set_progress_bar_config(disable=True)
    if embedding is not None:
        pipe.load_textual_inversion(str(embedding), token=token)
    return pipe(
        prompt,
        num_inference_steps=6,
        guidance_scale=7.0,
        width=128,
        height=128,
        generator=torch.Generator("cpu").manual_seed(5),
    ).images[0]


def test_an_a1111_embedding_equals_diffusers_load_textual_inversion(model, tmp_path) -> None:
    folder = tmp_path / "embeddings"
    path = folder / "shinystyle.pt"
    write_embedding(path, _width(model), vectors=3)
    prompt = "a red circle, shinystyle"
    result, _ = job_result(model, _request(prompt), NetworkFolders(embeddings=(folder,)))
    theirs = _diffusers(prompt, path, "shinystyle")
    assert isinstance(result, ImageSaved)
    assert max_pixel_difference(result.image, theirs) <= 2
    assert max_pixel_difference(result.image, _diffusers("a red circle, ", None, "")) > 10
    assert "TI hashes" in result.record.infotext()


@pytest.mark.parametrize("suffix", [".pt", ".safetensors", ".bin"])
def test_each_format_reads_the_same_vectors(tmp_path, suffix: str) -> None:
    path = tmp_path / f"style{suffix}"
    written = write_embedding(path, 32, vectors=2, seed=4)
    vectors = read_vectors(NetworkFile(NetworkKind.EMBEDDING, path))
    assert torch.equal(vectors[""], written)


def test_a_pickle_that_runs_code_is_refused(tmp_path) -> None:
    import pickle

    class Payload:
        def __reduce__(self):
            return (print, ("this ran",))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"string_to_param": {"*": Payload()}}))
    with pytest.raises(RequestError, match="cannot be read safely"):
        read_vectors(NetworkFile(NetworkKind.EMBEDDING, path))


def test_an_embedding_for_another_model_is_left_out_with_a_notice(model, tmp_path) -> None:
    folder = tmp_path / "embeddings"
    write_embedding(folder / "widestyle.safetensors", 768)
    result, payloads = job_result(
        model, _request("a red circle, widestyle"), NetworkFolders(embeddings=(folder,))
    )
    assert isinstance(result, ImageSaved)
    assert any("widestyle" in getattr(p, "text", "") for p in payloads)
    assert "TI hashes" not in result.record.infotext()


def test_an_embedding_no_prompt_names_is_unloaded(model, tmp_path) -> None:
    folder = tmp_path / "embeddings"
    write_embedding(folder / "shinystyle.pt", _width(model))
    folders = NetworkFolders(embeddings=(folder,))
    job_result(model, _request("a red circle, shinystyle"), folders)
    assert "shinystyle" in model.pipeline.tokenizer.get_vocab()
    job_result(model, _request("a red circle"), folders)
    assert "shinystyle" not in model.pipeline.tokenizer.get_vocab()


def test_an_sdxl_embedding_loads_into_both_encoders_as_diffusers_does(tmp_path, sdxl_model):
    from diffusers import StableDiffusionXLPipeline

    model = load_model(sdxl_model.source, device="cpu")
    folder = tmp_path / "embeddings"
    vectors = write_sdxl_embedding(model.pipeline, folder / "xlstyle.safetensors")
    settings = {
        "steps": 4,
        "cfg_scale": 6.0,
        "seed": 1,
        "width": 64,
        "height": 64,
        "scheduler": "Euler",
    }
    prompt = "a red circle, xlstyle"
    result, _ = job_result(
        model, GenerationRequest(prompt, **settings), NetworkFolders(embeddings=(folder,))
    )
    reference = StableDiffusionXLPipeline.from_pretrained(sdxl_model.source)
    reference.scheduler = EulerDiscreteScheduler.from_config(reference.scheduler.config)
    reference.set_progress_bar_config(disable=True)
    reference.load_textual_inversion(
        vectors["clip_l"],
        token="xlstyle",
        text_encoder=reference.text_encoder,
        tokenizer=reference.tokenizer,
    )
    reference.load_textual_inversion(
        vectors["clip_g"],
        token="xlstyle",
        text_encoder=reference.text_encoder_2,
        tokenizer=reference.tokenizer_2,
    )
    theirs = reference(
        prompt,
        num_inference_steps=4,
        guidance_scale=6.0,
        width=64,
        height=64,
        generator=torch.Generator("cpu").manual_seed(1),
    ).images[0]
    assert max_pixel_difference(result.image, theirs) <= 2
