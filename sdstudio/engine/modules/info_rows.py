"""Short descriptions of the pipeline parts that have no tensors: tokenizers and schedulers."""

from __future__ import annotations

from typing import Any

from sdstudio.engine.modules.nodes import InfoComponent


def describe_info_component(part: Any) -> InfoComponent:
    if isinstance(part, InfoComponent):
        return part
    if hasattr(part, "model_max_length"):
        return describe_tokenizer(part)
    config = getattr(part, "config", None)
    if config is not None and hasattr(config, "num_train_timesteps"):
        return describe_scheduler(part)
    return InfoComponent(type(part).__name__, "")


def describe_tokenizer(tokenizer: Any) -> InfoComponent:
    return tokenizer_info(type(tokenizer).__name__, len(tokenizer), tokenizer.model_max_length)


def tokenizer_info(type_name: str, vocab_size: int, max_length: int) -> InfoComponent:
    return InfoComponent(
        type_name,
        f"vocabulary {vocab_size}, max length {max_length} tokens",
        (("Vocabulary size", str(vocab_size)), ("Max length", f"{max_length} tokens")),
    )


def describe_scheduler(scheduler: Any) -> InfoComponent:
    config = scheduler.config
    prediction = config.get("prediction_type", "epsilon")
    betas = (
        f"{config.get('beta_schedule', '?')} betas "
        f"{config.get('beta_start', '?')}–{config.get('beta_end', '?')}"
    )
    summary = f"{config.num_train_timesteps} training steps, {betas}, predicts {prediction}"
    facts = (
        ("Training steps", str(config.num_train_timesteps)),
        ("Noise schedule", betas),
        ("Prediction type", str(prediction)),
        ("Timestep spacing", str(config.get("timestep_spacing", "—"))),
    )
    return InfoComponent(type(scheduler).__name__, summary, facts)
