"""A loopback ``sdstudio serve`` for the tests that need one (Ray must be importable)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def loopback_server(home: Path, replicas: int, token: str) -> Iterator[int]:
    """CPU replicas of the demo model behind ``token`` on a free loopback port (yielded),
    in a Ray instance of their own that ends with the block."""
    import ray
    from ray import serve

    from sdstudio.serve.app import APP_NAME, build_app
    from sdstudio.serve.local_ray import free_port, proxy_port
    from sdstudio.serve.options import ServeOptions

    port = free_port("127.0.0.1")
    proxy = proxy_port("127.0.0.1", port)  # the gateway answers on `port`, as in `sdstudio serve`
    environment = {"SDSTUDIO_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    started_from = home / "started-from"  # as `sdstudio serve` started above a clone
    (started_from / "sdstudio").mkdir(parents=True)
    with contextlib.chdir(started_from):  # Ray's workers start there and import from there
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            runtime_env={"env_vars": environment},
        )
    try:
        serve.start(http_options={"host": "127.0.0.1", "port": proxy})
        serve.run(build_app(ServeOptions(replicas=replicas, token=token)), name=APP_NAME)
        yield port
    finally:
        serve.shutdown()
        ray.shutdown()


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run the block on ``count`` torch threads, as a one-CPU replica does (the same sums in
    the same order, so the same pixels)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
