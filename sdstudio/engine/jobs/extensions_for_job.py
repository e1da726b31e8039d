"""The loop extensions a job asks for, in the order they must run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from sdstudio.engine.errors import RequestError, UserFacingError
from sdstudio.engine.generation.events import PREVIEWS_TOPIC, Notice
from sdstudio.engine.generation.extensions import GenerationExtension

if TYPE_CHECKING:
    from sdstudio.engine.generation.controlnet.extension import ControlNetExtension
    from sdstudio.engine.jobs.job import Job
    from sdstudio.engine.models.loading import LoadedModel
    from sdstudio.engine.networks.selection import NetworkSelection
    from sdstudio.engine.previews.extension import PreviewExtension
    from sdstudio.engine.probes.module_paths import RunComponent
    from sdstudio.engine.probes.views import ViewSettings


@dataclass
class JobExtensions:
    """The extensions, the preview one by name (its frames go with each image), the
    ControlNet one (its models can be watched), the LoRAs and embeddings the prompts use
    (their hashes go in the infotext), and notices about features that could not be set up
    (the run goes on without them)."""

    extensions: list[GenerationExtension] = field(default_factory=list)
    previews: PreviewExtension | None = None
    controlnets: ControlNetExtension | None = None
    networks: NetworkSelection | None = None
    notices: list[Notice] = field(default_factory=list)


def extensions_for(
    model: LoadedModel, job: Job, view_settings: Callable[[], ViewSettings] | None = None
) -> JobExtensions:
    """Extra networks first (a LoRA changes the text encoder before the prompt is encoded),
    then ControlNets, then previews, so a watched VAE module is pictured at the step its
    preview shows.

    A preview decoder that cannot be made is a notice; a watched module path that does not
    exist, or probes asked of a batch, raise ``UserFacingError`` before anything runs.
    """
    _check_probes_fit_the_batch(job)
    chosen = JobExtensions()
    _add_networks(model, job, chosen)
    _add_controlnets(model, job, chosen)
    _add_previews(model, job, chosen)
    probes = job.probes
    if probes.watch:
        from sdstudio.engine.probes.module_watcher import ModuleWatcher
        from sdstudio.engine.probes.watch_extension import ModuleWatchExtension

        components = _controlnet_components(chosen.controlnets)
        watcher = ModuleWatcher(model.pipeline, probes.watch, job.request, probes.view, components)
        chosen.extensions.append(ModuleWatchExtension(watcher, view_settings))
    if probes.attention:
        from sdstudio.engine.probes.attention_capture import AttentionCapture
        from sdstudio.engine.probes.attention_extension import AttentionCaptureExtension

        capture = AttentionCapture(model.pipeline, job.request)
        chosen.extensions.append(AttentionCaptureExtension(capture))
    return chosen


def _check_probes_fit_the_batch(job: Job) -> None:
    """Watched modules and attention maps picture one image per UNet call: with several
    images in the batch they would mix them, so the run is refused instead."""
    probes = job.probes
    if job.request.batch_size > 1 and (probes.watch or probes.attention):
        raise RequestError(
            "Watching modules and attention maps need batch size 1: set the batch size to 1 "
            "(a batch count makes several images one after another)."
        )


def _add_networks(model: LoadedModel, job: Job, chosen: JobExtensions) -> None:
    from sdstudio.engine.networks.extension import ExtraNetworksExtension
    from sdstudio.engine.networks.selection import select_networks

    request = job.request
    selection = select_networks(request.prompt, request.negative_prompt, job.networks)
    chosen.networks = selection
    chosen.notices.extend(Notice(text) for text in selection.notices())
    chosen.extensions.append(ExtraNetworksExtension(model.pipeline, selection))


def _add_controlnets(model: LoadedModel, job: Job, chosen: JobExtensions) -> None:
    """The job's ControlNet units, their models read (or kept from the last job) now, so a
    missing or refused file fails the job before anything runs."""
    from sdstudio.engine.generation.controlnet.cache import CONTROLNETS
    from sdstudio.engine.generation.controlnet.extension import ControlNetExtension

    if not job.controlnets:
        CONTROLNETS.release()  # their memory is the next model's or the next run's
        return
    request = job.request
    if request.mask is not None and request.inpaint_area == "masked":
        raise RequestError(
            "ControlNet with 'Only masked' inpainting is not supported yet: the control image "
            "would not be cropped with the picture. Set the inpaint area to the whole picture."
        )
    units = CONTROLNETS.loaded_units(job.controlnets, model)
    chosen.controlnets = ControlNetExtension(units)
    chosen.extensions.append(chosen.controlnets)


def _controlnet_components(extension: ControlNetExtension | None) -> dict[str, RunComponent]:
    """Each unit's ControlNet under its watch name (``controlnet``, ``controlnet_1``...),
    watched on that unit's calls only."""
    from sdstudio.engine.generation.controlnet.watch_names import unit_component
    from sdstudio.engine.probes.module_paths import RunComponent

    if extension is None:
        return {}
    return {
        unit_component(index): RunComponent(each.controlnet, partial(extension.runs, index))
        for index, each in enumerate(extension.units)
    }


def _add_previews(model: LoadedModel, job: Job, chosen: JobExtensions) -> None:
    from sdstudio.engine.previews.extension import PreviewExtension
    from sdstudio.engine.previews.factory import create_preview_decoder

    try:
        decoder = create_preview_decoder(model, job.previews)
    except UserFacingError as error:
        chosen.notices.append(Notice(f"{error} Generating without previews.", PREVIEWS_TOPIC))
        return
    if decoder is None:
        return
    chosen.previews = PreviewExtension(decoder, job.previews)
    chosen.extensions.append(chosen.previews)
