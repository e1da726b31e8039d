"""Training the demo model on the shapes world, on the CPU, within a wall-clock budget.

Three phases, each stopping at its step cap or its minutes, whichever comes first:

1. the VAE (reconstruction + a small KL term) on 64-px crops, which teach shapes fast;
2. its decoder alone on whole 128-px pictures (the encoder, and so the latents the UNet learns,
   stay fixed): group norms see whole pictures there, as when a generation is decoded, and
   colours come out right;
3. the UNet and the text encoder together (epsilon-prediction MSE on latents of the frozen
   VAE), the prompt left empty 10% of the time so classifier-free guidance works.

The UNet phase draws from its own seeds, so ``vae_from`` (another run's folder) can skip the
first two phases and still give the weights a whole run gives: that is how a UNet recipe is
tried on the shipped VAE in half the time.

The out folder holds ``checkpoint.pt`` (``resume`` continues from it), ``loss.png`` and
``samples.png`` (redrawn every ``every`` steps) and, at the end, ``model/``: a diffusers folder
with ``training.json``. Everything is seeded: the same config gives the same weights.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from diffusers.training_utils import EMAModel, compute_snr

from sdstudio.training import attention_guide, networks
from sdstudio.training.config import TrainConfig
from sdstudio.training.data import LatentPool, image_batch, to_images
from sdstudio.training.export import export_model
from sdstudio.training.pictures import grid, loss_plot
from sdstudio.training.world import Position, Scene, Shape, random_scene, render

CHECKPOINT = "checkpoint.pt"
PHASES = ("vae", "decoder", "unet")
SAMPLE_SCENES = (
    Scene(Shape.CIRCLE, "red", Position.LEFT, "blue"),
    Scene(Shape.SQUARE, "yellow", Position.CENTER, "black"),
    Scene(Shape.TRIANGLE, "green", Position.TOP, "white"),
    Scene(Shape.CIRCLE, "white", Position.BOTTOM, "purple"),
    Scene(Shape.SQUARE, "blue", Position.RIGHT),
    Scene(Shape.TRIANGLE, "orange", None, "green"),
    Scene(Shape.CIRCLE, "black", Position.CENTER, "yellow"),
    Scene(Shape.TRIANGLE, "purple", Position.LEFT),
)


@dataclass
class Progress:
    """What a checkpoint holds besides weights: where training is and how it went."""

    phase: str = "vae"  # then "decoder", then "unet"
    steps: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PHASES, 0))
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))
    losses: dict[str, list[tuple[int, float]]] = field(
        default_factory=lambda: {
            "vae reconstruction": [],
            "vae kl": [],
            "decoder reconstruction": [],
            "unet epsilon": [],
            "unet attention": [],
        }
    )


class Trainer:
    def __init__(self, config: TrainConfig, out: Path, log: Callable[[str], None] = print):
        self.config, self.out, self.log = config, out, log
        torch.manual_seed(config.seed)
        self.rng = random.Random(config.seed)
        self.tokenizer = networks.build_tokenizer()
        self.vae = networks.build_vae()
        self.unet = networks.build_unet()
        self.text_encoder = networks.build_text_encoder(self.tokenizer.get_vocab())
        self.noise_schedule = networks.training_scheduler()
        self.vae_optimizer = torch.optim.AdamW(self.vae.parameters(), lr=config.vae_lr)
        self.decoder_optimizer = torch.optim.AdamW(
            [*self.vae.post_quant_conv.parameters(), *self.vae.decoder.parameters()],
            lr=config.decoder_lr,
        )
        self.unet_optimizer = torch.optim.AdamW(
            [*self.unet.parameters(), *self.text_encoder.parameters()], lr=config.unet_lr
        )
        self.ema = EMAModel(
            [*self.unet.parameters(), *self.text_encoder.parameters()], decay=config.ema_decay
        )
        self.progress = Progress()
        self._attention = (
            attention_guide.install(self.unet) if config.attention_weight > 0 else None
        )
        self._vocab = self.tokenizer.get_vocab()
        self.pool: LatentPool | None = None
        self._token_cache: dict[str, torch.Tensor] = {}

    # -- the run ---------------------------------------------------------------------------

    def run(self, resume: bool = False, vae_from: Path | None = None) -> Path:
        self.out.mkdir(parents=True, exist_ok=True)
        if resume:
            self._load_checkpoint()
        elif vae_from is not None:
            self._take_vae(vae_from)
        config = self.config
        if self.progress.phase == "vae":
            self._phase("vae", config.vae_steps, config.minutes_vae, self._vae_step)
            self._set_scaling_factor()
            self.progress.phase = "decoder"
            self._save_checkpoint()
        if self.progress.phase == "decoder":
            self._phase("decoder", config.decoder_steps, config.minutes_decoder, self._decoder_step)
            self.progress.phase = "unet"
            self._save_checkpoint()
        if self.progress.steps["unet"] == 0:
            self._reseed_for_unet()
        # Last phase: a resumed run with more steps or minutes goes on with it.
        self._phase("unet", self.config.unet_steps, self.config.minutes_unet, self._unet_step)
        self.ema.copy_to([*self.unet.parameters(), *self.text_encoder.parameters()])
        parts = {
            "vae": self.vae.eval(),
            "text_encoder": self.text_encoder.eval(),
            "tokenizer": self.tokenizer,
            "unet": self.unet.eval(),
        }
        folder = export_model(self.out / "model", parts, self.summary(), self.log)
        self.log(f"wrote {folder}")
        return folder

    def _reseed_for_unet(self) -> None:
        """The UNet phase draws from its own seeds, so a UNet recipe can be retrained on a
        finished run's VAE (a checkpoint at the start of this phase) and give the same weights
        as a run from scratch, without repeating the VAE's twenty minutes."""
        torch.manual_seed(self.config.seed + 3)
        self.rng = random.Random(self.config.seed + 3)

    def _phase(
        self, name: str, cap: int | None, minutes: float, step: Callable[[], dict[str, float]]
    ) -> None:
        progress, config = self.progress, self.config
        budget = minutes * 60.0
        if name == "unet":
            self._ensure_pool()
        last_log = 0.0
        while (cap is None or progress.steps[name] < cap) and progress.seconds[name] < budget:
            started = time.perf_counter()
            self._set_learning_rate(name, cap, budget)
            losses = step()
            progress.seconds[name] += time.perf_counter() - started
            progress.steps[name] += 1
            number = progress.steps[name]
            for key, value in losses.items():
                progress.losses[key].append((number, value))
            finished = (cap is not None and number >= cap) or progress.seconds[name] >= budget
            if finished or number == 1 or progress.seconds[name] - last_log >= 5.0:
                last_log = progress.seconds[name]
                self.log(self._progress_line(name, cap, budget, losses))
            if number % config.every == 0 or finished:
                self._save_checkpoint()
                self._draw(name)

    def _progress_line(
        self, name: str, cap: int | None, budget: float, losses: dict[str, float]
    ) -> str:
        steps, seconds = self.progress.steps[name], self.progress.seconds[name]
        per_step = seconds / steps
        left = budget - seconds
        if cap is not None:
            left = min(left, (cap - steps) * per_step)
        shown = "  ".join(f"{key} {value:.4f}" for key, value in losses.items())
        total = f"/{cap}" if cap is not None else ""
        return (
            f"{name} step {steps}{total}  {shown}  {per_step:.2f} s/step  "
            f"elapsed {_clock(seconds)}  ETA {_clock(max(0.0, left))}"
        )

    def _set_learning_rate(self, name: str, cap: int | None, budget: float) -> None:
        """Linear warm-up, then a cosine down to a tenth, over the phase's steps (or its
        minutes when it has no step cap)."""
        done = self.progress.steps[name] / cap if cap else self.progress.seconds[name] / budget
        done = min(1.0, done)
        warmup = self.config.warmup
        if done < warmup:
            factor = (done + 1e-3) / warmup
        else:
            factor = 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (done - warmup) / (1 - warmup)))
        optimizer, base = {
            "vae": (self.vae_optimizer, self.config.vae_lr),
            "decoder": (self.decoder_optimizer, self.config.decoder_lr),
            "unet": (self.unet_optimizer, self.config.unet_lr),
        }[name]
        for group in optimizer.param_groups:
            group["lr"] = base * min(1.0, factor)

    # -- steps -----------------------------------------------------------------------------

    def _vae_step(self) -> dict[str, float]:
        images = image_batch(self.rng, self.config.vae_batch, self.config.vae_crop)
        posterior = self.vae.encode(images).latent_dist
        decoded = self.vae.decode(posterior.sample()).sample
        reconstruction = torch.nn.functional.mse_loss(decoded, images)
        kl = posterior.kl().mean() / posterior.mean[0].numel()
        loss = reconstruction + self.config.kl_weight * kl
        self.vae_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.vae_optimizer.step()
        return {"vae reconstruction": reconstruction.item(), "vae kl": kl.item()}

    def _decoder_step(self) -> dict[str, float]:
        images = image_batch(self.rng, self.config.decoder_batch)
        with torch.no_grad():
            latents = self.vae.encode(images).latent_dist.sample()
        decoded = self.vae.decode(latents).sample
        loss = torch.nn.functional.mse_loss(decoded, images)
        self.decoder_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.decoder_optimizer.step()
        return {"decoder reconstruction": loss.item()}

    def _unet_step(self) -> dict[str, float]:
        assert self.pool is not None
        latents, prompts, scenes = self.pool.batch_with_scenes(self.rng, self.config.unet_batch)
        noise = torch.randn_like(latents)
        timesteps = torch.randint(
            0, self.noise_schedule.config.num_train_timesteps, (len(prompts),)
        )
        noisy = self.noise_schedule.add_noise(latents, noise, timesteps)
        token_ids = self._token_ids(prompts)
        context = self.text_encoder(token_ids)[0]
        if self._attention is not None:
            self._attention.clear()
        predicted = self.unet(noisy, timesteps, context).sample
        errors = torch.nn.functional.mse_loss(predicted, noise, reduction="none").mean((1, 2, 3))
        snr = compute_snr(self.noise_schedule, timesteps)
        weights = snr.clamp(max=self.config.min_snr) / snr
        loss = (errors * weights).mean()
        losses = {"unet epsilon": errors.mean().item()}
        if self._attention is not None:
            guide = attention_guide.attention_loss(self._attention, token_ids, scenes, self._vocab)
            loss = loss + self.config.attention_weight * guide
            losses["unet attention"] = guide.item()
        self.unet_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.unet_optimizer.step()
        self.ema.step([*self.unet.parameters(), *self.text_encoder.parameters()])
        return losses

    def _token_ids(self, prompts: list[str]) -> torch.Tensor:
        for prompt in prompts:
            if prompt not in self._token_cache:
                self._token_cache[prompt] = self.tokenizer(
                    prompt,
                    padding="max_length",
                    max_length=self.tokenizer.model_max_length,
                    truncation=True,
                    return_tensors="pt",
                ).input_ids[0]
        return torch.stack([self._token_cache[prompt] for prompt in prompts])

    # -- the latent pool -------------------------------------------------------------------

    def _set_scaling_factor(self) -> None:
        """SD scales latents to about unit spread; ours gets its factor from its own latents."""
        self.vae.register_to_config(scaling_factor=1.0)
        pool = self._encode_pool(min(512, self.config.pool_size), random.Random(self.config.seed))
        factor = float(1.0 / pool.mean.std().clamp(min=1e-3))
        self.vae.register_to_config(scaling_factor=factor)
        self.log(f"vae scaling factor {factor:.4f}")

    def _ensure_pool(self) -> None:
        if self.pool is None:
            started = time.perf_counter()
            # Its own generator: the pool is the same on resume, whatever the batches drew.
            self.pool = self._encode_pool(
                self.config.pool_size, random.Random(self.config.seed + 1)
            )
            self.log(
                f"encoded {self.config.pool_size} scenes in {time.perf_counter() - started:.0f} s"
            )

    @torch.no_grad()
    def _encode_pool(self, size: int, rng: random.Random) -> LatentPool:
        from sdstudio.training.data import to_tensor

        self.vae.eval()
        scenes = [random_scene(rng) for _ in range(size)]
        means, stds = [], []
        for start in range(0, size, 64):
            chunk = scenes[start : start + 64]
            posterior = self.vae.encode(to_tensor([render(s, rng) for s in chunk])).latent_dist
            means.append(posterior.mean)
            stds.append(posterior.std)
        self.vae.train()
        factor = self.vae.config.scaling_factor
        return LatentPool(scenes, torch.cat(means) * factor, torch.cat(stds) * factor)

    # -- what a learner watches ------------------------------------------------------------

    def _draw(self, name: str) -> None:
        curves = {k: v for k, v in self.progress.losses.items() if v and k.startswith(name)}
        loss_plot(curves, f"{name} loss (log scale)").save(self.out / "loss.png")
        drawn = name == "unet"
        images = self.sample_images() if drawn else self._reconstructions()
        labels = [self.prompt_of(s) for s in SAMPLE_SCENES] if drawn else []
        columns = 4
        grid(images, columns, labels).save(self.out / "samples.png")

    @torch.no_grad()
    def _reconstructions(self) -> list:
        rng = random.Random(self.config.seed + 2)
        originals = image_batch(rng, 4)
        self.vae.eval()
        decoded = self.vae.decode(self.vae.encode(originals).latent_dist.mean).sample
        self.vae.train()
        return [*to_images(originals), *to_images(decoded)]

    @staticmethod
    def prompt_of(scene: Scene) -> str:
        from sdstudio.training.world import prompt_for

        return prompt_for(scene)

    @torch.no_grad()
    def sample_images(self) -> list:
        """The fixed prompts, drawn with CFG by a plain DDIM loop (same seed each time)."""
        from diffusers import DDIMScheduler

        scheduler = DDIMScheduler.from_config(networks.sd_scheduler().config)
        scheduler.set_timesteps(self.config.sample_steps)
        trained = [*self.unet.parameters(), *self.text_encoder.parameters()]
        self.ema.store(trained)
        self.ema.copy_to(trained)
        self.unet.eval()
        self.text_encoder.eval()
        prompts = [self.prompt_of(s) for s in SAMPLE_SCENES]
        count = len(prompts)
        context = self.text_encoder(self._token_ids(["" for _ in prompts] + prompts))[0]
        generator = torch.Generator().manual_seed(self.config.seed)
        latents = torch.randn(count, 4, 16, 16, generator=generator)
        for t in scheduler.timesteps:
            noise = self.unet(torch.cat([latents, latents]), t, context).sample
            unconditional, conditional = noise.chunk(2)
            guided = unconditional + self.config.guidance * (conditional - unconditional)
            latents = scheduler.step(guided, t, latents).prev_sample
        self.vae.eval()
        images = self.vae.decode(latents / self.vae.config.scaling_factor).sample
        self.ema.restore(trained)
        self.unet.train()
        self.text_encoder.train()
        self.vae.train()
        return to_images(images)

    # -- checkpoints -----------------------------------------------------------------------

    def _save_checkpoint(self) -> None:
        state = {
            "config": asdict(self.config),
            "progress": asdict(self.progress),
            "vae": self.vae.state_dict(),
            "vae_config": dict(self.vae.config),
            "unet": self.unet.state_dict(),
            "text_encoder": self.text_encoder.state_dict(),
            "vae_optimizer": self.vae_optimizer.state_dict(),
            "decoder_optimizer": self.decoder_optimizer.state_dict(),
            "unet_optimizer": self.unet_optimizer.state_dict(),
            "ema": self.ema.state_dict(),
            "python_rng": self.rng.getstate(),
            "torch_rng": torch.get_rng_state(),
        }
        partial = self.out / (CHECKPOINT + ".partial")
        torch.save(state, partial)
        partial.replace(self.out / CHECKPOINT)

    def _load_checkpoint(self) -> None:
        path = self.out / CHECKPOINT
        if not path.is_file():
            self.log(f"no {CHECKPOINT} in {self.out}: starting afresh")
            return
        # Tensors and plain values only: a checkpoint cannot run code when it is resumed.
        state: dict[str, Any] = torch.load(path, weights_only=True)
        self._restore_vae(state)
        self.unet.load_state_dict(state["unet"])
        self.text_encoder.load_state_dict(state["text_encoder"])
        self.unet_optimizer.load_state_dict(state["unet_optimizer"])
        self.ema.load_state_dict(state["ema"])
        self.rng.setstate(state["python_rng"])
        torch.set_rng_state(state["torch_rng"])
        self.progress = _saved_progress(state["progress"], PHASES)
        steps = ", ".join(f"{k} {v}" for k, v in self.progress.steps.items())
        self.log(f"resumed from {path} ({self.progress.phase} phase; steps: {steps})")

    def _take_vae(self, folder: Path) -> None:
        """Start at the UNet phase with another run's finished VAE (and its history)."""
        path = folder / CHECKPOINT
        if not path.is_file():
            raise FileNotFoundError(f"no {CHECKPOINT} in {folder}")
        state: dict[str, Any] = torch.load(path, weights_only=True)
        if state["progress"]["phase"] != "unet":
            raise ValueError(f"{path} has not finished its VAE phases yet")
        self._restore_vae(state)
        self.progress = _saved_progress(state["progress"], ("vae", "decoder"), phase="unet")
        self.log(f"took the VAE of {path}; starting the UNet phase")

    def _restore_vae(self, state: dict[str, Any]) -> None:
        """The VAE, its latent scale and both VAE optimizers from a checkpoint's state."""
        self.vae.load_state_dict(state["vae"])
        self.vae.register_to_config(scaling_factor=state["vae_config"]["scaling_factor"])
        self.vae_optimizer.load_state_dict(state["vae_optimizer"])
        if "decoder_optimizer" in state:  # checkpoints from before the decoder phase lack it
            self.decoder_optimizer.load_state_dict(state["decoder_optimizer"])

    def summary(self) -> dict[str, Any]:
        losses = self.progress.losses
        return {
            "config": asdict(self.config),
            "seed": self.config.seed,
            "steps": dict(self.progress.steps),
            "minutes": {k: round(v / 60, 2) for k, v in self.progress.seconds.items()},
            "first_losses": {k: v[0][1] for k, v in losses.items() if v},
            "final_losses": {k: _tail_mean(v) for k, v in losses.items() if v},
        }


