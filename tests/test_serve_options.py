"""``sdstudio serve``'s options are checked before Ray starts: no Ray needed to refuse them."""

from __future__ import annotations

import os

import pytest

from sdstudio.cli import main
from sdstudio.serve.local_ray import SERVE_ENVIRONMENT, prepare_local_ray
from sdstudio.serve.options import ServeOptions


def test_a_non_loopback_host_without_a_token_is_refused(capsys, monkeypatch) -> None:
    monkeypatch.delenv("SDSTUDIO_SERVER_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--port", "7861"]) == 2
    error = capsys.readouterr().err
    assert "Listening on 0.0.0.0" in error and "--token" in error
    assert "Traceback" not in error


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--min-replicas", "3", "--max-replicas", "2"], "1 <= min <= max"),
        (["--replicas", "0"], "--replicas must be 1"),
        (["--port", "70000"], "--port must be 1 to 65535"),
    ],
)
def test_options_a_server_cannot_start_with_are_refused(capsys, arguments, message) -> None:
    assert main(["serve", *arguments]) == 2
    assert message in capsys.readouterr().err


def test_autoscaling_starts_between_its_bounds_and_takes_one_job_per_replica() -> None:
    options = ServeOptions(replicas=1, min_replicas=2, max_replicas=4)
    deployment = options.engine_deployment()
    assert deployment["autoscaling_config"]["initial_replicas"] == 2
    assert deployment["autoscaling_config"]["max_replicas"] == 4
    assert deployment["max_ongoing_requests"] == 1


def test_a_cuda_replica_takes_one_gpu() -> None:
    deployment = ServeOptions(device="cuda", replicas=2).engine_deployment()
    assert deployment["ray_actor_options"]["num_gpus"] == 1
    assert deployment["num_replicas"] == 2


def test_a_ray_started_here_gets_the_serve_settings_and_a_value_already_set_wins(
    monkeypatch,
) -> None:
    for name in SERVE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RAY_SERVE_USE_GRPC_BY_DEFAULT", "0")  # the user's own choice
    prepare_local_ray()
    assert os.environ["RAY_SERVE_USE_GRPC_BY_DEFAULT"] == "0"
    assert os.environ["RAY_SERVE_RUN_USER_CODE_IN_SEPARATE_THREAD"] == "0"
    assert os.environ["RAY_SERVE_RUN_ROUTER_IN_SEPARATE_LOOP"] == "0"
