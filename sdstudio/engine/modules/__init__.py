"""Looking inside a pipeline: module tree, parameter counts, shapes, presets, explanations.

Qt-free; the model browser (``sdstudio.ui.model_browser``) and ``sdstudio modules`` use it.
"""

from sdstudio.engine.modules.architectures import (
    ARCHITECTURES,
    Architecture,
    architecture_choices,
    load_architecture,
)
from sdstudio.engine.modules.attention_io import Projection, attention_projections
from sdstudio.engine.modules.example_inputs import ShapeSpec
from sdstudio.engine.modules.explanations import Explanation, explanation_for
from sdstudio.engine.modules.node_details import NodeDetails, describe_node
from sdstudio.engine.modules.nodes import InfoComponent, NodeKind, TensorInfo, TreeNode
from sdstudio.engine.modules.pipeline_tree import (
    build_pipeline_tree,
    build_tree,
    component_nodes,
    module_tree,
    pipeline_components,
)
from sdstudio.engine.modules.shape_capture import (
    apply_shapes,
    capture_module_shapes,
    capture_shapes,
    capture_tree_shapes,
    meta_copy,
)
from sdstudio.engine.modules.shape_records import ShapeRecord, format_shape
from sdstudio.engine.modules.text_export import export_text

__all__ = [
    "ARCHITECTURES",
    "Architecture",
    "Explanation",
    "InfoComponent",
    "NodeDetails",
    "NodeKind",
    "Projection",
    "ShapeRecord",
    "ShapeSpec",
    "TensorInfo",
    "TreeNode",
    "apply_shapes",
    "architecture_choices",
    "attention_projections",
    "build_pipeline_tree",
    "build_tree",
    "capture_module_shapes",
    "capture_shapes",
    "capture_tree_shapes",
    "component_nodes",
    "describe_node",
    "explanation_for",
    "export_text",
    "format_shape",
    "load_architecture",
    "meta_copy",
    "module_tree",
    "pipeline_components",
]
