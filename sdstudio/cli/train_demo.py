"""``sdstudio train-demo --out DIR``: train the demo model on the shapes world, on the CPU."""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
from pathlib import Path

from sdstudio.cli.number_arguments import finite_float


def register(subparsers: argparse._SubParsersAction) -> None:
    from sdstudio.training.config import TrainConfig

    defaults = TrainConfig()
    parser = subparsers.add_parser(
        "train-demo",
        help="train the demo model on coloured shapes (CPU, about an hour by default)",
        description="Train the VAE, then the UNet and text encoder, on pictures of coloured "
        "shapes; write checkpoints, loss.png and samples.png as it goes, and a diffusers "
        "folder (DIR/model) with training.json at the end.",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for everything written")
    parser.add_argument("--minutes-vae", type=finite_float, default=defaults.minutes_vae)
    parser.add_argument("--minutes-decoder", type=finite_float, default=defaults.minutes_decoder)
    parser.add_argument("--minutes-unet", type=finite_float, default=defaults.minutes_unet)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--resume", action="store_true", help="continue from DIR/checkpoint.pt")
    parser.add_argument(
        "--vae-from",
        type=Path,
        metavar="RUN",
        help="keep the finished VAE of the run in folder RUN and train only the UNet phase "
        "(the same weights as a whole run with these settings)",
    )
    parser.add_argument("--vae-steps", type=int, default=defaults.vae_steps, help="VAE steps")
    parser.add_argument(
        "--decoder-steps", type=int, default=defaults.decoder_steps, help="decoder-only steps"
    )
    parser.add_argument("--unet-steps", type=int, default=defaults.unet_steps, help="UNet steps")
    parser.add_argument("--vae-batch", type=int, default=defaults.vae_batch)
    parser.add_argument("--unet-batch", type=int, default=defaults.unet_batch)
    parser.add_argument("--pool-size", type=int, default=defaults.pool_size)
    parser.add_argument(
        "--every", type=int, default=defaults.every, help="steps between checkpoints and pictures"
    )
    parser.add_argument("--sample-steps", type=int, default=defaults.sample_steps)
    parser.add_argument(
        "--attention-weight",
        type=finite_float,
        default=defaults.attention_weight,
        help="weight of the loss that teaches positions through cross-attention (0: off)",
    )
    parser.add_argument(
        "--inpainting-from",
        type=Path,
        metavar="MODEL",
        help="instead: fine-tune the demo model folder MODEL (e.g. resources/demo-model) into "
        "its 9-channel inpainting model, written to DIR/model",
    )
    parser.add_argument(
        "--inpainting-steps", type=int, default=None, help="steps of the inpainting fine-tune"
    )
    parser.set_defaults(handler=run)


def run_inpainting(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from sdstudio.training.inpainting import InpaintTrainConfig, train_inpainting

    config = InpaintTrainConfig(seed=args.seed)
    if args.inpainting_steps is not None:
        config = replace(config, steps=args.inpainting_steps)
    if not (args.inpainting_from / "unet").is_dir():
        print(
            f"sdstudio train-demo: {args.inpainting_from} is not a demo model folder",
            file=sys.stderr,
        )
        return 2
    train_inpainting(
        args.inpainting_from, args.out, config, log=lambda line: print(line, flush=True)
    )
    return 0


def run(args: argparse.Namespace) -> int:
    if args.inpainting_from is not None:
        return run_inpainting(args)
    from sdstudio.training.config import TrainConfig
    from sdstudio.training.trainer import train

    # Every option named like a config field sets it; the rest keep their defaults.
    options = vars(args)
    config = TrainConfig(
        **{f.name: options[f.name] for f in fields(TrainConfig) if f.name in options}
    )
    if args.resume and args.vae_from is not None:
        print(
            "sdstudio train-demo: --resume and --vae-from cannot be used together", file=sys.stderr
        )
        return 2
    try:
        train(
            config,
            args.out,
            resume=args.resume,
            log=lambda line: print(line, flush=True),
            vae_from=args.vae_from,
        )
    except (FileNotFoundError, ValueError) as error:
        print(f"sdstudio train-demo: {error}", file=sys.stderr)
        return 2
    return 0
