"""What ``sdstudio serve`` was asked for, checked before Ray starts, and the deployment
options it becomes.

Listening on anything but the loopback needs a token: a server that makes pictures on
someone's GPU must not be open to a whole network by a forgotten flag.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.models.load_options import LoadOptions

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7861
SERVE_DEVICES = ("cpu", "cuda")
MAX_REPLICAS = 1024


class ServeOptionsError(UserFacingError):
    """Options a server cannot start with."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` only reaches this machine (``localhost``, ``127.x``, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that resolves elsewhere, or nothing: not provably local


@dataclass(frozen=True)
class ServeOptions:
    """One model served by ``replicas`` engine replicas (between ``min_replicas`` and
    ``max_replicas`` when given: autoscaled on waiting jobs), each on one GPU (``cuda``) or
    ``cpus_per_replica`` CPU cores."""

    model: str = "demo"
    device: str = "cpu"
    replicas: int = 1
    min_replicas: int | None = None
    max_replicas: int | None = None
    cpus_per_replica: int = 1
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None
    load: LoadOptions = field(default_factory=LoadOptions)

    def __post_init__(self) -> None:
        if self.device not in SERVE_DEVICES:
            raise ServeOptionsError(
                f"A server runs on {' or '.join(SERVE_DEVICES)}, not {self.device!r}"
            )
        if not 1 <= self.replicas <= MAX_REPLICAS:
            raise ServeOptionsError(f"--replicas must be 1 to {MAX_REPLICAS}, got {self.replicas}")
        if self.autoscaled:
            low, high = self.replica_range
            if not 1 <= low <= high <= MAX_REPLICAS:
                raise ServeOptionsError(
                    f"--min-replicas and --max-replicas need 1 <= min <= max <= {MAX_REPLICAS}, "
                    f"got {low} and {high}"
                )
        if self.cpus_per_replica < 1:
            raise ServeOptionsError(f"--cpus-per-replica must be >= 1, got {self.cpus_per_replica}")
        if not 1 <= self.port <= 65535:
            raise ServeOptionsError(f"--port must be 1 to 65535, got {self.port}")
        if not is_loopback(self.host) and not self.token:
            raise ServeOptionsError(
                f"Listening on {self.host} opens the server to other machines: give --token "
                "(clients send it as 'Authorization: Bearer TOKEN'), or leave out --host to "
                "listen on 127.0.0.1 only"
            )

    @property
    def autoscaled(self) -> bool:
        return self.min_replicas is not None or self.max_replicas is not None

    @property
    def replica_range(self) -> tuple[int, int]:
        """(min, max) replicas; a bound not given is ``replicas``."""
        low = self.replicas if self.min_replicas is None else self.min_replicas
        high = self.replicas if self.max_replicas is None else self.max_replicas
        return low, high

    def engine_deployment(self) -> dict[str, Any]:
        """Ray Serve options of the engine deployment: one job at a time per replica, on a
        GPU or on its CPU cores; a fixed count, or autoscaling on the jobs waiting."""
        resources: dict[str, Any] = {"num_cpus": self.cpus_per_replica}
        if self.device == "cuda":
            resources = {"num_cpus": 1, "num_gpus": 1}
        options: dict[str, Any] = {"ray_actor_options": resources, "max_ongoing_requests": 1}
        if not self.autoscaled:
            options["num_replicas"] = self.replicas
            return options
        low, high = self.replica_range
        options["autoscaling_config"] = {
            "min_replicas": low,
            "max_replicas": high,
            "initial_replicas": min(max(self.replicas, low), high),
            "target_ongoing_requests": 1,  # a replica runs one job; more waiting means scale up
        }
        return options

    @property
    def threads(self) -> int:
        """torch's CPU threads in a replica: its cores (a GPU replica needs one)."""
        return 1 if self.device == "cuda" else self.cpus_per_replica
