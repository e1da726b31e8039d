"""A request the gateway fails on for a reason of its own still answers in words."""

from __future__ import annotations

import asyncio
import json

import pytest

pytest.importorskip("ray.serve", reason='needs the serve extra: pip install "sdstudio[serve]"')
pytest.importorskip("fastapi", reason="needs the serve extra (FastAPI)")

from sdstudio.serve.gateway import _failure_as_json  # noqa: E402


def test_an_unexpected_failure_is_a_json_500_naming_it() -> None:
    response = asyncio.run(_failure_as_json(None, ConnectionError("the board went away")))
    assert response.status_code == 500
    error = json.loads(response.body)["error"]
    assert error == ("The server could not take this request: ConnectionError: the board went away")
