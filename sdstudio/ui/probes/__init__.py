"""Looking inside a run from the window: watched modules' activations, attention per token.

``InspectionDocks`` adds the model browser, the Activations and the Attention panels to the
main window; ``RunInspector`` is their worker-side half (hooks exist only during a run).
"""

from sdstudio.ui.probes.inspection_docks import InspectionDocks
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
    "InspectionDocks",
    "InspectionOptions",
    "RecordedActivations",
    "RunInspector",
]
