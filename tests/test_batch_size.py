"""Batch size: images denoised together in one UNet batch, each the picture its seed gives
alone; batch count × batch size images in all, saved and reported one by one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from sdstudio.cli import main
from sdstudio.engine.generation.denoising import generate
from sdstudio.engine.generation.events import ImageFinished, StepEvent
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved, JobFailed, JobStarted
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.runner import run_job
from sdstudio.engine.metadata import read_metadata
from sdstudio.engine.previews.settings import PreviewKind, PreviewSettings
from sdstudio.engine.probes.options import ProbeOptions
from tests.helpers import max_pixel_difference, noise_image

TOLERANCE = 2  # of 255: a batched UNet call may round differently from a lone one
SEED = 31


def _request(**changes) -> GenerationRequest:
    values = dict(prompt="a red circle", steps=4, width=64, height=64, seed=SEED)
    return GenerationRequest(**{**values, **changes})


def _left_half_mask() -> Image.Image:
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (0, 0, 32, 64))
    return mask


def _assert_each_is_its_seed_alone(model, request: GenerationRequest, refiner=None) -> None:
    def images(each: GenerationRequest) -> list[Image.Image]:
        events = generate(model, each, refiner=refiner)
        return [event.image for event in events if isinstance(event, ImageFinished)]

    batch = images(request)
    assert len(batch) == request.batch_size
    for offset, image in enumerate(batch):
        (alone,) = images(replace(request, batch_size=1, seed=request.seed + offset))
        assert max_pixel_difference(image, alone) <= TOLERANCE, offset
    assert max_pixel_difference(batch[0], batch[1]) > 20  # and they are different pictures


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"scheduler": "Euler"}, id="txt2img-euler"),
        pytest.param({"scheduler": "Euler a"}, id="txt2img-euler-a"),
        pytest.param(
            {"scheduler": "Euler a", "init_image": noise_image(64, 64, 2), "strength": 0.6},
            id="img2img-euler-a",
        ),
        pytest.param(
            {
                "scheduler": "Euler a",
                "init_image": noise_image(64, 64, 2),
                "mask": _left_half_mask(),
                "strength": 0.7,
                "masked_content": "noise",
            },
            id="inpainting-euler-a",
        ),
        pytest.param(
            {"negative_prompt": "blurry " * 100, "scheduler": "DPM++ 2M"},
            id="prompt-and-negative-apart",
        ),
    ],
)
def test_each_image_of_a_batch_is_the_one_its_seed_gives_alone(demo_model, settings) -> None:
    _assert_each_is_its_seed_alone(demo_model, _request(batch_size=3, **settings))


def test_an_sdxl_batch_with_a_refiner_gives_each_seed_its_own_picture(
    sdxl_model, tmp_path_factory
) -> None:
    """SDXL adds pooled embeddings and size ids per row; the refiner finishes every row."""
    from sdstudio.engine.models.loading import load_model
    from tests.random_sdxl_model import build_random_sdxl_pipeline

    folder = tmp_path_factory.mktemp("sdxl") / "tiny-sdxl-refiner"
    build_random_sdxl_pipeline(refiner=True).save_pretrained(folder, safe_serialization=True)
    refiner = load_model(str(folder), device="cpu")
    request = _request(
        negative_prompt="blurry",
        steps=6,
        cfg_scale=5.0,
        scheduler="Euler a",
        batch_size=2,
        refiner="tiny-sdxl-refiner",
        refiner_switch=0.7,
    )
    _assert_each_is_its_seed_alone(sdxl_model, request, refiner)


def test_the_images_of_a_batch_report_each_step_together(demo_model) -> None:
    events = list(generate(demo_model, _request(steps=2, batch_count=2, batch_size=2)))
    steps = [(e.image_index, e.step, e.batch_count) for e in events if isinstance(e, StepEvent)]
    assert steps == [
        (0, 1, 4), (1, 1, 4), (0, 2, 4), (1, 2, 4),
        (2, 1, 4), (3, 1, 4), (2, 2, 4), (3, 2, 4),
    ]  # fmt: skip


def test_batch_count_times_batch_size_saves_every_image_with_its_seed(
    demo_model, tmp_path: Path
) -> None:
    previews = PreviewSettings(PreviewKind.LATENT)
    request = _request(steps=2, batch_count=2, batch_size=2)
    job = Job(request, previews=previews, saving=SaveOptions(output_dir=tmp_path))
    payloads = [event.payload for event in run_job(demo_model, job)]
    assert isinstance(payloads[0], JobStarted) and payloads[0].batch_count == 4
    saved = [payload for payload in payloads if isinstance(payload, ImageSaved)]
    seeds = [SEED, SEED + 1, SEED + 2, SEED + 3]
    assert [image.seed for image in saved] == seeds
    assert sorted(path.name for path in tmp_path.glob("*.png")) == sorted(
        image.path.name for image in saved
    )
    for image, seed in zip(saved, seeds, strict=True):
        assert read_metadata(image.path).record.seed == seed
        with Image.open(image.path) as png:
            assert f"Seed: {seed}," in png.text["parameters"]
        assert [step for step, _ in image.frames] == [1, 2]  # its own previews


def test_the_command_line_batch_size_saves_one_png_per_image(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cat.png"
    args = ["generate", "--prompt", "a cat", "--seed", "11", "--batch-size", "2"]
    assert main([*args, "--steps", "2", "--width", "64", "--height", "64", "--out", str(out)]) == 0
    paths = [Path(line) for line in capsys.readouterr().out.split()]
    assert [path.name for path in paths] == ["cat-1.png", "cat-2.png"]
    assert [read_metadata(path).record.seed for path in paths] == [11, 12]


def test_the_command_line_help_offers_batch_size(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    assert "--batch-size" in capsys.readouterr().out


def test_watching_modules_in_a_batch_is_refused_with_a_message(demo_model) -> None:
    job = Job(_request(batch_size=2), probes=ProbeOptions(watch=("unet.mid_block",)))
    payloads = [event.payload for event in run_job(demo_model, job)]
    [failed] = [payload for payload in payloads if isinstance(payload, JobFailed)]
    assert "Watching modules and attention maps need batch size 1" in failed.message
    assert not any(isinstance(payload, ImageSaved) for payload in payloads)


def test_the_window_progress_moves_forward_through_a_batch(demo_model) -> None:
    from sdstudio.ui.latest_slot import LatestSlot
    from sdstudio.ui.progress_text import Progress
    from sdstudio.ui.worker import _JobTranslator
    from sdstudio.ui.worker_events import RunProgress

    job = Job(_request(steps=3, batch_count=2, batch_size=3))
    sent: list[object] = []
    translator = _JobTranslator(job, sent.append, LatestSlot(), LatestSlot())
    for event in run_job(demo_model, job):
        translator.send(event.payload)
    progress = [
        Progress(e.step, e.total, e.image_index, e.batch_count)
        for e in sent
        if isinstance(e, RunProgress)
    ]
    done = [each.done_steps for each in progress]
    assert done == list(range(1, 7)) and progress[-1].all_steps == 6  # one per UNet step


def test_the_window_batch_size_reaches_the_request(qtbot) -> None:
    from PySide6.QtWidgets import QSpinBox

    from sdstudio.ui.controls_panel import ControlsPanel

    panel = ControlsPanel()
    qtbot.addWidget(panel)
    spin = panel.findChild(QSpinBox, "batchSizeSpin")
    assert spin is not None and spin.maximum() == 8
    spin.setValue(4)
    request = panel.build_request()
    assert (request.batch_size, request.image_count) == (4, 4)
