"""The Qt-free core: settings and the loop (generation), jobs, models, previews, metadata.

``modules`` is the static module tree of a model (what the browser shows); ``probes`` are the
live hooks during a run (watched activations, attention maps);
``models/checkpoint_header.py`` reads a checkpoint file's tensor names without loading it.

Nothing in this package may import PySide6; a test enforces it so the rule cannot rot.
"""
