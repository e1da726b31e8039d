"""The model browser: a dock with the module tree, its filter and a details pane.

Add ``ModelBrowserDock`` to a main window and call ``set_pipeline(pipeline)`` after a model
loads; ``show_architecture("sdxl")`` shows a preset without weights.
"""

from sdstudio.ui.model_browser.dock import ModelBrowserDock
from sdstudio.ui.model_browser.filter_proxy import ModuleFilterProxy
from sdstudio.ui.model_browser.tree_model import (
    Column,
    ModuleTreeModel,
    NodeRole,
    ParamCountRole,
    PathRole,
    SearchTextRole,
)

__all__ = [
    "Column",
    "ModelBrowserDock",
    "ModuleFilterProxy",
    "ModuleTreeModel",
    "NodeRole",
    "ParamCountRole",
    "PathRole",
    "SearchTextRole",
]
