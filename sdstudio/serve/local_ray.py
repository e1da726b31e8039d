"""How Serve runs on a Ray instance the project starts itself (``sdstudio serve`` without
``--address``, the tests, the benchmark).

Serve runs each deployment's code on an event loop of its own thread by default, so every
request and every streamed batch crosses between two loops in each of the gateway, the board
and the engine replica. Running that code on the replica's own loop (one of Ray's
"throughput optimized" settings) took about 15 ms off a demo job through the server here
(2 cores: the hops' Python shares them with the run). Our deployments never block their
loop (the engine's work, its model load included, runs on threads of its own), which is
what that setting asks for. Ray's processes read it when they start, so it goes into the
environment before ``ray.init``; a value already set there wins. A cluster started elsewhere
keeps its own settings.
"""

from __future__ import annotations

import os

SERVE_ENVIRONMENT = {"RAY_SERVE_RUN_USER_CODE_IN_SEPARATE_THREAD": "0"}


def prepare_local_ray() -> None:
    """Put :data:`SERVE_ENVIRONMENT` into this process's environment, for the Ray instance
    ``ray.init`` starts from it (its workers inherit it)."""
    for name, value in SERVE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
