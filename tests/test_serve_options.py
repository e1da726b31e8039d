"""``sdstudio serve``'s options are checked before Ray starts: no Ray needed to refuse them."""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

import pytest

from sdstudio.cli import main
from sdstudio.serve.local_ray import (
    FREE_PORTS_FROM,
    SERVE_ENVIRONMENT,
    MovedProxyReadyLine,
    free_port,
    prepare_local_ray,
    proxy_port,
)
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


PORT_RANGE = ("RAY_SERVE_DIRECT_INGRESS_MIN_HTTP_PORT", "RAY_SERVE_DIRECT_INGRESS_MAX_HTTP_PORT")


def test_the_gateway_answers_on_the_asked_port_and_the_proxy_moves_to_a_free_one(
    monkeypatch,
) -> None:
    for name in (*SERVE_ENVIRONMENT, *PORT_RANGE):
        monkeypatch.delenv(name, raising=False)
    prepare_local_ray()
    proxy = proxy_port("127.0.0.1", 7861)
    # Ray's range for an ingress replica's port leaves its end out: 7861 alone
    assert (os.environ[PORT_RANGE[0]], os.environ[PORT_RANGE[1]]) == ("7861", "7862")
    assert proxy != 7861
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", proxy))  # free


def test_with_direct_ingress_turned_off_the_proxy_answers_on_the_asked_port(monkeypatch) -> None:
    for name in (*SERVE_ENVIRONMENT, *PORT_RANGE):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RAY_SERVE_ENABLE_DIRECT_INGRESS", "0")  # the user's own choice
    prepare_local_ray()
    assert proxy_port("127.0.0.1", 7861) == 7861
    assert not any(name in os.environ for name in PORT_RANGE)


def _serve_line(message: str) -> logging.LogRecord:
    return logging.LogRecord("ray.serve", logging.INFO, "client.py", 447, message, None, None)


def test_serves_ready_line_naming_the_moved_proxy_is_left_out_and_other_lines_stay() -> None:
    hide = MovedProxyReadyLine(40699)
    assert not hide.filter(
        _serve_line("Application 'sdstudio' is ready at http://127.0.0.1:40699/.")
    )
    assert hide.filter(_serve_line("Application 'sdstudio' is ready at http://127.0.0.1:7861/."))
    assert hide.filter(_serve_line('Started Serve in namespace "serve".'))


def test_a_free_port_is_picked_below_the_ports_the_system_hands_out_itself() -> None:
    system_from = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    port = free_port("127.0.0.1")
    assert FREE_PORTS_FROM <= port < system_from  # Ray's own ports cannot take it meanwhile
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # free
