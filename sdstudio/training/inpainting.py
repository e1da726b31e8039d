"""The demo's inpainting model: the trained demo UNet widened to 9 input channels and
fine-tuned to fill a masked part of a picture, as SD's inpainting models were made.

Why a second model: the demo's tiny VAE is not local. Its group norms make the latents of
the background carry the object's colour, so an ordinary model's latent blending (keep the
init latents outside the mask) decodes a "red square" beside kept latents as a yellow one.
An inpainting UNet makes the whole latent picture itself from the mask and the masked
picture's latents, and the final composite keeps the init image's pixels outside the mask.

Recipe (SD inpainting's): ``conv_in`` gets 5 more input channels (the latent mask and the
masked picture's latents), zero-initialised so training starts from the demo's behaviour;
the text encoder and VAE stay the demo's. Each training picture gets a random mask (whole,
half, box, ellipse, or the object's box); in some, the kept part comes from another scene, so
the model learns to paint what the prompt asks next to what is already there.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from diffusers.training_utils import EMAModel, compute_snr
from PIL import Image, ImageDraw

from sdstudio.training import attention_guide, networks
from sdstudio.training.data import PROMPT_DROPOUT, to_tensor
from sdstudio.training.world import SIDE, Position, Scene, prompt_for, random_scene, render

LATENT_SIDE = SIDE // 8
HALVES = {
    Position.LEFT: (0, 0, SIDE // 2, SIDE),
    Position.RIGHT: (SIDE // 2, 0, SIDE, SIDE),
    Position.TOP: (0, 0, SIDE, SIDE // 2),
    Position.BOTTOM: (0, SIDE // 2, SIDE, SIDE),
}
OPPOSITE = {
    Position.LEFT: Position.RIGHT,
    Position.RIGHT: Position.LEFT,
    Position.TOP: Position.BOTTOM,
    Position.BOTTOM: Position.TOP,
}


@dataclass(frozen=True)
class InpaintTrainConfig:
    seed: int = 0
    steps: int = 2500
    batch: int = 32
    lr: float = 5e-4
    warmup: float = 0.02
    ema_decay: float = 0.999
    min_snr: float = 5.0
    attention_weight: float = 0.005  # keeps the demo's positions (training/attention_guide.py)
    pool_size: int = 4096
    composite_share: float = 0.35  # pictures whose kept part is another scene's
    every: int = 250  # steps between progress lines with the loss


@dataclass
class InpaintPool:
    """Pictures encoded once: their latents, their masked latents and their latent masks."""

    scenes: list[Scene]
    mean: torch.Tensor
    std: torch.Tensor
    masked_mean: torch.Tensor
    masked_std: torch.Tensor
    mask: torch.Tensor  # (n, 1, 16, 16), 1 where repainted


def random_mask(rng: random.Random, picture: Image.Image, background: tuple[int, int, int]):
    """A 128² ``L`` mask (255: repaint) of one of the kinds people paint."""
    mask = Image.new("L", (SIDE, SIDE), 0)
    draw = ImageDraw.Draw(mask)
    kind = rng.random()
    if kind < 0.2:
        mask.paste(255, (0, 0, SIDE, SIDE))
    elif kind < 0.4:
        draw.rectangle(HALVES[rng.choice(list(HALVES))], fill=255)
    elif kind < 0.6:
        draw.rectangle(_random_box(rng), fill=255)
    elif kind < 0.75:
        draw.ellipse(_random_box(rng), fill=255)
    else:
        box = _object_box(picture, background)
        margin = rng.randint(4, 20)
        left, top, right, bottom = box
        draw.rectangle((left - margin, top - margin, right + margin, bottom + margin), fill=255)
    return mask


def _random_box(rng: random.Random) -> tuple[int, int, int, int]:
    width, height = rng.randint(32, 104), rng.randint(32, 104)
    left, top = rng.randint(0, SIDE - width), rng.randint(0, SIDE - height)
    return left, top, left + width, top + height


def _object_box(picture: Image.Image, background: tuple[int, int, int]):
    pixels = np.asarray(picture, dtype=np.int16)
    differs = np.abs(pixels - np.array(background, dtype=np.int16)).sum(-1) > 40
    rows, columns = np.nonzero(differs)
    if rows.size == 0:
        return 32, 32, 96, 96
    return int(columns.min()), int(rows.min()), int(columns.max()), int(rows.max())


def training_example(rng: random.Random, composite_share: float):
    """(scene the prompt describes, picture, mask): a scene with a random mask, or one painted
    into a half of another scene's picture on the same background."""
    if rng.random() < composite_share:
        side = rng.choice(list(HALVES))
        asked = random_scene(rng)
        asked = Scene(asked.shape, asked.colour, side, asked.background)
        other = random_scene(rng)
        colour = rng.choice(
            [c for c in (other.colour, "red", "blue", "white") if c != asked.background]
        )
        kept = Scene(other.shape, colour, OPPOSITE[side], asked.background)
        mask = Image.new("L", (SIDE, SIDE), 0)
        ImageDraw.Draw(mask).rectangle(HALVES[side], fill=255)
        picture = Image.composite(render(asked, rng), render(kept, rng), mask)
        return asked, picture, mask
    scene = random_scene(rng)
    picture = render(scene, rng)
    return scene, picture, random_mask(rng, picture, scene.background_rgb)


