"""``sdstudio serve``: the engine as a Ray Serve application, for ``sdstudio generate
--server`` and any HTTP client (the API is in docs/SCALING.md).

Everything that can be checked before Ray starts is: the options (a non-loopback ``--host``
needs ``--token``), the model's name, the port. Ray itself is the ``serve`` extra.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time

from sdstudio.cli.model_options import MODEL_HELP, add_model_arguments, load_options
from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.remote.server_connection import TOKEN_VARIABLE
from sdstudio.serve.local_ray import socket_family
from sdstudio.serve.options import DEFAULT_HOST, DEFAULT_PORT, SERVE_DEVICES, ServeOptions

NO_RAY = 'sdstudio serve needs Ray Serve, an optional extra: pip install "sdstudio[serve]"'


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the engine over HTTP with Ray Serve (the serve extra)"
    )
    parser.add_argument("--model", default="demo", help=MODEL_HELP)
    parser.add_argument(
        "--device",
        default="auto",
        choices=("auto", *SERVE_DEVICES),
        help="cuda: one replica per GPU; cpu: one per --cpus-per-replica cores; "
        "auto (default): cuda when Ray sees GPUs",
    )
    parser.add_argument("--replicas", type=int, default=1, metavar="N", help="default 1")
    parser.add_argument(
        "--min-replicas", type=int, default=None, metavar="A", help="autoscale from A replicas"
    )
    parser.add_argument(
        "--max-replicas", type=int, default=None, metavar="B", help="…up to B as jobs wait"
    )
    parser.add_argument(
        "--cpus-per-replica", type=int, default=1, metavar="C", help="CPU cores per CPU replica"
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only; "
        "any other needs --token)",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    parser.add_argument(
        "--token",
        default=None,
        help=f"clients must send 'Authorization: Bearer TOKEN' (default: ${TOKEN_VARIABLE})",
    )
    parser.add_argument(
        "--address",
        default=None,
        metavar="RAY_ADDRESS",
        help="deploy on a running Ray cluster ('auto', ray://HOST:10001) instead of "
        "starting Ray here",
    )
    add_model_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sdstudio.engine.models.sources import identify_source

    options = ServeOptions(
        model=args.model,
        device="cpu" if args.device == "auto" else args.device,  # auto: decided once Ray runs
        replicas=args.replicas,
        min_replicas=args.min_replicas,
        max_replicas=args.max_replicas,
        cpus_per_replica=args.cpus_per_replica,
        host=args.host,
        port=args.port,
        token=args.token or os.environ.get(TOKEN_VARIABLE) or None,
        load=load_options(args),
    )
    identify_source(args.model)  # a missing model is refused here, not in every replica
    try:
        from sdstudio.serve.running import running_server
    except ImportError:
        raise UserFacingError(NO_RAY) from None
    if args.address is None:
        _check_port(options.host, options.port)
    try:
        with running_server(options, args.device, args.address) as served:
            print(
                f"sdstudio: serving {served.model} at http://{_url_host(served.host)}:"
                f"{served.port} on {_replicas_text(served)} (Ctrl+C stops)",
                file=sys.stderr,
                flush=True,
            )
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        return 0


def _check_port(host: str, port: int) -> None:
    try:
        with socket.socket(socket_family(host), socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise UserFacingError(f"Cannot listen on {host}:{port}: {error.strerror}") from None


def _replicas_text(options: ServeOptions) -> str:
    if options.autoscaled:
        low, high = options.replica_range
        return f"{low} to {high} {options.device} replicas"
    plural = "s" if options.replicas > 1 else ""
    return f"{options.replicas} {options.device} replica{plural}"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
