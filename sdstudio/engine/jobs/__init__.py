"""One job runner for every front end: a job in, events tagged with its id out, images saved.

The CLI's ``generate`` and ``attention`` and the window's worker all run jobs here, so
previews, probes and saving are set up in one place.
"""
