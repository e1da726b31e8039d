"""Memory: switching models frees the old one, a refused switch keeps it, and running out of
memory becomes a message with a suggestion after the failed run's memory is released."""

from __future__ import annotations

import gc
import weakref

import pytest
import torch

from sdstudio.engine.devices import DevicePlacement
from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.memory import NotEnoughMemoryError, run_guarded
from sdstudio.engine.models.load_options import LoadOptions
from sdstudio.engine.models.loading import load_model, switch_model, unload
from sdstudio.engine.models.placement import place_pipeline


def test_switching_models_lets_the_old_pipeline_be_garbage_collected():
    old = load_model("demo", device="cpu")
    old_pipeline = weakref.ref(old.pipeline)
    old_unet = weakref.ref(old.pipeline.unet)

    new = switch_model(old, "demo", device="cpu")
    gc.collect()

    assert old_pipeline() is None and old_unet() is None
    assert not old.is_loaded and new.is_loaded


def test_a_refused_switch_keeps_the_current_model(tmp_path):
    current = load_model("demo", device="cpu")

    with pytest.raises(ModelLoadError):
        switch_model(current, str(tmp_path / "missing-model"), device="cpu")

    assert current.is_loaded


def test_unload_twice_is_harmless():
    model = load_model("demo", device="cpu")
    unload(model)
    unload(model)

    assert not model.is_loaded


def test_out_of_memory_becomes_a_suggestion_and_the_runs_tensors_are_freed():
    held = {}

    def run_that_runs_out():
        activations = torch.zeros(1024)
        held["ref"] = weakref.ref(activations)
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    with pytest.raises(NotEnoughMemoryError, match="smaller width/height.*CPU offload"):
        run_guarded(run_that_runs_out, "generation")

    assert held["ref"]() is None


def test_other_errors_pass_through_the_guard_unchanged():
    def broken():
        raise ValueError("not a memory problem")

    with pytest.raises(ValueError, match="not a memory problem"):
        run_guarded(broken)


def test_after_running_out_of_memory_the_next_run_works(demo_model):
    def fails():
        raise RuntimeError("MPS backend out of memory (MPS allocated: 9 GB)")

    with pytest.raises(NotEnoughMemoryError):
        run_guarded(fails, "generation")
    request = GenerationRequest(prompt="a boat", steps=1, width=64, height=64)
    events = run_guarded(lambda: list(generate(demo_model, request)), "generation")

    assert isinstance(events[-1], ImageFinished)


def test_half_precision_keeps_the_vae_in_float32_as_its_config_asks():
    from tests.random_sd_model import build_random_sd_pipeline

    pipeline = build_random_sd_pipeline().to(torch.float16)
    placement = DevicePlacement(torch.device("cpu"), torch.float16)

    place_pipeline(pipeline, placement, LoadOptions())

    assert pipeline.vae.dtype == torch.float32
    assert pipeline.unet.dtype == torch.float16


def test_memory_options_are_applied_to_the_pipeline():
    model = load_model(
        "demo", device="cpu", options=LoadOptions(attention_slicing=True, vae_tiling=True)
    )

    assert model.pipeline.vae.use_tiling
    processors = model.pipeline.unet.attn_processors.values()
    assert all(type(processor).__name__ == "SlicedAttnProcessor" for processor in processors)


def test_a_load_failure_names_its_cause_not_only_the_announcement(monkeypatch):
    """diffusers announces an import failure on one line and gives the cause on the last."""
    from sdstudio.engine.models.families.stable_diffusion import StableDiffusionFamily

    def failing(self, folder, dtype):
        raise RuntimeError(
            "Failed to import diffusers.pipelines.x because of the following error "
            "(look up to see its traceback):\nNo module named 'peft.tuners'"
        )

    monkeypatch.setattr(StableDiffusionFamily, "load_folder", failing)
    with pytest.raises(ModelLoadError, match="No module named 'peft.tuners'"):
        load_model("demo", device="cpu")
