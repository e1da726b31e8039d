"""The node tree the model browser shows: one node per module, built lazily.

A node wraps an ``nn.Module`` (or a non-module component such as a tokenizer, as an info
row) and answers what the browser asks: name, class, parameter count, own tensors, details,
device and dtype, and the shapes captured in a forward pass. Children are created on first
access, so a 2,000-module UNet costs nothing until someone looks inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sdstudio.engine.modules.shape_records import ShapeRecord


class NodeKind(Enum):
    ROOT = "root"
    COMPONENT = "component"
    MODULE = "module"
    INFO = "info"


@dataclass(frozen=True)
class TensorInfo:
    """A parameter or buffer that a module owns directly (not through its children)."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    is_parameter: bool

    @property
    def numel(self) -> int:
        count = 1
        for size in self.shape:
            count *= size
        return count


@dataclass(frozen=True)
class InfoComponent:
    """A pipeline part without tensors (tokenizer, scheduler), described by a few facts."""

    type_name: str
    summary: str
    facts: tuple[tuple[str, str], ...] = ()


@dataclass
class ComponentContext:
    """What every node of one component shares: counts, total, and captured shapes."""

    name: str
    module: Any  # torch.nn.Module
    total_params: int
    shapes: dict[str, ShapeRecord] = field(default_factory=dict)
    _counts: dict[int, int] = field(default_factory=dict, repr=False)

    def count(self, module: Any) -> int:
        """Parameters in ``module``'s subtree, memoised per module."""
        key = id(module)
        cached = self._counts.get(key)
        if cached is None:
            own = sum(p.numel() for p in module.parameters(recurse=False))
            cached = own + sum(self.count(child) for child in module.children())
            self._counts[key] = cached
        return cached


class TreeNode:
    """One row of the tree; holds strong references to its children once built."""

    __slots__ = (
        "name",
        "kind",
        "parent",
        "row",
        "module",
        "context",
        "module_path",
        "info",
        "_children",
    )

    def __init__(
        self,
        name: str,
        kind: NodeKind,
        parent: TreeNode | None = None,
        row: int = 0,
        module: Any = None,
        context: ComponentContext | None = None,
        module_path: str = "",
        info: InfoComponent | None = None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.parent = parent
        self.row = row
        self.module = module
        self.context = context
        self.module_path = module_path
        self.info = info
        self._children: list[TreeNode] | None = None

    # -- structure ---------------------------------------------------------------------------
    @property
    def children(self) -> list[TreeNode]:
        if self._children is None:
            self._children = self._build_children()
        return self._children

    def set_children(self, children: list[TreeNode]) -> None:
        self._children = children

    def has_children(self) -> bool:
        """True without building the children (the view asks this for every visible row)."""
        if self._children is not None:
            return bool(self._children)
        return self.module is not None and next(iter(self.module.children()), None) is not None

    def _build_children(self) -> list[TreeNode]:
        if self.module is None:
            return []
        prefix = f"{self.module_path}." if self.module_path else ""
        return [
            TreeNode(name, NodeKind.MODULE, self, row, child, self.context, prefix + name)
            for row, (name, child) in enumerate(self.module.named_children())
        ]

    @property
    def component_name(self) -> str:
        return self.context.name if self.context else self.name

    @property
    def full_path(self) -> str:
        """``unet.down_blocks.0.attentions.0``: component name then attribute path."""
        if self.kind in (NodeKind.COMPONENT, NodeKind.INFO, NodeKind.ROOT):
            return self.name
        return f"{self.component_name}.{self.module_path}"

    @property
    def depth(self) -> int:
        """0 for a component row, 1 for its children, and so on."""
        depth, node = -1, self
        while node.parent is not None:
            depth, node = depth + 1, node.parent
        return depth

    def find(self, path: str) -> TreeNode | None:
        """The descendant at a dotted path relative to this node (``down_blocks.0``)."""
        node: TreeNode = self
        for part in filter(None, path.split(".")):
            node = next((child for child in node.children if child.name == part), None)
            if node is None:
                return None
        return node

    # -- facts -------------------------------------------------------------------------------
    @property
    def type_name(self) -> str:
        if self.info is not None:
            return self.info.type_name
        return type(self.module).__name__ if self.module is not None else ""

    @property
    def is_module_list(self) -> bool:
        import torch

        return isinstance(self.module, torch.nn.ModuleList)

    @property
    def param_count(self) -> int | None:
        if self.context is None or self.module is None:
            return None
        if self.kind is NodeKind.COMPONENT:
            return self.context.total_params
        return self.context.count(self.module)

    @property
    def share(self) -> float | None:
        """This subtree's fraction of its component's parameters."""
        count = self.param_count
        if count is None or not self.context or not self.context.total_params:
            return None
        return count / self.context.total_params

    @property
    def details(self) -> str:
        """``extra_repr()`` (``in_features=320, …``), ``len=N`` for lists, or an info summary."""
        if self.info is not None:
            return self.info.summary
        if self.module is None:
            return ""
        if self.is_module_list:
            return f"len={len(self.module)}"
        return self.module.extra_repr()

    def own_tensors(self) -> list[TensorInfo]:
        if self.module is None:
            return []
        params = [
            TensorInfo(name, tuple(t.shape), _dtype_name(t.dtype), True)
            for name, t in self.module.named_parameters(recurse=False)
        ]
        buffers = [
            TensorInfo(name, tuple(t.shape), _dtype_name(t.dtype), False)
            for name, t in self.module.named_buffers(recurse=False)
        ]
        return params + buffers

    def placement(self) -> tuple[str, str] | None:
        """(device, dtype) of the first tensor in the subtree, e.g. ``("cpu", "float32")``."""
        if self.module is None:
            return None
        tensor = next(self.module.parameters(), None)
        if tensor is None:
            tensor = next(self.module.buffers(), None)
        return None if tensor is None else (str(tensor.device), _dtype_name(tensor.dtype))

    @property
    def shape_record(self) -> ShapeRecord | None:
        if self.context is None or self.module is None:
            return None
        return self.context.shapes.get(self.module_path)

    def __repr__(self) -> str:
        return f"TreeNode({self.full_path!r}, {self.type_name})"


def _dtype_name(dtype: Any) -> str:
    return str(dtype).removeprefix("torch.")