def _saved_progress(
    saved: dict[str, Any], phases: tuple[str, ...], phase: str | None = None
) -> Progress:
    """A checkpoint's progress, keeping ``phases``' steps, seconds and losses (the rest start
    afresh), at ``phase`` or the saved one."""
    fresh = Progress()
    return Progress(
        phase=phase or saved["phase"],
        steps={**fresh.steps, **{k: v for k, v in saved["steps"].items() if k in phases}},
        seconds={**fresh.seconds, **{k: v for k, v in saved["seconds"].items() if k in phases}},
        losses={
            **fresh.losses,
            **{
                key: [tuple(point) for point in points]
                for key, points in saved["losses"].items()
                if key.split()[0] in phases  # "vae kl" belongs to the vae phase
            },
        },
    )


def _tail_mean(points: list[tuple[int, float]], count: int = 50) -> float:
    tail = [value for _, value in points[-count:]]
    return sum(tail) / len(tail)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}m{rest:02d}s"


def train(
    config: TrainConfig,
    out: Path,
    resume: bool = False,
    log=print,
    vae_from: Path | None = None,
) -> Path:
    """Train (or continue) into ``out``; returns the diffusers folder it wrote. ``vae_from``:
    a run folder whose finished VAE to keep, so that only the UNet phase runs."""
    return Trainer(config, out, log).run(resume, vae_from)
