"""LoRAs by <lora:NAME:WEIGHT> tag: diffusers' own loading gives the pictures, weights change
without reloading, removal is clean, and a LoRA for another family is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from diffusers import EulerDiscreteScheduler, StableDiffusionPipeline

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved
from sdstudio.engine.models.demo.model import demo_model_dir
from sdstudio.engine.models.loading import load_model
from sdstudio.engine.networks.lora_adapters import loaded_adapters
from sdstudio.engine.networks.selection import NetworkFolders
from tests.helpers import max_pixel_difference
from tests.networks_fixtures import job_result, write_kohya_lora, write_wide_lora

PROMPT = "a red circle on a white background"


@pytest.fixture
def model():
    """A demo model of the test's own: LoRAs change its layers."""
    return load_model("demo", device="cpu")


@pytest.fixture
def loras(tmp_path: Path, model) -> NetworkFolders:
    folder = tmp_path / "loras"
    write_kohya_lora(model.pipeline, folder / "shapes.safetensors", seed=1)
    write_kohya_lora(model.pipeline, folder / "Other Style.safetensors", seed=2)
    return NetworkFolders(loras=(folder,))


def _request(prompt: str) -> GenerationRequest:
    return GenerationRequest(
        prompt, steps=6, cfg_scale=7.0, seed=11, width=128, height=128, scheduler="Euler"
    )


def _image(model, prompt: str, folders: NetworkFolders):
    result, _ = job_result(model, _request(prompt), folders)
    assert isinstance(result, ImageSaved), result
    return result.image


def _diffusers(loras: dict[Path, float]):
    """diffusers' pipeline with ``load_lora_weights`` and ``set_adapters``."""
    pipe = StableDiffusionPipeline.from_pretrained(
        demo_model_dir(), safety_checker=None, requires_safety_checker=False
    )
    pipe.scheduler = EulerDiscreteScheduler.from_config(pipe.scheduler.config)
    pipe.set_progress_bar_config(disable=True)
    names = []
    for index, path in enumerate(loras):
        pipe.load_lora_weights(str(path), adapter_name=f"a{index}")
        names.append(f"a{index}")
    if names:
        pipe.set_adapters(names, list(loras.values()))
    return pipe(
        PROMPT,
        num_inference_steps=6,
        guidance_scale=7.0,
        width=128,
        height=128,
        generator=torch.Generator("cpu").manual_seed(11),
    ).images[0]


def test_a_kohya_lora_by_tag_equals_diffusers_load_lora_weights(model, loras) -> None:
    ours = _image(model, f"{PROMPT} <lora:shapes:0.7>", loras)
    theirs = _diffusers({loras.loras[0] / "shapes.safetensors": 0.7})
    plain = _diffusers({})
    assert max_pixel_difference(ours, theirs) <= 2
    assert max_pixel_difference(ours, plain) > 10  # the LoRA changed the picture


def test_two_loras_run_together_with_their_own_weights(model, loras) -> None:
    ours = _image(model, f"<lora:shapes:0.5> {PROMPT} <lora:other style:0.8>", loras)
    folder = loras.loras[0]
    theirs = _diffusers(
        {folder / "shapes.safetensors": 0.5, folder / "Other Style.safetensors": 0.8}
    )
    assert max_pixel_difference(ours, theirs) <= 2


def test_a_new_weight_needs_no_reload(model, loras, monkeypatch) -> None:
    _image(model, f"{PROMPT} <lora:shapes:0.7>", loras)
    loads = []
    original = type(model.pipeline).load_lora_weights
    monkeypatch.setattr(
        type(model.pipeline),
        "load_lora_weights",
        lambda self, *a, **k: loads.append(a) or original(self, *a, **k),
    )
    ours = _image(model, f"{PROMPT} <lora:shapes:0.3>", loras)
    assert loads == []
    assert max_pixel_difference(ours, _diffusers({loras.loras[0] / "shapes.safetensors": 0.3})) <= 2


def test_removing_the_tag_restores_the_plain_model(model, loras) -> None:
    plain_before = _image(model, PROMPT, loras)
    _image(model, f"{PROMPT} <lora:shapes:1>", loras)
    after = _image(model, PROMPT, loras)
    assert loaded_adapters(model.pipeline) == []
    assert not any("lora" in name for name, _ in model.pipeline.unet.named_modules())
    assert max_pixel_difference(plain_before, after) == 0


