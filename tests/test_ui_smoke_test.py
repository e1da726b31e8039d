"""``sdstudio --smoke-test``: the driver that packaged builds use to check themselves."""

from __future__ import annotations

import pytest
from PIL import Image

from sdstudio.cli import build_parser
from sdstudio.ui.main_window import MainWindow
from sdstudio.ui.smoke_test import (
    SMOKE_PROMPT,
    SMOKE_SIDE,
    SmokeDriver,
    SmokeTestFailure,
    check_saved_image,
)
from tests.ui_support import WAIT_MS, make_window


def test_the_flag_is_hidden_and_parsed() -> None:
    parser = build_parser()
    assert "--smoke-test" not in parser.format_help()
    assert parser.parse_args(["--smoke-test"]).smoke_test is True
    assert parser.parse_args([]).smoke_test is False


def test_generates_one_image_through_the_window(qtbot, demo_model, tmp_path, run_async) -> None:
    window = make_window(qtbot, demo_model, tmp_path / "out")
    path = run_async(SmokeDriver(window).generate_once())
    assert path.parent == tmp_path / "out"
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (SMOKE_SIDE, SMOKE_SIDE)
    assert window.controls.prompt_edit.toPlainText() == SMOKE_PROMPT
    qtbot.waitUntil(lambda: not window.worker.busy, timeout=WAIT_MS)
    assert window.close() and not window.worker.running  # as run_smoke_test ends


def test_a_model_that_fails_to_load_fails_with_its_message(qtbot, tmp_path, run_async) -> None:
    window = MainWindow(output_dir=tmp_path / "out", device="cpu")
    qtbot.addWidget(window)
    driver = SmokeDriver(window)  # before the load, as run_smoke_test does
    window.load_model(str(tmp_path / "no-such-model"))
    with pytest.raises(SmokeTestFailure, match="no-such-model"):
        run_async(driver.generate_once())
    assert window.close() and not window.worker.running


def test_saved_image_checks(tmp_path) -> None:
    blank = tmp_path / "blank.png"
    Image.new("RGB", (64, 64), "gray").save(blank)
    with pytest.raises(SmokeTestFailure, match="blank"):
        check_saved_image(blank, "a prompt", (64, 64))
    with pytest.raises(SmokeTestFailure, match="not a PNG of"):
        check_saved_image(blank, "a prompt", (128, 128))
    with pytest.raises(SmokeTestFailure, match="not saved"):
        check_saved_image(None, "a prompt", (64, 64))
