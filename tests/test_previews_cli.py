"""``sdstudio generate --preview…`` writes one PNG per previewed step and the animation."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from sdstudio.cli import main
from tests.previews_support import save_random_taesd

FAST = ["generate", "--prompt", "a cat", "--seed", "2", "--width", "64", "--height", "64"]


def test_preview_dir_gets_one_png_per_step_named_by_step(tmp_path: Path) -> None:
    out = ["--out", str(tmp_path / "cat.png"), "--steps", "3"]
    assert main([*FAST, *out, "--preview-dir", str(tmp_path / "steps")]) == 0
    names = sorted(path.name for path in (tmp_path / "steps").iterdir())
    assert names == ["step-001.png", "step-002.png", "step-003.png"]


def test_preview_every_second_step_keeps_the_last(tmp_path: Path) -> None:
    args = [*FAST, "--steps", "5", "--preview-every", "2", "--preview-dir", str(tmp_path)]
    assert main([*args, "--out", str(tmp_path / "cat.png")]) == 0
    assert sorted(path.name for path in tmp_path.glob("step-*.png")) == [
        "step-002.png",
        "step-004.png",
        "step-005.png",
    ]


def test_animation_has_a_frame_per_previewed_step(tmp_path: Path) -> None:
    clip = tmp_path / "clip.gif"
    args = [*FAST, "--steps", "3", "--preview", "vae", "--animation", str(clip)]
    assert main([*args, "--out", str(tmp_path / "cat.png")]) == 0
    with Image.open(clip) as animation:
        assert (animation.n_frames, animation.size) == (3, (64, 64))


def test_taesd_previews_from_a_weights_folder(tmp_path: Path) -> None:
    taesd = save_random_taesd(tmp_path / "taesd")
    args = [*FAST, "--steps", "2", "--preview", "taesd", "--taesd", str(taesd)]
    assert (
        main([*args, "--preview-dir", str(tmp_path / "s"), "--out", str(tmp_path / "c.png")]) == 0
    )
    with Image.open(tmp_path / "s" / "step-001.png") as preview:
        assert preview.size == (64, 64)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--animation", "clip.mp4"], ".gif or .webp"),
        (["--preview", "taesd", "--preview-dir", "d"], "TAESD preview needs TAESD weights"),
        (["--preview-every", "0", "--preview-dir", "d"], "N >= 1"),
        (["--preview", "latent"], "writes nothing without --preview-dir or --animation"),
    ],
)
def test_bad_preview_options_fail_with_one_clear_line(extra, message, capsys) -> None:
    assert main([*FAST, *extra]) == 2
    assert message in capsys.readouterr().err
