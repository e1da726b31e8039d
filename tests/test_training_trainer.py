"""The demo trainer: a tiny run makes a model sdstudio loads and runs, and a learner can watch
it learn (progress with an ETA, a loss plot, sample grids, checkpoints that resume)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from sdstudio.training.config import TrainConfig

TINY = TrainConfig(
    vae_steps=2,
    decoder_steps=2,
    unet_steps=2,
    vae_batch=2,
    decoder_batch=2,
    unet_batch=2,
    pool_size=8,
    every=2,
    sample_steps=2,
)
TINY_ARGS = [
    *("--vae-steps", "2", "--decoder-steps", "2", "--vae-batch", "2", "--unet-batch", "2"),
    *("--pool-size", "8", "--every", "2", "--sample-steps", "2"),
]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    from sdstudio.training.trainer import train

    out = tmp_path_factory.mktemp("tiny-run")
    lines: list[str] = []
    train(TINY, out, log=lines.append)
    return out, lines


def weights_hashes(model: Path) -> dict[str, str]:
    record = json.loads((model / "training.json").read_text())
    return {name: each["sha256"] for name, each in record["weights"].items()}


def test_a_tiny_run_makes_a_model_sdstudio_generates_with(tiny_run) -> None:
    from sdstudio.engine.generation.denoising import generate
    from sdstudio.engine.generation.events import ImageFinished
    from sdstudio.engine.generation.request import GenerationRequest
    from sdstudio.engine.models.loading import load_model

    out, _ = tiny_run
    model = load_model(str(out / "model"), device="cpu")
    request = GenerationRequest("a red circle on the left", steps=2, width=128, height=128)
    images = [e.image for e in generate(model, request) if isinstance(e, ImageFinished)]
    assert model.family.name == "sd1"
    assert [image.size for image in images] == [(128, 128)]


def test_the_model_folder_records_its_training_and_holds_only_safetensors(tiny_run) -> None:
    model = tiny_run[0] / "model"
    record = json.loads((model / "training.json").read_text())
    assert record["seed"] == 0 and record["steps"] == {"vae": 2, "decoder": 2, "unet": 2}
    assert set(record["final_losses"]) == {
        "vae reconstruction",
        "vae kl",
        "decoder reconstruction",
        "unet epsilon",
        "unet attention",  # the default recipe teaches positions with it
    }
    assert sorted(record["weights"]) == [
        "text_encoder/model.safetensors",
        "unet/diffusion_pytorch_model.safetensors",
        "vae/diffusion_pytorch_model.safetensors",
    ]
    assert not list(model.rglob("*.bin")) and record["weights_megabytes"] <= 25


def test_progress_lines_show_an_eta(tiny_run) -> None:
    steps = [line for line in tiny_run[1] if " step " in line]
    for phase in ("vae", "decoder", "unet"):
        assert any(line.startswith(f"{phase} step 2/2") for line in steps)
    assert all("ETA " in line for line in steps)


def test_a_loss_plot_and_a_sample_grid_are_drawn(tiny_run) -> None:
    out = tiny_run[0]
    plot, samples = Image.open(out / "loss.png"), Image.open(out / "samples.png")
    assert plot.size == (640, 360) and len(plot.getcolors(100_000) or []) > 2
    assert samples.width == 4 * 128 and samples.height >= 2 * 128


def test_the_same_seed_gives_the_same_weights(tiny_run, tmp_path: Path) -> None:
    from sdstudio.training.trainer import train

    again = train(TINY, tmp_path, log=lambda line: None)
    assert weights_hashes(again) == weights_hashes(tiny_run[0] / "model")


def test_resume_continues_the_step_count(tmp_path: Path, capsys) -> None:
    from sdstudio.cli import main

    assert main(["train-demo", "--out", str(tmp_path), "--unet-steps", "2", *TINY_ARGS]) == 0
    capsys.readouterr()
    resumed = ["train-demo", "--out", str(tmp_path), "--unet-steps", "3", "--resume"]
    assert main([*resumed, *TINY_ARGS]) == 0
    printed = capsys.readouterr().out
    record = json.loads((tmp_path / "model" / "training.json").read_text())
    assert "resumed from" in printed and "unet step 3/3" in printed
    assert "vae step" not in printed and "decoder step" not in printed
    assert record["steps"] == {"vae": 2, "decoder": 2, "unet": 3}


def test_a_unet_recipe_on_a_finished_runs_vae_gives_the_whole_runs_weights(
    tiny_run, tmp_path: Path
) -> None:
    """``--vae-from RUN`` skips the VAE phases yet ends where a run from scratch ends."""
    from sdstudio.cli import main

    args = ["train-demo", "--out", str(tmp_path), "--vae-from", str(tiny_run[0])]
    assert main([*args, "--unet-steps", "2", *TINY_ARGS]) == 0
    record = json.loads((tmp_path / "model" / "training.json").read_text())
    assert weights_hashes(tmp_path / "model") == weights_hashes(tiny_run[0] / "model")
    assert record["steps"] == {"vae": 2, "decoder": 2, "unet": 2}


def test_vae_from_a_folder_without_a_run_says_so(tmp_path: Path, capsys) -> None:
    from sdstudio.cli import main

    args = ["train-demo", "--out", str(tmp_path / "out"), "--vae-from", str(tmp_path)]
    assert main([*args, *TINY_ARGS]) == 2
    assert f"no checkpoint.pt in {tmp_path}" in capsys.readouterr().err


def test_every_world_word_is_one_token() -> None:
    from sdstudio.training.networks import WORLD_WORDS, build_tokenizer

    tokenizer = build_tokenizer()
    split = {word: tokenizer.tokenize(word) for word in WORLD_WORDS}
    assert split == {word: [f"{word}</w>"] for word in WORLD_WORDS}


def test_the_attention_guide_teaches_positions_through_a_loss_that_is_recorded(tiny_run) -> None:
    """By default the UNet phase adds the position loss at 0.005 and records it."""
    record = json.loads((tiny_run[0] / "model" / "training.json").read_text())
    assert record["config"]["attention_weight"] == 0.005
    assert 0.0 < record["final_losses"]["unet attention"] < 10.0


def test_an_attention_weight_of_zero_leaves_the_loss_out(tmp_path) -> None:
    from dataclasses import replace

    from sdstudio.training.trainer import train

    config = replace(TINY, unet_steps=2, pool_size=8, attention_weight=0.0)
    folder = train(config, tmp_path / "plain", log=lambda line: None)
    record = json.loads((folder / "training.json").read_text())
    assert "unet attention" not in record["final_losses"]


def test_the_attention_region_is_the_named_part_of_the_picture() -> None:
    from sdstudio.training.attention_guide import region
    from sdstudio.training.world import Position

    left = region(Position.LEFT).view(8, 8)
    assert left[3:5, 0:2].all() and not left[:, 4:].any() and not left[0].any()
    assert int(sum(region(position).sum() for position in Position)) < 64  # corners: none
