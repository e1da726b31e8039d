"""Preset architectures: built on meta, with the released models' exact parameter totals."""

from __future__ import annotations

import pytest

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.modules import load_architecture

RELEASED_TOTALS = {
    "sd15": {"text_encoder": 123_060_480, "unet": 859_520_964, "vae": 83_653_863},
    "sd21": {"text_encoder": 340_387_840, "unet": 865_910_724, "vae": 83_653_863},
    "sdxl": {
        "text_encoder": 123_060_480,
        "text_encoder_2": 694_659_840,
        "unet": 2_567_463_684,
        "vae": 83_653_863,
    },
}


@pytest.mark.parametrize("name", sorted(RELEASED_TOTALS))
def test_component_totals_equal_the_released_models(name: str) -> None:
    root = load_architecture(name).tree()
    totals = {child.name: child.param_count for child in root.children if child.param_count}
    assert totals == RELEASED_TOTALS[name]


def test_presets_hold_no_weights() -> None:
    unet = load_architecture("sdxl").components["unet"]
    assert all(parameter.is_meta for parameter in unet.parameters())


def test_sd15_lists_tokenizer_and_scheduler_as_info_rows() -> None:
    rows = {child.name: child for child in load_architecture("sd15").tree().children}
    assert rows["tokenizer"].details == "vocabulary 49408, max length 77 tokens"
    assert rows["scheduler"].type_name == "PNDMScheduler"
    assert rows["tokenizer"].param_count is None


def test_unknown_preset_names_the_choices() -> None:
    with pytest.raises(UserFacingError, match="sd15, sd21, sdxl"):
        load_architecture("sd3")
