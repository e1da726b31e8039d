"""How Serve runs on a Ray instance the project starts itself (``sdstudio serve`` without
``--address``, the tests, the benchmark).

Ray's "throughput optimized" Serve settings, chosen for a job whose steps and previews
stream through the gateway while the run computes (on a small machine, the hops' Python
shares the cores with the run):

- direct ingress: the gateway answers HTTP on the asked port itself, so a request and each
  streamed batch skip Serve's proxy (its hop both ways, the body fetched back from it, and
  its CPU beside the run: a 128² demo job 1.16-1.18 -> 1.03-1.04 of a local run, measured
  here). Ray gives an ingress replica a port from a range; :func:`proxy_port` makes that
  range the asked port alone and moves the proxy, which Serve still starts, to a free port
  on the same host. Ports are not held back after a replica stops (no load balancer in
  front needs time to forget it), and a stopping gateway does not wait out a drain period
  for one;
- user code on each replica's own event loop, not on a loop of its own thread: one thread
  hop fewer per request and per streamed batch in the gateway, the board and the engine;
  our deployments never block their loop (the engine's work, its model load included, runs
  on threads of its own), which is what this asks for;
- the handles' router on that loop too, not on a loop of its own thread;
- requests and streamed batches from the gateway to the engine sent directly over gRPC
  instead of through Ray's object store (about 10 ms less per demo job before the first
  step and after the last one, measured here), with messages as big as gRPC allows rather
  than Serve's 4 MiB (a job's pictures, an upscaled result);
- access log lines written in batches rather than one write per request.

Not taken: logs kept from the terminal (a replica's errors would no longer show where
``sdstudio serve`` runs).

Ray's processes read these when they start, and Serve reads them when it is imported: the
handles that :func:`~sdstudio.serve.app.build_app` binds are made in the process that
deploys it and carry its reading to the gateway. So they go into the environment before
Ray is imported there (:func:`prepare_local_ray` warns when it comes too late); a value
already set there wins. A cluster started elsewhere keeps its own settings
(docs/SCALING.md says how to give it these).
"""

from __future__ import annotations

import logging
import os
import random
import socket
import sys
from pathlib import Path

DIRECT_INGRESS = "RAY_SERVE_ENABLE_DIRECT_INGRESS"
SERVE_ENVIRONMENT = {
    "RAY_SERVE_RUN_USER_CODE_IN_SEPARATE_THREAD": "0",
    "RAY_SERVE_RUN_ROUTER_IN_SEPARATE_LOOP": "0",
    "RAY_SERVE_USE_GRPC_BY_DEFAULT": "1",
    "RAY_SERVE_REQUEST_PATH_LOG_BUFFER_SIZE": "1000",
    # a job's pictures and a finished image travel in one message: gRPC's own limit, not 4 MiB
    "RAY_SERVE_REPLICA_GRPC_MAX_MESSAGE_LENGTH": str(2**31 - 1),
    DIRECT_INGRESS: "1",
    "RAY_SERVE_PORT_QUARANTINE_S": "0",
    "RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S": "0",
}

# Ports free_port picks from start here: above Ray's range for its workers' ports (10002-19999
# when a cluster sets one), below the system's own
FREE_PORTS_FROM = 20000

logger = logging.getLogger(__name__)


def prepare_local_ray() -> None:
    """Put :data:`SERVE_ENVIRONMENT` into this process's environment, for the Ray instance
    ``ray.init`` starts from it (its workers inherit it) and for Serve here, and this
    package where the workers import it first."""
    unset = [name for name in SERVE_ENVIRONMENT if name not in os.environ]
    if unset and "ray.serve" in sys.modules:
        logger.warning(
            "Ray Serve was imported before its settings were made: the gateway's calls to "
            "the engine replicas go the slower way"
        )
    for name, value in SERVE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    _package_on_workers_path()


def _package_on_workers_path() -> None:
    """Ray puts the directory it was started from first on its workers' import path. An
    editable install finds this package through an import hook, after that path: a folder
    named ``sdstudio`` where the server was started (a clone's own folder, seen from the
    one above it) would be imported in its place, as an empty package, and every replica
    would fail to start. On ``PYTHONPATH``, the package's own folder is found first."""
    folder = str(Path(__file__).resolve().parents[2])
    if Path(folder).name in ("site-packages", "dist-packages"):  # found through sys.path
        return
    path = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if folder not in path:
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (folder, *path) if p)


def proxy_port(host: str, port: int) -> int:
    """The port to give Serve's proxy so that the gateway answers on ``host:port`` itself;
    called after :func:`prepare_local_ray`, before ``ray.init`` (Ray's processes read the
    range then). ``port`` itself when direct ingress was turned off in the environment:
    the proxy answers there then."""
    if os.environ.get(DIRECT_INGRESS) != "1":
        return port
    os.environ["RAY_SERVE_DIRECT_INGRESS_MIN_HTTP_PORT"] = str(port)
    os.environ["RAY_SERVE_DIRECT_INGRESS_MAX_HTTP_PORT"] = str(port + 1)  # the end is not in it
    return free_port(host)


class MovedProxyReadyLine(logging.Filter):
    """Hides Serve's "Application '…' is ready at <address>" line when the address is the
    proxy's that :func:`proxy_port` moved (``proxy``): the proxy answers there too, but the
    gateway, on the asked port, is where ``sdstudio serve`` says to connect."""

    def __init__(self, proxy: int) -> None:
        super().__init__()
        self._address = f":{proxy}/"

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("is ready at" in message and self._address in message)


def socket_family(host: str) -> socket.AddressFamily:
    """IPv6 for an address with colons (``::1``), IPv4 otherwise."""
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def free_port(host: str) -> int:
    """A port nothing listens on at ``host`` now, below the range the system hands out on
    its own. Ray's processes take ports from that range while they start (their servers,
    their connections' own ends), so a port picked there before Ray starts was now and then
    taken by the time the proxy or the gateway listened on it ("Address already in use")."""
    for port in random.sample(range(FREE_PORTS_FROM, _system_ports_from()), k=200):
        with socket.socket(socket_family(host), socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    with socket.socket(socket_family(host), socket.SOCK_STREAM) as probe:  # all taken
        probe.bind((host, 0))
        chosen: int = probe.getsockname()[1]
    return chosen


def _system_ports_from() -> int:
    """Where the system's own ports begin: Linux says; elsewhere IANA's 49152."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 49152
    return max(low, FREE_PORTS_FROM + 1000)
