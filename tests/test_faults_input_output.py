"""Hostile input, full disks and damaged state: never a lost image, never a traceback.

What a user sees: the command refuses a destination it cannot write before the run, keeps a
finished image that could not be saved, replaces undecodable prompt bytes, refuses NaN and
infinity, shows init images upright and at a usable size, writes files as the umask says,
shows an image's text without obeying its escape codes, and stops quietly under ``| head``.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from sdstudio.cli import main
from sdstudio.engine.errors import InitImageError, RequestError
from sdstudio.engine.generation.events import Notice
from sdstudio.engine.generation.init_image import load_init_image
from sdstudio.engine.generation.inpainting.mask_file import load_mask
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.jobs.events import ImageSaved
from sdstudio.engine.jobs.job import Job, SaveOptions
from sdstudio.engine.jobs.runner import run_job
from sdstudio.engine.metadata import read_metadata, restore_settings
from sdstudio.engine.metadata.autosave import save_generation, save_png_to
from sdstudio.engine.metadata.record import GenerationRecord

FAST = ["--steps", "2", "--width", "64", "--height", "64", "--seed", "3"]


def generate(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["generate", "--prompt", "a red circle", *FAST, *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail a test whose command loads the model: a refusal must come before that."""

    def refuse(args):
        raise AssertionError("the model was loaded before the destination was checked")

    monkeypatch.setattr("sdstudio.cli.generate.load_for_cli", refuse)


def os_open_failing_in(
    monkeypatch: pytest.MonkeyPatch, folder: Path, error: int, after: int = 0
) -> None:
    """``os.open`` raising ``error`` for files created in ``folder`` after ``after`` calls
    there (the pre-run check creates one): a read-only folder or a full disk, also for root."""
    real_open = os.open
    calls = {"count": 0}

    def fake_open(path, flags, *args, **kwargs):
        if Path(path).parent == folder and flags & os.O_CREAT:
            calls["count"] += 1
            if calls["count"] > after:
                raise OSError(error, os.strerror(error), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)


def unsaved_files(home: Path) -> list[Path]:
    return sorted((home / "outputs" / "unsaved").glob("*.png"))


# -- 1. where the images go ------------------------------------------------------------------


def test_an_output_dir_that_is_a_file_is_refused_before_the_run(
    tmp_path: Path, capsys, no_model
) -> None:
    blocked = tmp_path / "notes.txt"
    blocked.write_text("mine")
    for folder in (blocked, blocked / "sub"):
        code, _, err = generate(capsys, "--output-dir", str(folder))
        assert code == 2
        assert f"{blocked} is a file, not a folder" in err
    assert blocked.read_text() == "mine"


def test_an_out_file_named_like_an_existing_folder_is_refused(
    tmp_path: Path, capsys, no_model
) -> None:
    folder = tmp_path / "picture.png"
    folder.mkdir()
    code, _, err = generate(capsys, "--out", str(folder))
    assert code == 2
    assert f"Cannot save the image as {folder}: it is a folder" in err
    assert list(folder.iterdir()) == []


def test_a_read_only_folder_is_refused(tmp_path: Path, capsys, no_model) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        probe = folder / "probe"
        try:
            probe.touch()
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("this user writes into read-only folders (root); see the simulated case")
        code, _, err = generate(capsys, "--output-dir", str(folder))
    finally:
        folder.chmod(0o755)
    assert code == 2
    assert f"Cannot save images in {folder}: Permission denied" in err


@pytest.mark.parametrize(
    ("error", "words"),
    [(errno.EACCES, "Permission denied"), (errno.ENOSPC, "No space left on device")],
)
def test_a_folder_that_refuses_files_is_refused_before_the_run(
    tmp_path: Path, capsys, no_model, monkeypatch: pytest.MonkeyPatch, error: int, words: str
) -> None:
    folder = tmp_path / "outputs"
    folder.mkdir()
    os_open_failing_in(monkeypatch, folder, error)
    code, _, err = generate(capsys, "--output-dir", str(folder))
    assert code == 2
    assert f"Cannot save images in {folder}: {words}" in err
    assert list(folder.iterdir()) == []


def test_a_disk_without_room_for_one_image_is_refused(
    tmp_path: Path, capsys, no_model, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda path: real(path)._replace(free=1000))
    code, _, err = generate(capsys, "--output-dir", str(tmp_path / "new" / "folder"))
    assert code == 2
    assert "its disk has 1 kB free, and an image needs up to 12 kB" in err  # 64×64 RGB
    assert not (tmp_path / "new").exists()  # nothing is created for a refused run


