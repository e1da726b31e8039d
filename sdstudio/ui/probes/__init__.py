"""Looking inside a run from the window: watched modules' activations, attention per token.

``inspection_docks.InspectionDocks`` adds the model browser, the Activations and the
Attention panels to the main window; ``RunInspector`` is their worker-side half (hooks exist
only during a run). The docks are not re-exported here: the worker imports this package's
messages, and the docks depend on the worker.
"""

from sdstudio.ui.probes.messages import (
    ActivationFrame,
    AttentionResult,
    InspectionOptions,
    RecordedActivations,
)
from sdstudio.ui.probes.run_inspector import RunInspector

__all__ = [
    "ActivationFrame",
    "AttentionResult",
    "InspectionOptions",
    "RecordedActivations",
    "RunInspector",
]
