"""Starting the server: Ray here (or a cluster's), the gateway answering on the asked
address (on a cluster, Serve's HTTP proxy does), the application deployed and ready before
the caller is told so (Serve's own "ready at" line, which would name the moved proxy's
address, left out); stopped the same way.

Ray is imported only once :func:`~sdstudio.serve.local_ray.prepare_local_ray` has set its
environment: Serve reads it when it is imported, here too (see that module).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sdstudio.engine.errors import UserFacingError
from sdstudio.serve.local_ray import MovedProxyReadyLine, prepare_local_ray, proxy_port
from sdstudio.serve.options import ServeOptions


@contextmanager
def running_server(
    options: ServeOptions, device: str = "auto", address: str | None = None
) -> Iterator[ServeOptions]:
    """Serve ``options`` until the block ends; yields them with ``device`` decided (``auto``
    is ``cuda`` when Ray sees a GPU). ``address`` is a running Ray cluster to deploy on;
    without one, Ray starts on this machine and stops with the server."""
    port = options.port
    if address is None:
        prepare_local_ray()
        port = proxy_port(options.host, options.port)
    import ray
    from ray import serve

    from sdstudio.serve.app import APP_NAME, build_app

    serve_log = logging.getLogger("ray.serve")
    moved_proxy = MovedProxyReadyLine(port)
    ray.init(address=address)
    try:
        if port != options.port:
            serve_log.addFilter(moved_proxy)  # before serve.run, which writes the line
        options = on_devices(options, device, ray.cluster_resources().get("GPU", 0))
        serve.start(http_options={"host": options.host, "port": port})
        try:
            serve.run(build_app(options), name=APP_NAME, route_prefix="/")
        except Exception as error:  # Serve reports a replica that cannot start this way
            raise UserFacingError(f"The server could not start: {error}") from None
        yield options
    finally:
        if address is None:
            serve.shutdown()
        else:
            serve.delete(APP_NAME)  # the cluster and its other applications stay
        ray.shutdown()
        serve_log.removeFilter(moved_proxy)


def on_devices(options: ServeOptions, device: str, gpus: float) -> ServeOptions:
    """``options`` on ``device`` (``auto``: ``cuda`` when there are GPUs); a CUDA server
    needs a GPU for each replica it starts with."""
    chosen = ("cuda" if gpus >= 1 else "cpu") if device == "auto" else device
    starting = options.replica_range[0] if options.autoscaled else options.replicas
    if chosen == "cuda" and starting > gpus:
        raise UserFacingError(f"{starting} CUDA replicas need {starting} GPUs; Ray sees {gpus:g}")
    return dataclasses.replace(options, device=chosen)
