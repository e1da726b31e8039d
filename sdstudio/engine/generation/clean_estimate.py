"""The model's estimate of the clean latents (x0) at a step, for readable previews.

Schedulers differ in whether they report it, so it is derived the same way for all of them
from the scaled model input, which every diffusers scheduler keeps in variance-preserving
form: ``x_t = sqrt(a) * x0 + sqrt(1 - a) * eps`` with ``a`` the cumulative alpha at this step.
"""

from __future__ import annotations

from typing import Any

import torch


def alpha_bar_at(scheduler: Any, timestep: torch.Tensor, position: int) -> torch.Tensor:
    """Cumulative alpha for the step at ``position`` in the scheduler's full timestep list."""
    sigmas = getattr(scheduler, "sigmas", None)
    if sigmas is not None and position < len(sigmas):
        sigma = sigmas[position].to(torch.float64)
        return 1.0 / (1.0 + sigma**2)
    alphas = scheduler.alphas_cumprod.to(torch.float64)
    return alphas[int(timestep)]


def estimate_clean_latents(
    model_input: torch.Tensor,
    model_output: torch.Tensor,
    alpha_bar: torch.Tensor,
    prediction_type: str,
) -> torch.Tensor:
    """x0 from the (guided) model output; works for epsilon, v-prediction and sample models."""
    if prediction_type == "sample":
        return model_output
    alpha_bar = alpha_bar.to(device=model_input.device)
    signal = alpha_bar.sqrt().to(model_input.dtype)
    noise_level = (1 - alpha_bar).sqrt().to(model_input.dtype)
    if prediction_type == "v_prediction":
        return signal * model_input - noise_level * model_output
    return (model_input - noise_level * model_output) / signal
