"""The Qt-free core: requests, the denoising loop, models, previews, metadata, introspection.

Nothing in this package may import PySide6; a test enforces it so the rule cannot rot.
"""