class InpaintTrainer:
    def __init__(
        self, source: Path, out: Path, config: InpaintTrainConfig, log: Callable[[str], None]
    ) -> None:
        from diffusers import AutoencoderKL, UNet2DConditionModel
        from transformers import CLIPTextModel, CLIPTokenizer

        self.source, self.out, self.config, self.log = source, out, config, log
        torch.manual_seed(config.seed)
        self.rng = random.Random(config.seed)
        self.tokenizer = CLIPTokenizer.from_pretrained(source / "tokenizer")
        self.text_encoder = CLIPTextModel.from_pretrained(source / "text_encoder").eval()
        self.vae = AutoencoderKL.from_pretrained(source / "vae").eval()
        self.unet = widened_unet(UNet2DConditionModel.from_pretrained(source / "unet"))
        self.text_encoder.requires_grad_(False)
        self.vae.requires_grad_(False)
        self.noise_schedule = networks.training_scheduler()
        self.optimizer = torch.optim.AdamW(self.unet.parameters(), lr=config.lr)
        self.ema = EMAModel(self.unet.parameters(), decay=config.ema_decay)
        self._attention = (
            attention_guide.install(self.unet) if config.attention_weight > 0 else None
        )
        self._vocab = self.tokenizer.get_vocab()
        self._contexts: dict[str, torch.Tensor] = {}
        self.losses: list[tuple[int, float]] = []

    def run(self) -> Path:
        started = time.perf_counter()
        pool = self.encode_pool()
        self.log(
            f"encoded {len(pool.scenes)} masked pictures in {time.perf_counter() - started:.0f} s"
        )
        self.unet.train()
        steps_started = time.perf_counter()
        for step in range(1, self.config.steps + 1):
            self._set_learning_rate(step)
            losses = self.step(pool)
            self.losses.append((step, losses["inpaint epsilon"]))
            if step % self.config.every == 0 or step == self.config.steps:
                elapsed = time.perf_counter() - steps_started
                left = elapsed / step * (self.config.steps - step)
                text = "  ".join(f"{name} {value:.4f}" for name, value in losses.items())
                self.log(
                    f"inpaint step {step}/{self.config.steps}  {text}  ETA {left / 60:.1f} min"
                )
        minutes = (time.perf_counter() - steps_started) / 60
        return self.export(minutes)

    @torch.no_grad()
    def encode_pool(self) -> InpaintPool:
        rng = random.Random(self.config.seed + 1)
        scenes, means, stds, masked_means, masked_stds, masks = [], [], [], [], [], []
        factor = self.vae.config.scaling_factor
        for start in range(0, self.config.pool_size, 64):
            count = min(64, self.config.pool_size - start)
            examples = [training_example(rng, self.config.composite_share) for _ in range(count)]
            pictures = to_tensor([picture for _, picture, _ in examples])
            mask = torch.stack(
                [torch.from_numpy(np.asarray(m, dtype=np.float32) / 255.0) for *_, m in examples]
            )[:, None]
            mask = (mask >= 0.5).float()
            posterior = self.vae.encode(pictures).latent_dist
            masked = self.vae.encode(pictures * (mask < 0.5)).latent_dist
            scenes += [scene for scene, _, _ in examples]
            means.append(posterior.mean * factor)
            stds.append(posterior.std * factor)
            masked_means.append(masked.mean * factor)
            masked_stds.append(masked.std * factor)
            masks.append(torch.nn.functional.interpolate(mask, size=(LATENT_SIDE, LATENT_SIDE)))
        return InpaintPool(
            scenes,
            torch.cat(means),
            torch.cat(stds),
            torch.cat(masked_means),
            torch.cat(masked_stds),
            torch.cat(masks),
        )

    def step(self, pool: InpaintPool) -> dict[str, float]:
        rng, size = self.rng, self.config.batch
        indices = [rng.randrange(len(pool.scenes)) for _ in range(size)]
        latents = pool.mean[indices] + pool.std[indices] * torch.randn(size, *pool.mean.shape[1:])
        masked = pool.masked_mean[indices] + pool.masked_std[indices] * torch.randn_like(latents)
        prompts = [
            "" if rng.random() < PROMPT_DROPOUT else prompt_for(pool.scenes[i], rng)
            for i in indices
        ]
        scenes = [pool.scenes[i] if p else None for i, p in zip(indices, prompts, strict=True)]
        noise = torch.randn_like(latents)
        timesteps = torch.randint(0, self.noise_schedule.config.num_train_timesteps, (size,))
        noisy = self.noise_schedule.add_noise(latents, noise, timesteps)
        token_ids = self._token_ids(prompts)
        with torch.no_grad():
            context = self.text_encoder(token_ids)[0]
        if self._attention is not None:
            self._attention.clear()
        sample = torch.cat([noisy, pool.mask[indices], masked], dim=1)
        predicted = self.unet(sample, timesteps, context).sample
        errors = torch.nn.functional.mse_loss(predicted, noise, reduction="none").mean((1, 2, 3))
        snr = compute_snr(self.noise_schedule, timesteps)
        loss = (errors * snr.clamp(max=self.config.min_snr) / snr).mean()
        losses = {"inpaint epsilon": errors.mean().item()}
        if self._attention is not None:
            guide = attention_guide.attention_loss(self._attention, token_ids, scenes, self._vocab)
            loss = loss + self.config.attention_weight * guide
            losses["inpaint attention"] = guide.item()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.ema.step(self.unet.parameters())
        return losses

    def _token_ids(self, prompts: list[str]) -> torch.Tensor:
        return self.tokenizer(
            prompts,
            padding="max_length",
            max_length=self.tokenizer.model_max_length,
            truncation=True,
            return_tensors="pt",
        ).input_ids

    def _set_learning_rate(self, step: int) -> None:
        done = step / self.config.steps
        warmup = self.config.warmup
        if done < warmup:
            factor = done / warmup
        else:
            factor = 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (done - warmup) / (1 - warmup)))
        for group in self.optimizer.param_groups:
            group["lr"] = self.config.lr * factor

    def export(self, minutes: float) -> Path:
        """``out/model``: the demo folder with the EMA inpainting UNet, as diffusers' inpaint
        pipeline class, and its ``training.json``."""
        from sdstudio.training.export import _sha256

        self.ema.copy_to(self.unet.parameters())
        folder = self.out / "model"
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(self.source, folder, ignore=shutil.ignore_patterns("training.json", "unet"))
        self.unet.eval().save_pretrained(folder / "unet", safe_serialization=True)
        index_file = folder / "model_index.json"
        index = json.loads(index_file.read_text(encoding="utf-8"))
        index["_class_name"] = "StableDiffusionInpaintPipeline"
        index_file.write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
        weights = sorted(folder.rglob("*.safetensors"))
        record: dict[str, Any] = {
            "config": asdict(self.config),
            "made_from": str(self.source.name),
            "steps": self.config.steps,
            "minutes": round(minutes, 2),
            "first_loss": self.losses[0][1],
            "final_loss": float(np.mean([loss for _, loss in self.losses[-50:]])),
            "weights": {
                str(p.relative_to(folder)): {"sha256": _sha256(p), "bytes": p.stat().st_size}
                for p in weights
            },
        }
        (folder / "training.json").write_text(json.dumps(record, indent=2) + "\n", "utf-8")
        self.log(f"wrote {folder}")
        return folder


def widened_unet(unet: Any, channels: int = 9) -> Any:
    """``unet`` taking ``channels`` inputs: the old channels keep their weights, the new ones
    start at zero (so the widened UNet first behaves exactly as the old one)."""
    from diffusers import UNet2DConditionModel

    config = dict(unet.config)
    config["in_channels"] = channels
    wide = UNet2DConditionModel.from_config(config)
    state = unet.state_dict()
    weight = state["conv_in.weight"]
    extra = torch.zeros(weight.shape[0], channels - weight.shape[1], *weight.shape[2:])
    state["conv_in.weight"] = torch.cat([weight, extra], dim=1)
    wide.load_state_dict(state)
    return wide


def train_inpainting(
    source: Path, out: Path, config: InpaintTrainConfig | None = None, log=print
) -> Path:
    """Fine-tune the demo in ``source`` into an inpainting model in ``out/model``."""
    out.mkdir(parents=True, exist_ok=True)
    return InpaintTrainer(source, out, config or InpaintTrainConfig(), log).run()
