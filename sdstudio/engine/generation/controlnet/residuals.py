"""One ControlNet's residuals for one UNet call, as diffusers' ControlNet pipelines compute them.

The ControlNet reads what the UNet reads: the scaled latents (the first channels of the UNet's
input, before an inpainting UNet's mask and picture are appended), the timestep, the prompt
embeddings and, for SDXL, the pooled embedding and size ids. When it sees the prompt's half
only (:attr:`ControlMode.prompt_half_only`, diffusers' ``guess_mode``), the negative half
gets zeros. When the prompt and the negative are too different in length to share a batch,
it runs on each guidance half with that half's embeddings, as the UNet does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sdstudio.engine.generation.run_context import batch_rows

if TYPE_CHECKING:
    import torch

    from sdstudio.engine.generation.controlnet.modes import ControlMode
    from sdstudio.engine.generation.run_context import UnetCall

Residuals = tuple[list["torch.Tensor"], "torch.Tensor"]  # down blocks', middle block's


def prompt_half_only(controlnet: Any, mode: ControlMode, guided: bool) -> bool:
    """Whether the ControlNet runs on the prompt's half alone: "ControlNet is more
    important", or a ControlNet that pools its output (diffusers forces ``guess_mode``)."""
    return guided and (mode.prompt_half_only or bool(controlnet.config.global_pool_conditions))


def control_residuals(
    controlnet: Any,
    call: UnetCall,
    image: torch.Tensor,
    scale: float,
    mode: ControlMode,
    guided: bool,
) -> Residuals:
    """The residuals for the whole batch of ``call``; ``image`` has a row per row the
    ControlNet reads (:func:`prompt_half_only` halves it)."""
    import torch

    sample = call.sample[:, : controlnet.config.in_channels]
    batch = sample.shape[0]
    states = call.kwargs["encoder_hidden_states"]
    added = call.kwargs.get("added_cond_kwargs")
    if prompt_half_only(controlnet, mode, guided):
        half = slice(batch // 2, batch)
        prompt_states = states[1] if isinstance(states, tuple) else states[half]
        inputs = (sample[half], prompt_states, image, batch_rows(added, half, batch))
        down, mid = _run(controlnet, call.timestep, *inputs, scale, mode.soft)
        return [_after_zeros(each) for each in down], _after_zeros(mid)
    if not isinstance(states, tuple):
        return _run(controlnet, call.timestep, sample, states, image, added, scale, mode.soft)
    rows = batch // len(states)
    parts = []
    for index, half_states in enumerate(states):
        half = slice(index * rows, (index + 1) * rows)
        inputs = (sample[half], half_states, image[half], batch_rows(added, half, batch))
        parts.append(_run(controlnet, call.timestep, *inputs, scale, mode.soft))
    down = [torch.cat(blocks) for blocks in zip(*(part[0] for part in parts), strict=True)]
    return down, torch.cat([part[1] for part in parts])


def added_residuals(first: Residuals | None, second: Residuals) -> Residuals:
    """Two units' residuals summed, as ``MultiControlNetModel`` sums its nets' in order."""
    if first is None:
        return second
    down = [mine + theirs for mine, theirs in zip(first[0], second[0], strict=True)]
    return down, first[1] + second[1]


def _run(
    controlnet: Any,
    timestep: Any,
    sample: torch.Tensor,
    states: torch.Tensor,
    image: torch.Tensor,
    added: dict[str, Any] | None,
    scale: float,
    soft: bool,
) -> Residuals:
    down, mid = controlnet(
        sample,
        timestep,
        encoder_hidden_states=states,
        controlnet_cond=image,
        conditioning_scale=scale,
        guess_mode=soft,
        added_cond_kwargs=added,
        return_dict=False,
    )
    return list(down), mid


def _after_zeros(residual: torch.Tensor) -> torch.Tensor:
    """The prompt half's residual below zeros for the negative half."""
    import torch

    return torch.cat([torch.zeros_like(residual), residual])
