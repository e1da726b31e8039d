"""The Ray Serve application: gateway → engine replicas, with the job board beside them.

``sdstudio serve`` runs :func:`build_app` on a Ray instance of its own (or the cluster at
``--address``). On a cluster managed elsewhere (KubeRay's RayService, ``serve run``,
``serve deploy``) the import path ``sdstudio.serve.app:app_from_args`` builds the same
application from string arguments; see docs/SCALING.md.
"""

from __future__ import annotations

import os
from typing import Any

from ray.serve import Application

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.remote.server_connection import TOKEN_VARIABLE
from sdstudio.serve.engine_replica import EngineReplica
from sdstudio.serve.gateway import Gateway
from sdstudio.serve.job_board import JobBoard
from sdstudio.serve.options import ServeOptions, ServeOptionsError

APP_NAME = "sdstudio"


def build_app(options: ServeOptions) -> Application:
    board = JobBoard.bind()
    engine = EngineReplica.options(**options.engine_deployment()).bind(
        board, options.model, options.device, options.load, options.threads
    )
    return Gateway.bind(engine, board, options.token)


def app_from_args(args: dict[str, str]) -> Application:
    """For ``serve run sdstudio.serve.app:app_from_args model=demo replicas=2 device=cuda``.

    Accepts ``model``, ``device``, ``replicas``, ``min_replicas``, ``max_replicas``,
    ``cpus_per_replica`` and ``token`` (else the ``SDSTUDIO_SERVER_TOKEN`` variable). The
    address it listens on is the cluster's (``http_options``), so a token is required here.
    """
    numbers = ("replicas", "min_replicas", "max_replicas", "cpus_per_replica")
    known = {"model", "device", "token", *numbers}
    unknown = sorted(set(args) - known)
    if unknown:
        raise ServeOptionsError(f"Unknown arguments: {', '.join(unknown)}")
    values: dict[str, Any] = {k: v for k, v in args.items() if k not in numbers}
    for name in numbers:
        if name in args:
            try:
                values[name] = int(args[name])
            except ValueError:
                raise ServeOptionsError(
                    f"{name} must be a whole number, got {args[name]!r}"
                ) from None
    values["token"] = values.get("token") or os.environ.get(TOKEN_VARIABLE) or None
    if not values["token"]:
        raise UserFacingError(
            f"A cluster deployment needs a token: pass token=… or set {TOKEN_VARIABLE}"
        )
    return build_app(ServeOptions(**values))