def test_module_paths_and_probes_work_with_a_lora_on(model, loras) -> None:
    from sdstudio.engine.jobs.job import Job, SaveOptions
    from sdstudio.engine.jobs.runner import run_job
    from sdstudio.engine.probes.options import ProbeOptions

    path = "unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k"  # a LoRA layer
    job = Job(
        _request(f"{PROMPT} <lora:shapes:0.7>"),
        probes=ProbeOptions(watch=(path,), attention=True),
        saving=SaveOptions(enabled=False),
        networks=loras,
    )
    kinds = {type(event.payload).__name__ for event in run_job(model, job)}
    assert {"ActivationViews", "AttentionMaps", "ImageSaved"} <= kinds


def test_a_lora_for_another_family_is_refused_with_a_message(model, tmp_path) -> None:
    folder = tmp_path / "loras"
    write_wide_lora(folder / "xl_detail.safetensors")
    result, _ = job_result(
        model, _request(f"{PROMPT} <lora:xl_detail:1>"), NetworkFolders(loras=(folder,))
    )
    assert isinstance(result, str)
    assert "xl_detail" in result and "SDXL" in result


def test_a_missing_lora_is_named_and_the_picture_still_made(model, loras) -> None:
    result, payloads = job_result(model, _request(f"{PROMPT} <lora:nowhere:1>"), loras)
    assert isinstance(result, ImageSaved)
    notices = [p.text for p in payloads if type(p).__name__ == "Notice"]
    assert any("nowhere" in text for text in notices)


def test_the_infotext_records_a1111s_lora_hash(model, loras) -> None:
    import hashlib

    result, _ = job_result(model, _request(f"{PROMPT} <lora:shapes:0.7>"), loras)
    data = (loras.loras[0] / "shapes.safetensors").read_bytes()
    header = int.from_bytes(data[:8], "little")
    expected = hashlib.sha256(data[8 + header :]).hexdigest()[:12]
    assert f'Lora hashes: "shapes: {expected}"' in result.record.infotext()
    assert "<lora:shapes:0.7>" in result.record.infotext().splitlines()[0]


def test_a_diffusers_peft_lora_equals_diffusers(model, tmp_path) -> None:
    from tests.networks_fixtures import write_peft_lora

    folder = tmp_path / "loras"
    path = write_peft_lora(demo_model_dir(), folder / "peft_style.safetensors")
    ours = _image(model, f"{PROMPT} <lora:peft_style:0.6>", NetworkFolders(loras=(folder,)))
    assert max_pixel_difference(ours, _diffusers({path: 0.6})) <= 2
    assert max_pixel_difference(ours, _diffusers({})) > 10


def test_an_sdxl_lora_equals_diffusers(tmp_path, sdxl_model) -> None:
    from diffusers import StableDiffusionXLPipeline

    from tests.networks_fixtures import write_peft_lora

    model = load_model(sdxl_model.source, device="cpu")  # its own: the LoRA changes it
    folder = tmp_path / "loras"
    path = write_peft_lora(Path(sdxl_model.source), folder / "xl_style.safetensors")
    request = GenerationRequest(
        f"{PROMPT} <lora:xl_style:0.8>",
        steps=5,
        cfg_scale=6.0,
        seed=2,
        width=64,
        height=64,
        scheduler="Euler",
    )
    result, _ = job_result(model, request, NetworkFolders(loras=(folder,)))
    pipe = StableDiffusionXLPipeline.from_pretrained(sdxl_model.source)
    pipe.scheduler = EulerDiscreteScheduler.from_config(pipe.scheduler.config)
    pipe.set_progress_bar_config(disable=True)
    pipe.load_lora_weights(str(path), adapter_name="xl")
    pipe.set_adapters(["xl"], [0.8])
    theirs = pipe(
        PROMPT,
        num_inference_steps=5,
        guidance_scale=6.0,
        width=64,
        height=64,
        generator=torch.Generator("cpu").manual_seed(2),
    ).images[0]
    assert max_pixel_difference(result.image, theirs) <= 2
