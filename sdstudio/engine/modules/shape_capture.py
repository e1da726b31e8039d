"""Recording every module's input and output shapes during one forward pass.

On the meta device tensors have shapes but no storage, so a full SDXL pass at 1024² costs
no memory and no arithmetic, only Python. A loaded model is first rebuilt on meta from its
config (same module paths, no weights copied).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from functools import lru_cache
from itertools import chain
from typing import Any

from sdstudio.engine.modules.example_inputs import ShapeSpec, example_inputs
from sdstudio.engine.modules.nodes import TreeNode
from sdstudio.engine.modules.pipeline_tree import component_nodes
from sdstudio.engine.modules.shape_records import ShapeRecord, named_shapes

ShapeMap = dict[str, ShapeRecord]


def capture_shapes(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> ShapeMap:
    """Run ``module(*args, **kwargs)`` once with hooks; shapes keyed by module path."""
    import torch

    calls: dict[str, int] = {}
    seen: dict[str, tuple[Any, Any]] = {}

    def make_hook(path: str) -> Callable[..., None]:
        def hook(mod: Any, hook_args: tuple, hook_kwargs: dict, output: Any) -> None:
            calls[path] = calls.get(path, 0) + 1
            if path not in seen:
                seen[path] = (_named_inputs(mod, hook_args, hook_kwargs), named_shapes(output))

        return hook

    handles = [
        sub.register_forward_hook(make_hook(path), with_kwargs=True)
        for path, sub in module.named_modules()
    ]
    try:
        with torch.no_grad():
            module(*args, **kwargs)
    finally:
        for handle in handles:
            handle.remove()
    return {
        path: ShapeRecord(tuple(inputs), tuple(outputs), calls[path])
        for path, (inputs, outputs) in seen.items()
    }


def meta_copy(module: Any) -> Any:
    """The same architecture on the meta device (the module itself if it is already there)."""
    import torch

    tensors = list(chain(module.parameters(), module.buffers()))
    offloaded = any(hasattr(sub, "_hf_hook") for sub in module.modules())  # weights elsewhere
    if all(t.is_meta for t in tensors) and not offloaded:
        return module
    config = getattr(module, "config", None)
    if config is not None and hasattr(type(module), "from_config"):
        with torch.device("meta"):
            return type(module).from_config(config)  # diffusers models
    if config is not None and hasattr(module, "post_init"):
        with torch.device("meta"):
            return type(module)(config)  # transformers models
    memo: dict[int, Any] = {}
    for tensor in tensors:
        empty = torch.empty_like(tensor, device="meta")
        if isinstance(tensor, torch.nn.Parameter):
            empty = torch.nn.Parameter(empty, requires_grad=tensor.requires_grad)
        memo[id(tensor)] = empty
    return copy.deepcopy(module, memo)


def capture_module_shapes(module: Any, spec: ShapeSpec, on_meta: bool = True) -> ShapeMap:
    """Shapes for a known component (UNet, VAE, CLIP text encoder); empty if unknown."""
    target = meta_copy(module) if on_meta else module
    inputs = example_inputs(target, spec)
    if inputs is None:
        return {}
    return capture_shapes(target, *inputs)


def capture_tree_shapes(root: TreeNode, spec: ShapeSpec) -> dict[str, ShapeMap]:
    """Shapes for every component of a tree, on meta. Pure computation: safe on a worker."""
    spec = _with_vae_factor(root, spec)
    return {node.name: capture_module_shapes(node.module, spec) for node in component_nodes(root)}


def apply_shapes(root: TreeNode, shapes: dict[str, ShapeMap]) -> None:
    """Attach captured shapes to the tree (call on the thread that owns the tree's views)."""
    for node in component_nodes(root):
        if node.context is not None and node.name in shapes:
            node.context.shapes = shapes[node.name]


def _with_vae_factor(root: TreeNode, spec: ShapeSpec) -> ShapeSpec:
    vae = next((n.module for n in component_nodes(root) if n.name == "vae"), None)
    channels = getattr(getattr(vae, "config", None), "block_out_channels", None)
    if not channels:
        return spec
    factor = 2 ** (len(channels) - 1)
    return ShapeSpec(spec.width, spec.height, spec.batch, factor)


def _named_inputs(module: Any, args: tuple, kwargs: dict) -> list[tuple[str, tuple[int, ...]]]:
    names = _forward_parameter_names(type(module))
    found: list[tuple[str, tuple[int, ...]]] = []
    for index, value in enumerate(args):
        label = names[index] if index < len(names) else f"arg{index}"
        found.extend(named_shapes(value, label, 1))
    for key, value in kwargs.items():
        found.extend(named_shapes(value, key, 1))
    return found


@lru_cache(maxsize=512)
def _forward_parameter_names(cls: type) -> tuple[str, ...]:
    try:
        params = inspect.signature(cls.forward).parameters
    except (TypeError, ValueError):
        return ()
    return tuple(name for name in params if name != "self")
