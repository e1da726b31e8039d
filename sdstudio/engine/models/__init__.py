"""Finding, checking and loading models: families, sources, single files, hub ids."""
