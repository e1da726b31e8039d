"""Bad settings are refused up front with a message that says what to fix."""

from __future__ import annotations

import pytest

from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"width": 500}, "width must be a positive multiple of 8"),
        ({"height": 0}, "height must be a positive multiple of 8"),
        ({"height": -64}, "height must be a positive multiple of 8"),
        ({"steps": 0}, "steps must be at least 1"),
        ({"batch_count": 0}, "batch count must be at least 1"),
        ({"seed": -1}, "seed must be between 0"),
        ({"cfg_scale": -2.0}, "CFG scale must not be negative"),
        ({"scheduler": "Turbo 9000"}, "Unknown scheduler 'Turbo 9000'; choose one of: Default"),
    ],
)
def test_invalid_settings_are_refused(settings: dict, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        GenerationRequest("a cat", **settings)


def test_every_listed_sampler_name_is_accepted() -> None:
    for name in ["Euler", "Euler a", "DPM++ 2M", "DPM++ 2M Karras", "DDIM", "PNDM", "LMS"]:
        assert GenerationRequest("a cat", scheduler=name).scheduler == name
    for name in ["Heun", "UniPC", "Default"]:
        assert GenerationRequest("a cat", scheduler=name).scheduler == name
