"""``ModuleTreeModel``: a Qt item model over the static module tree of ``engine/modules``.

Each index stores its ``TreeNode`` as the internal pointer; the tree (held by the model
through its root) keeps every node alive, so the pointer never dangles. Children are built
when Qt first asks for a row count, i.e. when a row is expanded or filtered.

The columns are made to be read in a narrow dock: parameter counts are compact (``16.4 k``,
``859.5 M``; the exact count and the share of the component are in the tooltip and the
details pane), a module with several outputs shows the first one's shape (the tooltip and
the details pane list them all), numbers and shapes are right-aligned, and the headers are
short (their tooltips say more). Each cell's tooltip holds what a narrowed column elides.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from sdstudio.engine.modules import NodeKind, TreeNode
from sdstudio.engine.modules.shape_records import format_named_shapes, format_shape

AnyIndex = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()  # the default argument Qt's signatures use


class Column(IntEnum):
    NAME = 0
    TYPE = 1
    PARAMETERS = 2
    OUTPUT_SHAPE = 3
    DETAILS = 4


HEADERS = {
    Column.NAME: "Name",
    Column.TYPE: "Type",
    Column.PARAMETERS: "Params",
    Column.OUTPUT_SHAPE: "Output",
    Column.DETAILS: "Details",
}
HEADER_TIPS = {
    Column.NAME: "The module's name (its full path in each row's tooltip)",
    Column.TYPE: "The module's class",
    Column.PARAMETERS: "Parameters, its own and its children's (k = thousand, M = million, "
    "B = billion; the exact count and the share of the component in each row's tooltip)",
    Column.OUTPUT_SHAPE: "Output shape, traced at the size above the tree (the first output's "
    "where there are more: each row's tooltip and the details list them all)",
    Column.DETAILS: "How the module was built (its constructor's arguments)",
}
RIGHT_ALIGNED = (Column.PARAMETERS, Column.OUTPUT_SHAPE)

NodeRole = Qt.ItemDataRole.UserRole + 1  # the TreeNode itself
ParamCountRole = Qt.ItemDataRole.UserRole + 2  # int, for sorting and tests
PathRole = Qt.ItemDataRole.UserRole + 3  # "unet.down_blocks.0"
SearchTextRole = Qt.ItemDataRole.UserRole + 4  # "name type", what the filter matches


class ModuleTreeModel(QAbstractItemModel):
    """Rows are pipeline components, then their modules; five columns (see ``Column``)."""

    def __init__(self, root: TreeNode | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._root = root or TreeNode("empty", NodeKind.ROOT)

    # -- the tree --------------------------------------------------------------------------
    def root(self) -> TreeNode:
        return self._root

    def set_root(self, root: TreeNode) -> None:
        self.beginResetModel()
        self._root = root
        self.endResetModel()

    def node(self, index: AnyIndex) -> TreeNode:
        return index.internalPointer() if index.isValid() else self._root

    def index_for(self, node: TreeNode, column: int = 0) -> QModelIndex:
        if node is self._root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row, column, node)

    def shapes_changed(self) -> None:
        """Tell views the output-shape column changed, for every row built so far."""
        pending = [self._root]
        while pending:
            node = pending.pop()
            built = node._children
            if not built:
                continue
            parent = self.index_for(node)
            first = self.index(0, Column.OUTPUT_SHAPE, parent)
            last = self.index(len(built) - 1, Column.OUTPUT_SHAPE, parent)
            self.dataChanged.emit(first, last, [Qt.ItemDataRole.DisplayRole])
            pending.extend(built)

    # -- QAbstractItemModel ----------------------------------------------------------------
    def index(self, row: int, column: int, parent: AnyIndex = NO_PARENT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self.node(parent).children[row])

    def parent(self, index: AnyIndex = NO_PARENT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        parent = index.internalPointer().parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: AnyIndex = NO_PARENT) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.node(parent).children)

    def hasChildren(self, parent: AnyIndex = NO_PARENT) -> bool:
        if parent.isValid() and parent.column() != 0:
            return False
        return self.node(parent).has_children()

    def columnCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[Column(section)]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node: TreeNode = index.internalPointer()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(node, Column(index.column()))
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(node, Column(index.column()))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == NodeRole:
            return node
        if role == ParamCountRole:
            return node.param_count
        if role == PathRole:
            return node.full_path
        if role == SearchTextRole:
            return f"{node.name} {node.type_name}"
        return None


def _display(node: TreeNode, column: Column) -> str:
    if column is Column.NAME:
        return node.name
    if column is Column.TYPE:
        return node.type_name
    if column is Column.PARAMETERS:
        count = node.param_count
        return "" if count is None else compact_count(count)
    if column is Column.OUTPUT_SHAPE:
        record = node.shape_record
        if record is None or not record.outputs:
            return ""
        return format_shape(record.outputs[0][1])  # the first; all of them in the tooltip
    return node.details


def compact_count(count: int) -> str:
    """``128``, ``16.4 k``, ``859.5 M``, ``2.6 B``: one decimal, so a column lines up."""
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if count >= size * 0.99995:  # 999,999 is 1.0 M, not 1000.0 k
            return f"{count / size:.1f} {unit}"
    return str(count)


def _tooltip(node: TreeNode, column: Column) -> str:
    """The path, then what the cell may elide: the type, the exact count, every output."""
    lines = [node.full_path]
    if column is Column.TYPE:
        lines.append(node.type_name)
    elif column is Column.PARAMETERS and node.param_count is not None:
        share = node.share
        of = (
            f" ({share:.1%} of {node.component_name})"
            if node.kind is not NodeKind.COMPONENT and share is not None
            else ""
        )
        lines.append(f"{node.param_count:,} parameters{of}")
    elif column is Column.OUTPUT_SHAPE and node.shape_record and node.shape_record.outputs:
        outputs = node.shape_record.outputs
        label = "Output" if len(outputs) == 1 else f"{len(outputs)} outputs"
        lines.append(f"{label}: {format_named_shapes(outputs)}")
    elif column is Column.DETAILS and node.details:
        lines.append(node.details)
    return "\n".join(lines)
