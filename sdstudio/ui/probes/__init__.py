"""Looking inside a run from the window: watched modules' activations, attention per token.

``sdstudio.ui.probe_docks.InspectionDocks`` adds the model browser, the Activations and the
Attention panels to the main window; the hooks themselves are engine extensions that exist
only during a run. The docks are not re-exported here: the worker imports this package's
messages, and the docks depend on the worker.
"""

from sdstudio.ui.probes.messages import ActivationFrame, AttentionResult, RecordedActivations

__all__ = ["ActivationFrame", "AttentionResult", "RecordedActivations"]
