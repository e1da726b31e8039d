"""``ModelBrowserDock``: the module tree, its filter, depth, copy action and details pane.

An explorer: filtering opens the tree down to every match, and a splitter gives the details
as much of the height as the reader wants. Its sources are the loaded model, the preset
architectures and each ControlNet in ``SDSTUDIO_HOME/models/controlnet`` (built on meta from
its config, traced at the loaded model's size).

Columns are laid out for the width the tree has, without a sideways scroll bar where
possible (a 1366×768 laptop's dock is ~440 px): the parameter and output-shape columns
always get the width of their contents (compact: ``16.4 k``, right-aligned); the name takes
what is left (header stretch), whole where it fits and elided in the middle otherwise (its
full path is the tooltip); the type gets the rest, elided at its end; the long Details
column is shown only where it fits (the details pane shows the same for the selected row).
A column the user drags keeps that width.

For the whole table there is room of its own: ``Pop Out`` (action ``browserPopOutAction``)
floats the dock as a window of 80 % of the screen, every column at full width; ``Put Back``
(the same action) returns it to its place among the docks. A demanding user wants both:
a glance at a block's parameters and shapes beside the canvas, and a large table when
exploring.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from sdstudio.engine.errors import UserFacingError
from sdstudio.engine.modules import (
    ShapeSpec,
    TreeNode,
    apply_shapes,
    architecture_choices,
    build_pipeline_tree,
    export_text,
    load_architecture,
)
from sdstudio.engine.modules.controlnet_architecture import controlnet_architecture
from sdstudio.ui.model_browser.details_pane import ModuleDetailsPane
from sdstudio.ui.model_browser.filter_proxy import ModuleFilterProxy
from sdstudio.ui.model_browser.shape_job import ShapeJobRunner
from sdstudio.ui.model_browser.source_combo import SourceCombo, controlnet_key, controlnet_path
from sdstudio.ui.model_browser.tree_model import Column, ModuleTreeModel, NodeRole

LOADED = "loaded"
FILTER_DELAY_MS = 250  # filter once typing pauses: SDXL's tree takes a second to filter
POP_OUT_SHARE = 0.8  # of the screen's free area, each way, for the popped-out browser
TYPE_MIN_TEXT = "ModuleList"  # the type's least width (common leaf types: LayerNorm, Conv2d)
DETAILS_MIN_CHARS = 24  # the Details column is shown where at least this much fits
INDENT_CHARS = 2  # each level's indent: ~12 px at 9 pt (a style's 20 px costs deep names)


class _ModuleTreeView(QTreeView):
    """A ``QTreeView`` that says when its geometry (the viewport's width, the header, the
    scroll bars) was updated, so the columns can be laid out for the new width."""

    geometriesUpdated = Signal()

    def updateGeometries(self) -> None:  # noqa: N802 (Qt's name)
        super().updateGeometries()
        self.geometriesUpdated.emit()


class _ElideEndDelegate(QStyledItemDelegate):
    """Cuts text at its end (``CrossAttnDownBl…``) where the view cuts in the middle."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Any) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight


