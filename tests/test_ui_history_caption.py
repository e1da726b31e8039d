"""The words under a history thumbnail: a short prompt, the seed, when it was made."""

from __future__ import annotations

import os
from datetime import datetime

from PIL import Image, PngImagePlugin

from sdstudio.ui.history.caption import Caption, read_caption, short_prompt, when_text

NOW = datetime(2025, 6, 14, 18, 5)


def test_a_long_prompt_is_cut_at_a_word_on_one_line() -> None:
    prompt = "a castle on a hill,\nmisty morning, dramatic light, highly detailed, 8k, artstation"

    short = short_prompt(prompt, limit=40)

    assert short == "a castle on a hill, misty morning…"  # no comma before the ellipsis
    assert short_prompt("  a red   circle ") == "a red circle"


def test_the_time_is_as_short_as_the_date_allows() -> None:
    assert when_text(datetime(2025, 6, 14, 9, 30), NOW) == "09:30"
    assert when_text(datetime(2025, 1, 2, 9, 30), NOW) == "2 Jan"
    assert when_text(datetime(2023, 11, 5, 9, 30), NOW) == "2023-11-05"


def test_the_lines_say_what_is_known() -> None:
    caption = Caption("a red circle", 1234, datetime(2025, 6, 14, 17, 59))

    assert caption.first_line("00001-1234.png") == "a red circle"
    assert caption.second_line(NOW) == "seed 1234 · 17:59"
    assert Caption().first_line("photo.png") == "photo.png"
    assert Caption().second_line(NOW) == ""


def test_an_a1111_image_is_captioned_from_its_infotext(tmp_path) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        "a castle on a hill,\nmisty\nNegative prompt: lowres\n"
        "Steps: 12, Sampler: Euler a, CFG scale: 5.5, Seed: 31337, Size: 64x64",
    )
    path = tmp_path / "castle.png"
    Image.new("RGB", (64, 64)).save(path, pnginfo=info)
    os.utime(path, (NOW.timestamp(), NOW.timestamp()))

    caption = read_caption(str(path))

    assert caption == Caption("a castle on a hill,\nmisty", 31337, NOW)


def test_a_file_that_is_not_an_image_still_has_its_time(tmp_path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"not a png")
    os.utime(path, (NOW.timestamp(), NOW.timestamp()))

    assert read_caption(str(path)) == Caption(made=NOW)
