"""With a refiner, a job whose prompt uses an embedding (or a LoRA) says that the refiner's
steps run without it, as diffusers' two pipelines run them."""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import save_file

from sdstudio.engine.generation.events import Notice
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.generation_payloads import REFINER_WITHOUT_NETWORKS
from sdstudio.engine.networks.selection import NetworkFolders
from tests.networks_fixtures import job_result
from tests.random_sdxl_model import build_random_sdxl_pipeline

SETTINGS = {"steps": 4, "cfg_scale": 6.0, "seed": 1, "width": 64, "height": 64}


def _embedding_folder(pipe, folder: Path) -> Path:
    """``xlstyle``, an SDXL embedding of two vectors for each text encoder."""
    widths = [
        e.get_input_embeddings().weight.shape[-1] for e in (pipe.text_encoder, pipe.text_encoder_2)
    ]
    generator = torch.Generator().manual_seed(8)
    vectors = {
        key: torch.randn(2, width, generator=generator)
        for key, width in zip(("clip_l", "clip_g"), widths, strict=True)
    }
    folder.mkdir()
    save_file(vectors, str(folder / "xlstyle.safetensors"))
    return folder


def _notices(payloads: list) -> list[str]:
    return [payload.text for payload in payloads if isinstance(payload, Notice)]


def test_a_refined_job_with_an_embedding_says_the_refiner_runs_without_it(
    sdxl_model, tmp_path: Path
) -> None:
    refiner = tmp_path / "tiny-sdxl-refiner"
    build_random_sdxl_pipeline(refiner=True).save_pretrained(refiner, safe_serialization=True)
    folders = NetworkFolders(embeddings=(_embedding_folder(sdxl_model.pipeline, tmp_path / "e"),))
    refined = GenerationRequest("a red circle, xlstyle", refiner=str(refiner), **SETTINGS)

    with_embedding, payloads = job_result(sdxl_model, refined, folders)
    _, plain_payloads = job_result(
        sdxl_model, GenerationRequest("a red circle", refiner=str(refiner), **SETTINGS), folders
    )

    assert not isinstance(with_embedding, str), with_embedding  # it ran
    assert REFINER_WITHOUT_NETWORKS in _notices(payloads)
    assert REFINER_WITHOUT_NETWORKS not in _notices(plain_payloads)
