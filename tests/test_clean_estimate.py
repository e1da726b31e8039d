"""The x0 estimate recovers the clean latents for each parameterisation."""

from __future__ import annotations

import torch

from sdstudio.engine.generation.clean_estimate import estimate_clean_latents

ALPHA_BAR = torch.tensor(0.3, dtype=torch.float64)


def _noisy(clean: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    return ALPHA_BAR.sqrt().float() * clean + (1 - ALPHA_BAR).sqrt().float() * noise


def test_epsilon_prediction_recovers_x0() -> None:
    clean, noise = torch.randn(1, 4, 8, 8), torch.randn(1, 4, 8, 8)
    estimate = estimate_clean_latents(_noisy(clean, noise), noise, ALPHA_BAR, "epsilon")
    assert torch.allclose(estimate, clean, atol=1e-5)


def test_v_prediction_recovers_x0() -> None:
    clean, noise = torch.randn(1, 4, 8, 8), torch.randn(1, 4, 8, 8)
    velocity = ALPHA_BAR.sqrt().float() * noise - (1 - ALPHA_BAR).sqrt().float() * clean
    estimate = estimate_clean_latents(_noisy(clean, noise), velocity, ALPHA_BAR, "v_prediction")
    assert torch.allclose(estimate, clean, atol=1e-5)


def test_euler_estimate_matches_the_schedulers_own(demo_model) -> None:
    from sdstudio.engine.generation.clean_estimate import alpha_bar_at
    from sdstudio.engine.generation.schedulers import make_scheduler

    scheduler = make_scheduler(demo_model.pipeline.scheduler, "Euler")
    scheduler.set_timesteps(10)
    latents = torch.randn(1, 4, 8, 8) * scheduler.init_noise_sigma
    timestep = scheduler.timesteps[3]
    scheduler.set_begin_index(3)
    model_input = scheduler.scale_model_input(latents, timestep)
    noise_pred = torch.randn(1, 4, 8, 8)
    alpha_bar = alpha_bar_at(scheduler, timestep, 3)
    ours = estimate_clean_latents(model_input, noise_pred, alpha_bar, "epsilon")
    theirs = scheduler.step(noise_pred, timestep, latents).pred_original_sample
    assert torch.allclose(ours, theirs, atol=1e-4)
