"""Loading, switching and unloading models: the demo, diffusers folders, checkpoints, hub ids.

Every check that can fail (a missing file, a damaged checkpoint, an unsupported family, a hub
id that is not downloaded) runs before the current model is unloaded, so a bad choice leaves
the app as it was. The model's family (``models.families``) recognises it, builds its diffusers
pipeline (the container of the components our own denoising loop drives) and encodes prompts.

Front ends call ``switch_model`` on their worker thread with a progress callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sdstudio.engine.devices import DevicePlacement, resolve_device
from sdstudio.engine.errors import ModelLoadError, UserFacingError
from sdstudio.engine.memory import is_out_of_memory, release_memory, run_guarded
from sdstudio.engine.models.demo.model import demo_label, demo_model_dir
from sdstudio.engine.models.families import ModelFamily
from sdstudio.engine.models.library_noise import quiet_libraries
from sdstudio.engine.models.load_options import LoadOptions
from sdstudio.engine.models.load_progress import LoadStage, ProgressCallback, report
from sdstudio.engine.models.sources import ModelSource, SourceKind, identify_source
from sdstudio.engine.models.user_vae import check_user_vae, with_user_vae


@dataclass
class LoadedModel:
    """A ready-to-run pipeline plus what the UI and metadata need to describe it."""

    pipeline: Any  # the family's diffusers pipeline; None once unloaded
    name: str
    source: str
    placement: DevicePlacement
    family: ModelFamily
    is_demo: bool = False
    options: LoadOptions = field(default_factory=LoadOptions)

    @property
    def description(self) -> str:
        if self.is_demo:
            return demo_label(self.name)
        return f"{self.name} ({self.family.label}) on {self.placement.label}"

    @property
    def is_loaded(self) -> bool:
        return self.pipeline is not None

    @property
    def prediction_type(self) -> str:
        return self.pipeline.scheduler.config.get("prediction_type", "epsilon")

    @property
    def default_size(self) -> int:
        """The side length this model was trained at: its UNet's sample size in pixels, as
        diffusers' pipelines default to (demo 128, SD 1.5 512, SDXL 1024); the family's size
        for v-prediction models (768 for SD 2.x), whose single-file configs may not say."""
        if self.prediction_type != "v_prediction":
            pipeline = self.pipeline
            sample = getattr(getattr(pipeline, "unet", None), "config", {}).get("sample_size")
            if isinstance(sample, int) and sample > 0:
                return sample * pipeline.vae_scale_factor
        return self.family.default_size(self.prediction_type)


@dataclass(frozen=True)
class _Plan:
    """A checked source, ready to be built into a pipeline."""

    name: str
    location: str
    is_demo: bool
    family: ModelFamily
    build: Callable[[Any], Any]  # dtype -> pipeline


def load_model(
    spec: str | None = None,
    device: str = "auto",
    options: LoadOptions | None = None,
    progress: ProgressCallback | None = None,
) -> LoadedModel:
    """Load ``demo`` (the default), a diffusers folder, a ``.safetensors`` file or a hub id."""
    return switch_model(None, spec, device, options, progress)


def switch_model(
    current: LoadedModel | None,
    spec: str | None,
    device: str = "auto",
    options: LoadOptions | None = None,
    progress: ProgressCallback | None = None,
) -> LoadedModel:
    """Replace ``current`` by the model ``spec`` names, freeing ``current`` first.

    Everything that can be checked (and a hub download) happens while ``current`` is still
    loaded; a failure there leaves it usable. Only then is it unloaded, so that two models
    never share the GPU.
    """
    options = options or LoadOptions()
    placement = resolve_device(device)
    quiet_libraries()
    plan = _prepare(identify_source(spec), options, progress)
    if options.vae is not None:
        check_user_vae(options.vae)
    if current is not None:
        unload(current)
    return run_guarded(lambda: _build(plan, placement, options, progress), "model loading")


def unload(model: LoadedModel) -> None:
    """Drop the model's pipeline and give its memory (GPU memory too) back."""
    pipeline, model.pipeline = model.pipeline, None
    if pipeline is None:
        return
    pipeline.remove_all_hooks()  # CPU-offload hooks hold references to the components
    del pipeline
    release_memory()


def _prepare(source: ModelSource, options: LoadOptions, progress: ProgressCallback | None) -> _Plan:
    from sdstudio.engine.models.diffusers_folder import check_folder

    if source.kind is SourceKind.DEMO:
        folder = demo_model_dir(source.spec)
        family = check_folder(folder)
        return _Plan(source.spec, str(folder), True, family, partial(family.load_folder, folder))
    if source.kind is SourceKind.CHECKPOINT:
        return _checkpoint_plan(source, options)
    if source.kind is SourceKind.HUB:
        from sdstudio.engine.models.hub import fetch_hub_model

        folder = fetch_hub_model(source.spec, options.allow_download, progress)
        name = source.spec
    else:
        assert source.path is not None
        folder, name = source.path, source.path.name
    family = check_folder(folder)
    return _Plan(name, str(folder), False, family, partial(family.load_folder, folder))


def _checkpoint_plan(source: ModelSource, options: LoadOptions) -> _Plan:
    from sdstudio.engine.models.checkpoint_header import read_checkpoint_header
    from sdstudio.engine.models.families.config_files import clip_tokenizer_dir, family_config_dir
    from sdstudio.engine.models.single_file import (
        check_config_folder,
        check_fits,
        load_single_file,
    )

    assert source.path is not None
    info = read_checkpoint_header(source.path)
    # Fail now, not after reading gigabytes.
    config_dir = options.config_dir or family_config_dir(info.family, info.config_name)
    if options.config_dir is None:
        clip_tokenizer_dir()
    check_config_folder(Path(config_dir))
    check_fits(info, Path(config_dir))
    return _Plan(
        source.path.stem,
        str(source.path),
        False,
        info.family,
        lambda dtype: load_single_file(info, dtype, options),
    )


def _build(
    plan: _Plan,
    placement: DevicePlacement,
    options: LoadOptions,
    progress: ProgressCallback | None,
) -> LoadedModel:
    from sdstudio.engine.models.placement import place_pipeline

    report(progress, LoadStage.READING, f"Reading {plan.name}")
    failure = None
    try:
        pipeline = plan.build(placement.dtype)
        if options.vae is not None:
            pipeline = with_user_vae(pipeline, options.vae, placement.dtype)
        report(progress, LoadStage.PLACING, f"Moving {plan.name} to {placement.label}")
        pipeline = place_pipeline(pipeline, placement, options)
    except UserFacingError:
        raise
    except Exception as error:
        if is_out_of_memory(error):
            raise
        failure = f"Could not load {plan.name}: {_first_line(error)}"
    if failure is not None:  # outside the except block, so the half-built pipeline can go
        release_memory()
        raise ModelLoadError(failure)
    return LoadedModel(
        pipeline, plan.name, plan.location, placement, plan.family, plan.is_demo, options
    )


def _first_line(error: BaseException) -> str:
    """The message's first line; with the line that names the cause when the first only
    announces it (diffusers: "Failed to import … because of the following error …:")."""
    text = str(error).strip() or type(error).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].endswith(":"):
        return f"{lines[0]} {lines[-1]}"
    return lines[0]
