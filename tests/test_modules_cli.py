"""``sdstudio modules``: the tree as text, totals as plain integers, clear errors."""

from __future__ import annotations

import pytest

from sdstudio.cli import main


def modules(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["modules", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_preset_prints_each_component_total(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = modules(capsys, "--arch", "sd15", "--depth", "1")

    assert code == 0
    for total in ("859520964", "83653863", "123060480"):
        assert f"{total} parameters" in out
    assert "down_blocks: ModuleList len=4  # 249612480 params" in out


def test_path_and_shapes_print_one_block_with_output_shapes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = modules(
        capsys, "--arch", "sd15", "--component", "unet", "--path", "down_blocks.0",
        "--depth", "1", "--shapes", "512x512",
    )  # fmt: skip

    assert code == 0
    assert out.splitlines()[1].startswith("unet  UNet2DConditionModel  859520964 parameters")
    assert "[CrossAttnDownBlock2D]  # 10524480 params, out 0: 2x320x32x32" in out
    assert "downsamplers: ModuleList len=1" in out


def test_demo_model_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = modules(capsys, "--component", "text_encoder", "--depth", "1")

    assert code == 0
    assert out.startswith("demo:")
    assert "[CLIPTextModel]" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arch", "sd9"], "Unknown architecture 'sd9'; choose one of: sd15, sd21, sdxl"),
        (["--arch", "sd15", "--component", "clip"], "No component 'clip' in sd15; it has: "),
        (["--arch", "sd15", "--path", "unet.mid.x"], "No module 'mid' under unet; it has: "),
        (["--arch", "sd15", "--shapes", "big"], "Give the size as WIDTHxHEIGHT"),
        (["--model", "/no/such/folder"], "Model not found: /no/such/folder"),
    ],
)
def test_bad_input_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = modules(capsys, *args)

    assert code == 2
    assert message in err
    assert "Traceback" not in err