class ModelBrowserDock(QDockWidget):
    """Browse the loaded model, a preset architecture (sd15, sd21, sdxl) or a ControlNet.

    Signals:
        shapes_ready(): output shapes for the shown tree arrived (traced on a worker).
        shapes_failed(str): tracing failed; the tree stays, without shapes.
        node_selected(object): the ``TreeNode`` now shown in the details pane.
    """

    shapes_ready = Signal()
    shapes_failed = Signal(str)
    node_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Model browser", parent)
        self.setObjectName("modelBrowserDock")
        self._pipeline_root: TreeNode | None = None
        self._pipeline_spec: ShapeSpec | None = None
        self._no_model_text = "No model loaded."
        self._controlnet_trees: dict[Path, tuple[TreeNode, ShapeSpec]] = {}  # for this model
        self._shown_source: object = LOADED  # the source item whose tree is shown
        self._tracing: dict[int, tuple[TreeNode, ShapeSpec]] = {}  # job → what it traces
        self._match_count = 0
        self._natural: dict[Column, int] = {}  # each column's content width (_fit_columns)
        self._user_widths: dict[Column, int] = {}  # the columns the user has dragged
        self._laying_out = False
        self._model = ModuleTreeModel(parent=self)
        self._proxy = ModuleFilterProxy(self)
        self._proxy.setSourceModel(self._model)
        self._jobs = ShapeJobRunner(self)
        self._jobs.finished.connect(self._on_shapes)
        self._jobs.failed.connect(self._on_shapes_failed)
        self._build_widgets()

    # -- public API ------------------------------------------------------------------------
    def set_pipeline(
        self, pipeline: Any, shapes_for: tuple[int, int] | None = (512, 512), label: str = "model"
    ) -> None:
        """Show a loaded pipeline's components; trace shapes at ``shapes_for`` (W, H) if given."""
        self._pipeline_root = build_pipeline_tree(pipeline, label)
        self._pipeline_spec = ShapeSpec(*shapes_for) if shapes_for else None
        self._controlnet_trees.clear()  # a single file takes the model's UNet architecture
        self._source.refresh_controlnets()
        self._select_source(LOADED)

    def show_architecture(self, name: str, shapes_for: tuple[int, int] | None = None) -> None:
        """Show a preset built on the meta device; shapes at its native size unless given."""
        architecture = load_architecture(name)
        spec = ShapeSpec(*(shapes_for or architecture.default_resolution))
        self._show(architecture.tree(), spec)
        self._select_source(name, show=False)

    def show_controlnet(self, path: Path) -> bool:
        """Show the ControlNet at ``path`` (one in the ControlNet folder) as a run reads it,
        traced at the loaded model's size (its family's when none is loaded); False, with
        the reason shown, when it cannot be read."""
        self._source.refresh_controlnets()
        self._select_source(controlnet_key(path), show=False)
        if path in self._controlnet_trees:
            self._show(*self._controlnet_trees[path])
            return True
        unet = self._pipeline_root.find("unet") if self._pipeline_root is not None else None
        try:
            architecture = controlnet_architecture(path, unet.module if unet else None)
        except UserFacingError as error:
            self._show(TreeNode("empty", self.root().kind), None)
            self._status.setText(str(error))
            return False
        spec = self._pipeline_spec or ShapeSpec(*architecture.default_resolution)
        self._controlnet_trees[path] = (architecture.tree(), spec)
        self._show(*self._controlnet_trees[path])
        return True

    def show_loaded_model(self) -> None:
        self._select_source(LOADED)

    def show_loading(self, message: str = "Loading model…") -> None:
        """Drop the loaded model's tree (so its weights can be freed) and say why it is empty."""
        self._pipeline_root, self._pipeline_spec = None, None
        self._controlnet_trees.clear()
        self._no_model_text = message
        if self.showing_loaded_model():
            self._on_source_chosen(self._source.currentIndex())

    def trace_shapes_at(self, width: int, height: int) -> None:
        """Trace the loaded model's output shapes again for another size; the tree stays."""
        root = self._pipeline_root
        if root is None or self._pipeline_spec is None:
            return
        spec = ShapeSpec(width, height)
        if spec == self._pipeline_spec:
            return
        self._pipeline_spec = spec
        self._controlnet_trees.clear()  # traced again at this size when next shown
        for component in root.children:
            if component.context is not None:
                component.context.shapes = {}
        if root is self.root():
            self._model.shapes_changed()
            self._details.show_node(self.selected_node())
            self._status.setText(f"Tracing output shapes at {spec.width}×{spec.height}…")
            self._tracing[self._jobs.start(root, spec)] = (root, spec)

    def showing_loaded_model(self) -> bool:
        """True when the tree is the loaded model's (or its empty place), not a preset's."""
        return self._source.currentData() == LOADED

    def showing_controlnet(self) -> bool:
        """True when the tree is a ControlNet's (its modules run in a run's units)."""
        return controlnet_path(self._source.currentData()) is not None

    def add_node_action(self, action: QAction) -> None:
        """Offer ``action`` for the selected module: in the tree's context menu and as a
        button under the details."""
        self._view.addAction(action)
        button = QToolButton()
        button.setDefaultAction(action)
        self._node_buttons.addWidget(button)

    def pop_out(self, out: bool = True) -> None:
        """Float the browser as a large window of its own (80 % of the screen's free area,
        centred on it), or put it back among the docks where it was."""
        if out and not self.isFloating():
            self.setFloating(True)
            screen = self.screen() or QGuiApplication.primaryScreen()
            free = screen.availableGeometry()
            rect = QRect(0, 0, round(free.width() * POP_OUT_SHARE), 0)
            rect.setHeight(round(free.height() * POP_OUT_SHARE))
            rect.moveCenter(free.center())
            self.setGeometry(rect)
            self.show()
            self.raise_()
            self.activateWindow()
        elif not out and self.isFloating():
            self.setFloating(False)
            self.show()
            self.raise_()  # in front of its tab group again
        self._sync_pop_out_action(self.isFloating())

    def pop_out_action(self) -> QAction:
        return self._pop_out_action

    def root(self) -> TreeNode:
        return self._model.root()

    def tree_view(self) -> QTreeView:
        return self._view

    def selected_node(self) -> TreeNode | None:
        index = self._view.currentIndex()
        return index.data(NodeRole) if index.isValid() else None

    def select_path(self, path: str) -> bool:
        """Select (and reveal) ``unet.down_blocks.0``; False when no such node is shown."""
        node = self.root().find(path)
        index = self._proxy.mapFromSource(self._model.index_for(node)) if node else QModelIndex()
        if not index.isValid():
            return False
        self._view.scrollTo(index)
        self._view.setCurrentIndex(index)
        return True

    def filter_by(self, text: str) -> int:
        """Show only modules whose name or type contains ``text`` (and the path to them),
        opened down to each match, now; returns how many rows match. (Typing in the
        filter field does this once the typing pauses.)"""
        self._filter_delay.stop()
        if self._filter.text() != text:
            with QSignalBlocker(self._filter):
                self._filter.setText(text)
        # Rows leaving an opened tree one block at a time cost a relayout each (minutes for
        # SDXL): close it first, filter, then open only the paths to the matches.
        self._view.collapseAll()
        self._proxy.set_filter_text(text)
        self._match_count = self._expand_matches()
        return self._match_count

    def expand_to_depth(self, depth: int) -> None:
        """Like the chapter's ``deepest``: show ``depth`` levels below each component."""
        self._depth.setValue(depth)
        if depth <= 0:
            self._view.collapseAll()
        else:
            self._view.expandToDepth(depth - 1)

    def copy_selection_as_text(self) -> str:
        """Put the selected subtree (or everything) on the clipboard as text; returns it."""
        node = self.selected_node() or self.root()
        text = export_text(node, max(self._depth.value(), 1), shapes=True)
        QGuiApplication.clipboard().setText(text)
        return text

    def shutdown(self) -> None:
        """Wait for a running shape trace (call before the application quits)."""
        self._jobs.shutdown(wait=True)

    # -- internals -------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        self._pop_out_action = QAction("Pop Out", self, objectName="browserPopOutAction")
        self._pop_out_action.setCheckable(True)
        self._pop_out_action.setToolTip(
            "Open the browser in a large window of its own (again to put it back)"
        )
        self._pop_out_action.toggled.connect(self.pop_out)
        self.topLevelChanged.connect(self._sync_pop_out_action)  # its title bar floats it too
        pop_out_button = QToolButton(objectName="browserPopOutButton")
        pop_out_button.setDefaultAction(self._pop_out_action)
        self._source = SourceCombo(objectName="modelSource")
        self._source.addItem("Loaded model", LOADED)
        for name, label in architecture_choices().items():
            self._source.addItem(f"{label} — architecture only", name)
        self._source.refresh_controlnets()
        self._source.activated.connect(self._on_source_chosen)
        self._source.aboutToShowPopup.connect(self._on_sources_listed)
        self._filter = QLineEdit(objectName="modelFilter", placeholderText="Filter by name or type")
        self._filter.setClearButtonEnabled(True)
        self._filter_delay = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self._filter_delay.timeout.connect(lambda: self.filter_by(self._filter.text()))
        self._filter.textChanged.connect(self._filter_delay.start)
        self._depth = QSpinBox(objectName="modelDepth", minimum=0, maximum=12, value=2)
        self._depth.setPrefix("depth ")
        expand = QPushButton("Expand", objectName="modelExpand")
        expand.clicked.connect(lambda: self.expand_to_depth(self._depth.value()))
        self._copy_action = QAction("Copy as text", self, shortcut=QKeySequence.StandardKey.Copy)
        self._copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._copy_action.triggered.connect(self.copy_selection_as_text)
        copy_button = QToolButton(objectName="modelCopy")
        copy_button.setDefaultAction(self._copy_action)
        controls = QHBoxLayout()
        for widget in (self._filter, self._depth, expand, copy_button):
            controls.addWidget(widget)
        self._status = QLabel(objectName="modelShapesStatus", wordWrap=True)
        self._view = self._make_view()
        self._details = ModuleDetailsPane(objectName="modelDetails")
        splitter = QSplitter(Qt.Orientation.Vertical, objectName="modelBrowserSplitter")
        splitter.addWidget(self._view)
        splitter.addWidget(self._details)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 3)  # the tree, then the details: 3:2 of what is left
        splitter.setStretchFactor(1, 2)
        self._node_buttons = QHBoxLayout()
        self._node_buttons.addStretch(1)
        source_row = QHBoxLayout()
        source_row.addWidget(self._source, 1)
        source_row.addWidget(pop_out_button)
        layout.addLayout(source_row)
        layout.addLayout(controls)
        layout.addWidget(self._status)
        layout.addWidget(splitter)
        layout.addLayout(self._node_buttons)
        self.setWidget(body)

    def _make_view(self) -> QTreeView:
        view = _ModuleTreeView(objectName="modelTree")
        view.setModel(self._proxy)
        view.setUniformRowHeights(True)
        view.setAlternatingRowColors(True)
        view.addAction(self._copy_action)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        # Columns fitted to the tree's width (see _lay_out_columns): the name stretches and
        # is cut in the middle only where it must, so transformer_…0 keeps both its ends.
        view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        view.setItemDelegateForColumn(Column.TYPE, _ElideEndDelegate(view))
        view.setItemDelegateForColumn(Column.DETAILS, _ElideEndDelegate(view))
        view.setIndentation(view.fontMetrics().averageCharWidth() * INDENT_CHARS)
        view.setHorizontalScrollMode(QTreeView.ScrollMode.ScrollPerPixel)
        header = view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.sectionResized.connect(self._on_section_resized)
        self._lay_out_later = QTimer(self, singleShot=True, interval=0)  # once per burst
        self._lay_out_later.timeout.connect(self._lay_out_columns)
        view.geometriesUpdated.connect(self._lay_out_later.start)  # a new width, say
        self._fit_later = QTimer(self, singleShot=True, interval=0)  # once per burst
        self._fit_later.timeout.connect(self._fit_columns)
        for signal in (view.expanded, view.collapsed):
            signal.connect(self._fit_later.start)
        for signal in (self._proxy.modelReset, self._proxy.layoutChanged):
            signal.connect(self._fit_later.start)
        self._proxy.dataChanged.connect(self._fit_later.start)  # shapes arrived
        self._proxy.rowsInserted.connect(self._fit_later.start)
        view.selectionModel().currentChanged.connect(self._on_current_changed)
        return view

    def _select_source(self, key: str, show: bool = True) -> None:
        self._source.setCurrentIndex(max(self._source.findData(key), 0))
        self._shown_source = self._source.currentData()
        if show:
            self._on_source_chosen(self._source.currentIndex())

    def _on_source_chosen(self, row: int) -> None:
        key = self._source.itemData(row)
        self._shown_source = key
        controlnet = controlnet_path(key)
        if controlnet is not None:
            self.show_controlnet(controlnet)
        elif key != LOADED:
            self.show_architecture(key)
        elif self._pipeline_root is not None:
            self._show(self._pipeline_root, self._pipeline_spec)
        else:
            self._show(TreeNode("empty", self.root().kind), None)
            self._status.setText(self._no_model_text)

    def _on_sources_listed(self) -> None:
        """A ControlNet shown but gone from the folder leaves its place to the loaded model."""
        if self._source.currentData() != self._shown_source:
            self._on_source_chosen(self._source.currentIndex())

    def _show(self, root: TreeNode, spec: ShapeSpec | None) -> None:
        if root is self.root():
            return
        self._model.set_root(root)
        self._details.show_node(None)
        self._match_count = self._expand_matches()
        if spec is None:
            self._status.setText("")
        elif any(child.context and child.context.shapes for child in root.children):
            self._status.setText(self._spec_text(spec))
        else:
            self._status.setText(f"Tracing output shapes at {spec.width}×{spec.height}…")
            self._tracing[self._jobs.start(root, spec)] = (root, spec)

    def _on_shapes(self, job: int, shapes: object) -> None:
        root, spec = self._tracing.pop(job, (None, None))
        if root is None or spec is None:
            return
        apply_shapes(root, shapes)  # type: ignore[arg-type]
        if root is self.root():
            self._model.shapes_changed()
            self._status.setText(self._spec_text(spec))
            self._details.show_node(self.selected_node())
            self.shapes_ready.emit()

    def _on_shapes_failed(self, job: int, message: str) -> None:
        root, _spec = self._tracing.pop(job, (None, None))
        if root is not None and root is self.root():
            self._status.setText(f"Output shapes unavailable: {message}")
            self.shapes_failed.emit(message)

    def _expand_matches(self) -> int:
        """Open the path down to every row that matches the filter; the first one is
        scrolled to. Returns how many rows match."""
        proxy, view = self._proxy, self._view
        if not proxy.filtering():
            return 0
        matches: list[QModelIndex] = []  # in the order the tree shows them
        pending = [QModelIndex()]
        while pending:
            index = pending.pop()
            if index.isValid() and proxy.matches(proxy.mapToSource(index)):
                matches.append(index)
            rows = range(proxy.rowCount(index) - 1, -1, -1)
            pending.extend(proxy.index(row, 0, index) for row in rows)
        opened: set[QPersistentModelIndex] = set()
        view.scheduleDelayedItemsLayout()  # so each expand only marks its row; one layout
        for match in matches:
            parent = match.parent()
            while parent.isValid() and QPersistentModelIndex(parent) not in opened:
                opened.add(QPersistentModelIndex(parent))
                view.expand(parent)
                parent = parent.parent()
        if matches:
            view.scrollTo(matches[0])
        return len(matches)

    def _fit_columns(self) -> None:
        """Measure each column's widest shown row (and header), then lay them out. Qt's
        ResizeToContents mode would measure for every row change: minutes for SDXL's
        filtering."""
        view, header = self._view, self._view.header()
        self._natural = {
            column: max(view.sizeHintForColumn(column), header.sectionSizeHint(column))
            for column in Column
        }
        self._lay_out_columns()

    def _lay_out_columns(self) -> None:
        """Share the tree's width (see the module's docstring): the numbers whole; then the
        name, whole where it can be; the type what is left, at least a ``ModuleList``'s
        width (the name is cut in the middle for it); Details where there is room."""
        if not self._natural:
            return
        view = self._view
        chars = view.fontMetrics().averageCharWidth()
        width = {column: self._user_widths.get(column, self._natural[column]) for column in Column}
        available = view.viewport().width()
        rest = available - width[Column.PARAMETERS] - width[Column.OUTPUT_SHAPE]
        type_width = width[Column.TYPE]
        if Column.TYPE not in self._user_widths:
            margins = 2 * view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 4
            type_floor = view.fontMetrics().horizontalAdvance(TYPE_MIN_TEXT) + margins
            type_width = min(type_width, max(type_floor, rest - width[Column.NAME]))
        room = rest - width[Column.NAME] - type_width  # once the name is whole
        details_floor = min(width[Column.DETAILS], DETAILS_MIN_CHARS * chars)
        show_details = Column.DETAILS in self._user_widths or room >= details_floor
        self._laying_out = True
        try:
            view.setColumnHidden(Column.DETAILS, not show_details)
            header = view.header()
            header.resizeSection(Column.TYPE, type_width)
            header.resizeSection(Column.PARAMETERS, width[Column.PARAMETERS])
            header.resizeSection(Column.OUTPUT_SHAPE, width[Column.OUTPUT_SHAPE])
            others = type_width + width[Column.PARAMETERS] + width[Column.OUTPUT_SHAPE]
            if show_details:
                details = width[Column.DETAILS]
                if Column.DETAILS not in self._user_widths:
                    details = max(details_floor, min(details, room))
                header.resizeSection(Column.DETAILS, details)
                others += details
            # The name stretches, but Qt leaves a stretched section as it was while the
            # others overflow the width, as they did just before a narrowing: set it here.
            name = max(header.minimumSectionSize(), available - others)
            header.resizeSection(Column.NAME, name)
        finally:
            self._laying_out = False

    def _on_section_resized(self, column: int, _old: int, new: int) -> None:
        """A column the user drags keeps that width (the name takes what is left)."""
        dragged = not self._laying_out and column != Column.NAME and new > 0
        if dragged and self._view.isVisible():
            self._user_widths[Column(column)] = new

    def _sync_pop_out_action(self, floating: bool) -> None:
        with QSignalBlocker(self._pop_out_action):
            self._pop_out_action.setChecked(floating)
        self._pop_out_action.setText("Put Back" if floating else "Pop Out")
        self._pop_out_action.setToolTip(
            "Put the browser back among the docks"
            if floating
            else "Open the browser in a large window of its own (again to put it back)"
        )

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        node = current.data(NodeRole) if current.isValid() else None
        self._details.show_node(node)
        self.node_selected.emit(node)

    @staticmethod
    def _spec_text(spec: ShapeSpec) -> str:
        return (
            f"Output shapes at {spec.width}×{spec.height}: batch {spec.batch} for the UNet and "
            "text encoders (prompt + negative), 1 for the VAE."
        )
