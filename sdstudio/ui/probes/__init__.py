"""Looking inside a run from the window: watched modules' activations, attention per token.

``InspectionDocks`` adds the model browser, the Activations and the Attention panels to the
main window; the hooks themselves are engine extensions that exist only during a run.
"""

from sdstudio.ui.probes.inspection_docks import InspectionDocks
from sdstudio.ui.probes.messages import ActivationFrame, AttentionResult, RecordedActivations

__all__ = ["ActivationFrame", "AttentionResult", "InspectionDocks", "RecordedActivations"]
