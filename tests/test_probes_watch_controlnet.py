"""Watching a ControlNet unit's modules: ``controlnet.<path>`` is the first unit's model,
``controlnet_1.<path>`` the second's; each is pictured at every step from its own unit's
calls, and a path whose unit the run lacks is refused before the run, as a wrong path is."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sdstudio.cli import main
from sdstudio.engine.generation.controlnet.cache import CONTROLNETS
from sdstudio.engine.generation.controlnet.unit import ControlUnit
from sdstudio.engine.generation.events import StepEvent
from sdstudio.engine.jobs.events import JobFailed
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.runner import run_job
from sdstudio.engine.modules import ShapeSpec, apply_shapes, capture_tree_shapes
from sdstudio.engine.modules.controlnet_architecture import controlnet_architecture
from sdstudio.engine.probes.options import ProbeOptions
from sdstudio.engine.probes.outputs import ActivationViews
from tests.probes_support import small_request
from tests.random_controlnet import build_random_controlnet

FAST = ["--steps", "2", "--width", "64", "--height", "64", "--seed", "3", "--scheduler", "Euler"]


@pytest.fixture(scope="module")
def tiny_controlnet(demo_model):
    return build_random_controlnet(demo_model.pipeline.unet, seed=5)


@pytest.fixture
def controlnet_folder(tiny_controlnet, tmp_path: Path) -> Path:
    folder = tmp_path / "watch-tiny"
    tiny_controlnet.save_pretrained(folder, safe_serialization=True)
    yield folder
    CONTROLNETS.release()


def _disc() -> Image.Image:
    picture = Image.new("RGB", (64, 64), "black")
    ImageDraw.Draw(picture).ellipse((16, 16, 48, 48), fill="white")
    return picture


def _run(model, folder: Path, watch: tuple[str, ...], *images: Image.Image, steps: int = 2):
    units = tuple(ControlUnit(str(folder), image) for image in images)
    job = Job(
        small_request(steps=steps),
        probes=ProbeOptions(watch=watch),
        saving=SaveOptions(enabled=False),
        controlnets=units,
    )
    return [event.payload for event in run_job(model, job)]


def _views(payloads, path: str):
    return [
        view
        for payload in payloads
        if isinstance(payload, ActivationViews)
        for view in payload.views
        if view.module_path == path
    ]


def _hooks(module) -> int:
    return sum(len(sub._forward_hooks) for sub in module.modules())


def test_a_controlnet_block_is_pictured_at_each_step(demo_model, controlnet_folder) -> None:
    payloads = _run(demo_model, controlnet_folder, ("controlnet.down_blocks.0",), _disc(), steps=3)

    assert not [p for p in payloads if isinstance(p, JobFailed)]
    views = _views(payloads, "controlnet.down_blocks.0")
    assert [view.step for view in views] == [1, 2, 3]
    assert all(view.fresh and view.image.mode == "RGB" for view in views)
    # the model browser's output shape: both guidance halves, 32 channels, 8×8 halved
    browser = controlnet_architecture(controlnet_folder).tree()
    apply_shapes(browser, capture_tree_shapes(browser, ShapeSpec(64, 64)))
    expected = browser.find("controlnet.down_blocks.0").shape_record.outputs[0][1]
    assert {view.shape for view in views} == {expected} == {(2, 32, 4, 4)}


def test_units_sharing_a_model_are_each_pictured_from_their_own_image(
    demo_model, controlnet_folder
) -> None:
    watched = ("controlnet.controlnet_cond_embedding", "controlnet_1.controlnet_cond_embedding")
    blank = Image.new("RGB", (64, 64), "black")
    both = _run(demo_model, controlnet_folder, watched, blank, _disc())
    disc_alone = _views(_run(demo_model, controlnet_folder, watched[:1], _disc()), watched[0])

    first, second = _views(both, watched[0]), _views(both, watched[1])
    assert len(first) == len(second) == 2
    assert np.array_equal(np.asarray(second[0].image), np.asarray(disc_alone[0].image))
    assert not np.array_equal(np.asarray(first[0].image), np.asarray(second[0].image))


def test_no_hook_is_left_on_the_controlnet(demo_model, controlnet_folder) -> None:
    _run(demo_model, controlnet_folder, ("controlnet.down_blocks.0", "unet.mid_block"), _disc())

    [unit] = CONTROLNETS.loaded_units([ControlUnit(str(controlnet_folder), _disc())], demo_model)
    assert _hooks(unit.controlnet) == 0


def test_a_second_units_path_in_a_run_with_one_unit_is_refused(
    demo_model, controlnet_folder
) -> None:
    payloads = _run(demo_model, controlnet_folder, ("controlnet_1.down_blocks.0",), _disc())

    [failed] = [p for p in payloads if isinstance(p, JobFailed)]
    assert failed.message.startswith(
        "controlnet_1.down_blocks.0 is a module of ControlNet unit 1 (counted from 0), and this "
        "run has 1 ControlNet unit (controlnet). Watchable components: "
    )
    assert not [p for p in payloads if isinstance(p, StepEvent)]


def test_a_controlnet_path_without_units_is_refused_like_a_wrong_path(demo_model) -> None:
    job = Job(small_request(), probes=ProbeOptions(watch=("controlnet.down_blocks.0",)))
    payloads = [event.payload for event in run_job(demo_model, job)]

    [failed] = [p for p in payloads if isinstance(p, JobFailed)]
    assert failed.message == (
        "controlnet.down_blocks.0 is a module of a ControlNet unit's model, and this run has "
        "no ControlNet unit: add one or stop watching it. "
        "Watchable components: vae, text_encoder, unet."
    )
    assert not [p for p in payloads if isinstance(p, StepEvent)]


def test_a_wrong_module_under_the_controlnet_names_what_exists(
    demo_model, controlnet_folder
) -> None:
    payloads = _run(demo_model, controlnet_folder, ("controlnet.down_blocks.7",), _disc())

    [failed] = [p for p in payloads if isinstance(p, JobFailed)]
    assert failed.message.startswith("No module '7' under controlnet.down_blocks (it has: 0, 1).")


def test_generate_watch_writes_the_controlnets_pictures(
    demo_model, controlnet_folder, tmp_path: Path
) -> None:
    control = tmp_path / "disc.png"
    _disc().save(control)
    watch_dir = tmp_path / "watch"
    args = ["generate", "--prompt", "a cat", "--out", str(tmp_path / "cat.png"), *FAST]
    unit = ["--controlnet", str(controlnet_folder), "--control-image", str(control)]
    watched = ["--watch", "controlnet.mid_block", "--watch-dir", str(watch_dir)]
    assert main([*args, *unit, *watched]) == 0

    assert sorted(path.name for path in watch_dir.iterdir()) == [
        "controlnet.mid_block_step001.png",
        "controlnet.mid_block_step002.png",
    ]


def test_generate_refuses_a_controlnet_path_without_its_unit_before_loading(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    from sdstudio.cli import generate

    def no_loading(*_args: object) -> None:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(generate, "load_for_cli", no_loading)
    args = ["generate", "--prompt", "a cat", "--out", str(tmp_path / "cat.png"), *FAST]
    assert main([*args, "--watch", "controlnet.mid_block"]) == 2

    err = capsys.readouterr().err
    assert (
        "--watch controlnet.mid_block is a module of a ControlNet unit's model, and this run "
        "has no ControlNet unit" in err
    )
    assert "Traceback" not in err
