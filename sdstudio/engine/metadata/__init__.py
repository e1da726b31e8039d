"""Generation parameters in image files: writing, reading back, autosave and history.

What the rest of the app calls:

- after each finished image: ``save_generation(image, record_for(request, model, seed,
  model_hash_if_ready(model.source)), output_dir)`` returns the saved ``Path``
  (``save_png_to(image, record, path)`` when the user named the file);
- when a model is loaded: ``start_model_hash(model.source)``;
- to show or restore an image's settings: ``read_metadata(path)`` then
  ``restore_settings(metadata).settings`` (GenerationRequest keyword arguments);
- for the history: ``list_saved_images()`` (newest first).
"""

from sdstudio.engine.metadata.autosave import default_output_dir, save_generation, save_png_to
from sdstudio.engine.metadata.history import list_saved_images
from sdstudio.engine.metadata.infotext import Infotext, format_infotext, parse_infotext
from sdstudio.engine.metadata.model_hash import model_hash_if_ready, start_model_hash
from sdstudio.engine.metadata.png_chunks import (
    ImageMetadata,
    ImageReadError,
    MetadataSource,
    png_info,
    read_metadata,
)
from sdstudio.engine.metadata.record import GenerationRecord, RecordError, record_for
from sdstudio.engine.metadata.restore import RestoredSettings, restore_settings

__all__ = [
    "GenerationRecord",
    "ImageMetadata",
    "ImageReadError",
    "Infotext",
    "MetadataSource",
    "RecordError",
    "RestoredSettings",
    "default_output_dir",
    "format_infotext",
    "list_saved_images",
    "model_hash_if_ready",
    "parse_infotext",
    "png_info",
    "read_metadata",
    "record_for",
    "restore_settings",
    "save_generation",
    "save_png_to",
    "start_model_hash",
]
