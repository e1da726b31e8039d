""" "Watch this module" / "Stop watching" for the module selected in the model browser."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction

from sdstudio.engine.generation.controlnet.watch_names import is_controlnet_path
from sdstudio.engine.modules import NodeKind
from sdstudio.ui.model_browser import ModelBrowserDock
from sdstudio.ui.probes.watch_list import WatchList

WATCH_TEXT = "Watch this module"
STOP_TEXT = "Stop watching"


class WatchModuleAction(QAction):
    """Toggles the selected module in ``watch_list``; enabled for modules of the loaded
    model and of a ControlNet (a preset architecture has no weights to run, a tokenizer no
    activations). A ControlNet's modules are watched as ``controlnet.…``: in the run's first
    ControlNet unit, whichever model it names."""

    def __init__(self, browser: ModelBrowserDock, watch_list: WatchList, parent: QObject) -> None:
        super().__init__(WATCH_TEXT, parent)
        self.setObjectName("watchModuleAction")
        self._browser = browser
        self._watch_list = watch_list
        self.triggered.connect(self._toggle)
        browser.node_selected.connect(self._update)
        browser.tree_view().model().modelReset.connect(self._update)
        watch_list.changed.connect(self._update)
        self._update()

    def selected_path(self) -> str | None:
        """The selected module's path when it can be watched, else None."""
        if not (self._browser.showing_loaded_model() or self._browser.showing_controlnet()):
            return None
        node = self._browser.selected_node()
        if node is None or node.kind not in (NodeKind.COMPONENT, NodeKind.MODULE):
            return None
        return node.full_path if node.module is not None else None

    @Slot()
    def _update(self) -> None:
        path = self.selected_path()
        watched = path is not None and path in self._watch_list
        self.setEnabled(path is not None)
        self.setText(STOP_TEXT if watched else WATCH_TEXT)
        if path is None:
            tip = (
                "Select a module of the loaded model or of a ControlNet to watch what it "
                "computes at each step"
            )
        elif watched:
            tip = f"Stop showing {path} in the Activations panel"
        elif is_controlnet_path(path):
            tip = (
                f"Show what {path} computes at each step of the next run with a ControlNet "
                "unit, in its first unit (Activations panel)"
            )
        else:
            tip = f"Show what {path} computes at each step of the next run (Activations panel)"
        self.setToolTip(tip)

    @Slot()
    def _toggle(self) -> None:
        path = self.selected_path()
        if path is None:
            return
        if path in self._watch_list:
            self._watch_list.remove(path)
        else:
            self._watch_list.add(path)
