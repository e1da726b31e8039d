"""``sdstudio attention`` and ``sdstudio generate --watch`` write the files a user asked for."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from sdstudio.cli import main

FAST = ["--steps", "2", "--width", "64", "--height", "64", "--seed", "3", "--scheduler", "Euler"]


def test_attention_writes_the_overlay_at_the_images_size(tmp_path: Path, capsys) -> None:
    out = tmp_path / "map.png"
    args = ["attention", "--prompt", "a red circle", "--token", "circle", "--out", str(out)]
    assert main([*args, *FAST, "--height", "128"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    with Image.open(out) as image:
        assert (image.size, image.mode) == ((64, 128), "RGBA")


def test_attention_with_an_unknown_token_lists_the_prompts_tokens(tmp_path: Path, capsys) -> None:
    out = tmp_path / "map.png"
    args = ["attention", "--prompt", "a red circle", "--token", "castle", "--out", str(out)]
    assert main([*args, *FAST]) == 2
    err = capsys.readouterr().err
    assert "No token 'castle' in the prompt; its tokens are: a</w>, red</w>, circle</w>" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_generate_watch_writes_one_png_per_step_per_module(tmp_path: Path, capsys) -> None:
    watch_dir = tmp_path / "watch"
    args = ["generate", "--prompt", "a cat", "--out", str(tmp_path / "cat.png"), *FAST]
    watched = ["--watch", "unet.mid_block", "--watch", "unet.up_blocks.0.attentions.0"]
    assert main([*args, *watched, "--watch-dir", str(watch_dir)]) == 0

    assert sorted(path.name for path in watch_dir.iterdir()) == [
        "unet.mid_block_step001.png",
        "unet.mid_block_step002.png",
        "unet.up_blocks.0.attentions.0_step001.png",
        "unet.up_blocks.0.attentions.0_step002.png",
    ]


def test_generate_watch_with_a_wrong_path_says_what_exists(tmp_path: Path, capsys) -> None:
    args = ["generate", "--prompt", "a cat", "--out", str(tmp_path / "cat.png"), *FAST]
    assert main([*args, "--watch", "unet.mid_blok", "--watch-dir", str(tmp_path / "w")]) == 2

    err = capsys.readouterr().err
    assert "No module 'mid_blok' under unet" in err and "Did you mean: unet.mid_block" in err
    assert not (tmp_path / "cat.png").exists()
