"""With a refiner, a job whose prompt uses an embedding (or a LoRA) says that the refiner's
steps run without it, as diffusers' two pipelines run them."""

from __future__ import annotations

from pathlib import Path

from sdstudio.engine.generation.events import Notice
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.generation_payloads import REFINER_WITHOUT_NETWORKS
from sdstudio.engine.networks.selection import NetworkFolders
from tests.networks_fixtures import job_result, write_sdxl_embedding
from tests.random_sdxl_model import build_random_sdxl_pipeline

SETTINGS = {"steps": 4, "cfg_scale": 6.0, "seed": 1, "width": 64, "height": 64}


def _notices(payloads: list) -> list[str]:
    return [payload.text for payload in payloads if isinstance(payload, Notice)]


def test_a_refined_job_with_an_embedding_says_the_refiner_runs_without_it(
    sdxl_model, tmp_path: Path
) -> None:
    refiner = tmp_path / "tiny-sdxl-refiner"
    build_random_sdxl_pipeline(refiner=True).save_pretrained(refiner, safe_serialization=True)
    write_sdxl_embedding(sdxl_model.pipeline, tmp_path / "e" / "xlstyle.safetensors")
    folders = NetworkFolders(embeddings=(tmp_path / "e",))
    refined = GenerationRequest("a red circle, xlstyle", refiner=str(refiner), **SETTINGS)

    with_embedding, payloads = job_result(sdxl_model, refined, folders)
    _, plain_payloads = job_result(
        sdxl_model, GenerationRequest("a red circle", refiner=str(refiner), **SETTINGS), folders
    )

    assert not isinstance(with_embedding, str), with_embedding  # it ran
    assert REFINER_WITHOUT_NETWORKS in _notices(payloads)
    assert REFINER_WITHOUT_NETWORKS not in _notices(plain_payloads)