def test_a_disk_that_fills_during_the_run_keeps_the_image(
    tmp_path: Path, capsys, sdstudio_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "outputs"
    folder.mkdir()
    # the checks pass (the command's, before the model loads, and the runner's)
    os_open_failing_in(monkeypatch, folder, errno.ENOSPC, after=2)
    code, out, err = generate(capsys, "--output-dir", str(folder))
    [kept] = unsaved_files(sdstudio_home)
    assert code == 1
    assert f"No space left on device: {folder}" in err
    assert f"it was kept as {kept}" in err
    assert out == ""  # stdout lists only images saved where asked
    assert read_metadata(kept).record.prompt == "a red circle"
    assert list(folder.iterdir()) == []


def test_the_runner_tells_where_an_image_it_could_not_save_went(
    demo_model, tmp_path: Path, sdstudio_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "named.png"
    os_open_failing_in(monkeypatch, tmp_path, errno.ENOSPC, after=1)  # the check passes
    request = GenerationRequest("a red barn", steps=2, width=64, height=64, seed=9)
    payloads = [
        e.payload for e in run_job(demo_model, Job(request, saving=SaveOptions(file=target)))
    ]
    [notice] = [p for p in payloads if isinstance(p, Notice)]
    [saved] = [p for p in payloads if isinstance(p, ImageSaved)]
    [kept] = unsaved_files(sdstudio_home)
    assert f"it was kept as {kept}" in notice.text
    with Image.open(kept) as image:
        assert np.array_equal(np.asarray(image.convert("RGB")), np.asarray(saved.image))
    assert not target.exists()


def test_a_leftover_temporary_file_is_removed_by_the_next_save_but_a_fresh_one_stays(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "outputs"
    folder.mkdir()
    old = folder / ".saving-killed.png"
    fresh = folder / ".saving-in-progress.png"
    for each in (old, fresh):
        each.write_bytes(b"half a png")
    two_minutes_ago = time.time() - 120
    os.utime(old, (two_minutes_ago, two_minutes_ago))
    save_generation(Image.new("RGB", (8, 8)), GenerationRecord(prompt="x", seed=1), folder)
    assert sorted(path.name for path in folder.iterdir()) == [
        ".saving-in-progress.png",
        "00001-1.png",
    ]


def test_the_check_before_a_run_also_removes_leftovers(tmp_path: Path, capsys, no_model) -> None:
    old = tmp_path / ".saving-killed.png"
    old.write_bytes(b"half a png")
    os.utime(old, (time.time() - 120, time.time() - 120))
    with pytest.raises(AssertionError, match="the model was loaded"):
        generate(capsys, "--output-dir", str(tmp_path))
    assert not old.exists()


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_saved_pictures_follow_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    previous = os.umask(umask)
    try:
        numbered = save_generation(Image.new("RGB", (8, 8)), GenerationRecord(prompt="x"), tmp_path)
        named = save_png_to(
            Image.new("RGB", (8, 8)), GenerationRecord(prompt="x"), tmp_path / "a.png"
        )
    finally:
        os.umask(previous)
    assert [path.stat().st_mode & 0o777 for path in (numbered, named)] == [mode, mode]


# -- 2. prompts that are not UTF-8 -----------------------------------------------------------


def test_undecodable_prompt_bytes_are_replaced_and_said(tmp_path: Path, capsys) -> None:
    out = tmp_path / "fox.png"
    code = main(
        ["generate", "--prompt", "fox \udcff", "--negative", "blur\udcfe", *FAST, "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 0
    assert "--prompt has bytes that are not UTF-8 text; each was replaced by U+FFFD" in err
    assert "--negative has bytes that are not UTF-8 text" in err
    record = read_metadata(out).record
    assert (record.prompt, record.negative_prompt) == ("fox \ufffd", "blur\ufffd")


def test_undecodable_bytes_in_a_prompts_file_name_their_line(
    tmp_path: Path, capsys, sdstudio_home: Path
) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_bytes(b"# one job\n--prompt 'caf\xe9 au lait' --seed 4\n")
    code = main(["generate", "--prompts-file", str(prompts), *FAST[:-2]])
    captured = capsys.readouterr()
    assert code == 0
    assert "prompts.txt line 2: --prompt has bytes that are not UTF-8 text" in captured.err
    assert read_metadata(captured.out.strip()).record.prompt == "caf\ufffd au lait"


def test_a_binary_prompts_file_is_refused(tmp_path: Path, capsys) -> None:
    prompts = tmp_path / "picture.png"
    Image.new("RGB", (8, 8)).save(prompts)
    assert main(["generate", "--prompts-file", str(prompts)]) == 2
    assert "Cannot read picture.png as a text file" in capsys.readouterr().err


# -- 3. numbers that are not finite ----------------------------------------------------------


@pytest.mark.parametrize("flag", ["--cfg", "--strength", "--guidance-rescale", "--refiner-switch"])
@pytest.mark.parametrize("text", ["nan", "inf", "-inf"])
def test_the_command_line_refuses_non_finite_numbers(capsys, no_model, flag, text) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["generate", "--prompt", "x", f"{flag}={text}"])  # "-inf" reads as a flag
    assert exited.value.code == 2
    assert f"argument {flag}: must be a finite number, got '{text}'" in capsys.readouterr().err


def test_a_lora_weight_must_be_finite(capsys, no_model) -> None:
    assert main(["generate", "--prompt", "x", "--lora", "style:nan"]) == 2
    assert "--lora style:nan: the weight must be a finite number" in capsys.readouterr().err


@pytest.mark.parametrize("weight", ["nan", "inf", "1:nan"])
def test_a_lora_tag_in_the_prompt_must_have_a_finite_weight(weight: str) -> None:
    from sdstudio.engine.prompts.network_tags import network_tags

    with pytest.raises(RequestError, match="the weight must be a finite number"):
        network_tags(f"a cat <lora:style:{weight}>")


def test_an_xyz_lora_weight_axis_must_be_finite() -> None:
    from sdstudio.engine.grids.axes import Axis

    axis = Axis.parse("LoRA weight=0.5,nan")
    with pytest.raises(RequestError, match="must be a finite number"):
        axis.apply(GenerationRequest("a cat <lora:style:1>"), 1)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_request_refuses_non_finite_numbers(value: float) -> None:
    with pytest.raises(RequestError, match="CFG scale must be a finite number"):
        GenerationRequest("x", cfg_scale=value)


def test_a_record_holding_nan_is_not_restored(tmp_path: Path) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("sdstudio", '{"format":1,"prompt":"x","cfg_scale":NaN}')
    info.add_text("parameters", "x\nSteps: 5, Sampler: Euler, CFG scale: nan, Seed: 2")
    path = tmp_path / "nan.png"
    Image.new("RGB", (8, 8)).save(path, pnginfo=info)
    restored = restore_settings(read_metadata(path))
    assert "cfg_scale" not in restored.settings
    assert restored.settings["steps"] == 5


# -- 3. init images and masks: upright, bounded ----------------------------------------------


def sideways_picture(path: Path) -> None:
    """A 40×20 picture, red left and blue right, stored as a camera does for a portrait: its
    EXIF says to turn it 90° clockwise (orientation 6), so it shows 20×40, red on top."""
    pixels = np.zeros((20, 40, 3), dtype=np.uint8)
    pixels[:, :20] = (255, 0, 0)
    pixels[:, 20:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(pixels).save(path, exif=exif.tobytes(), quality=95)


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_an_init_image_is_turned_as_its_exif_says(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"portrait{suffix}"
    sideways_picture(path)
    image = load_init_image(path)
    assert image.size == (20, 40)
    top, bottom = image.getpixel((10, 5)), image.getpixel((10, 35))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]


def test_a_mask_is_turned_as_its_exif_says(tmp_path: Path) -> None:
    path = tmp_path / "mask.png"
    sideways_picture(path)  # red is brighter than blue in gray
    mask = load_mask(path)
    assert mask.size == (20, 40)
    assert mask.getpixel((10, 5)) > mask.getpixel((10, 35))


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_a_mask_opened_in_the_window_is_turned_as_its_exif_says(qapp, tmp_path, suffix) -> None:
    from PySide6.QtCore import QSize

    from sdstudio.ui.mask.mask_layer import MaskLayer

    path = tmp_path / f"mask{suffix}"
    sideways_picture(path)
    layer = MaskLayer()
    layer.reset(QSize(20, 40))  # the init image, upright
    layer.load(path)
    mask = layer.to_pil()
    assert mask.getpixel((10, 5)) > mask.getpixel((10, 35)) + 20


def test_a_mask_beyond_the_bomb_limit_is_refused_in_the_window(
    qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QSize

    from sdstudio.ui.mask.mask_layer import MaskFileError, MaskLayer

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    path = tmp_path / "bomb.png"
    Image.new("L", (300, 100), 255).save(path)
    layer = MaskLayer()
    layer.reset(QSize(30, 10))
    with pytest.raises(MaskFileError, match="bomb.png is too large"):
        layer.load(path)


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_a_large_init_image_is_scaled_down_while_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setattr("sdstudio.engine.generation.picture_file.MAX_LOADED_SIDE", 64)
    path = tmp_path / f"large{suffix}"
    Image.new("RGB", (400, 200), (0, 128, 0)).save(path)
    image = load_init_image(path)
    assert image.size == (64, 32)
    assert image.getpixel((30, 15))[1] in range(120, 137)


def test_a_photo_beyond_the_largest_side_is_loaded_at_4096(tmp_path: Path) -> None:
    path = tmp_path / "panorama.jpg"
    Image.new("RGB", (8200, 100), (200, 200, 0)).save(path)
    assert load_init_image(path).size == (4096, 50)


def test_a_picture_pillow_only_warns_about_is_scaled_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2_000)
    monkeypatch.setattr("sdstudio.engine.generation.picture_file.MAX_LOADED_SIDE", 40)
    path = tmp_path / "large.png"
    Image.new("RGB", (60, 50)).save(path)  # 3,000 pixels: a warning, not a refusal
    assert load_init_image(path).size == (40, 33)


def test_a_picture_beyond_the_bomb_limit_is_refused_with_a_message(
    tmp_path: Path, capsys, no_model, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    path = tmp_path / "bomb.png"
    Image.new("RGB", (300, 100)).save(path)  # more than twice the limit: Pillow refuses
    with pytest.raises(InitImageError, match="bomb.png is too large"):
        load_init_image(path)
    assert main(["generate", "--prompt", "x", "--init", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bomb.png is too large: sdstudio opens pictures of at most 20,000 pixels" in err
    assert len(err.strip().splitlines()) == 1


# -- 3. sdstudio info: escape codes, a reader that leaves ------------------------------------


def test_info_shows_escape_codes_instead_of_sending_them(tmp_path: Path, capsys) -> None:
    path = tmp_path / "hostile.png"
    info = PngImagePlugin.PngInfo()
    text = "a \x1b[31mred\x1b[0m cat\x07\nSteps: 5, Sampler: Euler, CFG scale: 7, Seed: 1"
    info.add_text("parameters", text)
    Image.new("RGB", (8, 8)).save(path, pnginfo=info)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "Prompt: a \\x1b[31mred\\x1b[0m cat\\x07" in out
    assert main(["info", "--raw", str(path)]) == 0  # not a terminal: exactly as stored
    assert text in capsys.readouterr().out


def test_info_into_a_reader_that_stops_early_exits_quietly(tmp_path: Path) -> None:
    path = tmp_path / "long.png"
    info = PngImagePlugin.PngInfo()
    long_prompt = "\n".join(f"line {n} of a long prompt" for n in range(20_000))  # > a pipe
    info.add_text("parameters", f"{long_prompt}\nSteps: 5, Sampler: Euler, CFG scale: 7, Seed: 1")
    Image.new("RGB", (8, 8)).save(path, pnginfo=info)
    env = {**os.environ, "SDSTUDIO_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "sdstudio", "info", str(path)]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as process:
        assert process.stdout.readline().startswith(str(path).encode())  # like `head -1`
        process.stdout.close()
        err = process.stderr.read().decode()
        code = process.wait(timeout=60)
    assert err == ""
    assert code == 141


def test_the_temporary_files_of_other_programs_are_left_alone(tmp_path: Path) -> None:
    theirs = [tmp_path / ".saving-notes.txt", tmp_path / "old.png.tmp"]
    for each in theirs:
        each.write_text("theirs")
        os.utime(each, (time.time() - 3600, time.time() - 3600))
    handle, ours = tempfile.mkstemp(prefix=".saving-", suffix=".png", dir=tmp_path)
    os.close(handle)
    os.utime(ours, (time.time() - 3600, time.time() - 3600))
    save_generation(Image.new("RGB", (8, 8)), GenerationRecord(prompt="x", seed=2), tmp_path)
    assert all(each.exists() for each in theirs) and not Path(ours).exists()


def test_a_job_whose_folder_is_a_file_fails_before_any_step(demo_model, tmp_path: Path) -> None:
    """The window's jobs go through the runner: the same check stops them before the work."""
    from sdstudio.engine.generation.events import StepEvent
    from sdstudio.engine.jobs.events import JobFailed

    blocker = tmp_path / "outputs"
    blocker.write_text("a file where the folder should be")
    job = Job(GenerationRequest("x", steps=2, width=64, height=64), saving=SaveOptions(blocker))
    payloads = [event.payload for event in run_job(demo_model, job)]
    assert not any(isinstance(each, StepEvent) for each in payloads)
    failed = [each for each in payloads if isinstance(each, JobFailed)]
    assert failed and "is a file, not a folder" in failed[0].message
