"""``sdstudio modules``: print a model's module tree with parameter counts (and shapes).

Nothing is downloaded and no weights are read: presets and model folders are built on the
meta device from their configs, so even SDXL prints in about a second.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.models.demo.model import DEMO_NAME
from sdstudio.engine.modules import (
    ARCHITECTURES,
    Architecture,
    NodeKind,
    ShapeSpec,
    TreeNode,
    apply_shapes,
    capture_tree_shapes,
    export_text,
    load_architecture,
)
from sdstudio.engine.modules.folder_architecture import architecture_from_folder
from sdstudio.engine.modules.lookup import resolve_node


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "modules",
        help="print a model's module tree with parameter counts",
        description="Print the module tree of the demo model, a diffusers folder or a preset "
        "architecture, with parameter counts and (with --shapes) output shapes.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--model", default=None, help="'demo' (default) or a diffusers folder")
    source.add_argument(
        "--arch", help=f"a released architecture without weights: {', '.join(ARCHITECTURES)}"
    )
    parser.add_argument("--component", help="unet, vae, text_encoder, ... (default: all)")
    parser.add_argument("--path", help="a module inside the component, e.g. down_blocks.0")
    parser.add_argument("--depth", type=int, default=2, help="levels to print (default 2)")
    parser.add_argument("--shapes", metavar="WxH", help="also print output shapes at this size")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.depth < 0:
        raise UserFacingError("--depth must be 0 or more")
    spec = ShapeSpec.parse(args.shapes) if args.shapes else None
    architecture = _architecture(args)
    root = architecture.tree()
    node = resolve_node(root, args.component, args.path)
    if spec is not None:
        apply_shapes(root, capture_tree_shapes(root, spec))
    print(f"{architecture.label}: architecture from its configs (no weights loaded)")
    print(_totals(root if node is root else _component_of(node)))
    print()
    print(export_text(node, args.depth, shapes=spec is not None))
    return 0


def _architecture(args: argparse.Namespace) -> Architecture:
    if args.arch:
        return load_architecture(args.arch)
    if args.model in (None, "", DEMO_NAME):
        from sdstudio.engine.models.demo.model import demo_model_dir

        return architecture_from_folder(demo_model_dir(), DEMO_NAME, _notice)
    folder = Path(args.model).expanduser()
    if not folder.exists():
        raise UserFacingError(f"Model not found: {args.model} (give 'demo' or a diffusers folder)")
    return architecture_from_folder(folder, notice=_notice)


def _notice(text: str) -> None:
    """A component left out of the tree: said on stderr, as run notices are."""
    print(f"sdstudio: {text}", file=sys.stderr)


def _component_of(node: TreeNode) -> TreeNode:
    while node.parent is not None and node.parent.parent is not None:
        node = node.parent
    return node


def _totals(node: TreeNode) -> str:
    """``unet  UNet2DConditionModel  859520964 parameters`` per component (plain integers)."""
    rows = node.children if node.kind is NodeKind.ROOT else [node]
    rows = [row for row in rows if row.kind is NodeKind.COMPONENT]
    name_width = max((len(row.name) for row in rows), default=0)
    type_width = max((len(row.type_name) for row in rows), default=0)
    return "\n".join(
        f"{row.name:<{name_width}}  {row.type_name:<{type_width}}  {row.param_count} parameters"
        for row in rows
    )
