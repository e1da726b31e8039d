"""Reading a JSON object that someone else wrote: a model's configs, an index, a cache; and
writing a cache so that a reader never sees half of it.

``json.loads`` turns a file nested 200,000 deep into a ``RecursionError`` and a list where an
object belongs into an ``AttributeError`` far from the file. Here each of those is one
``JsonFileError`` that names the file, so a model folder is refused with a message and a cache
is ignored and rebuilt.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sdstudio.engine.errors import ModelLoadError

MAX_JSON_BYTES = 64 * 1024 * 1024  # a large tokenizer.json is a few MB; configs are KB
MAX_DEPTH = 64  # configs nest a few levels; deeper ones only exhaust the stack later on


class JsonFileError(ValueError):
    """A JSON file that is missing, too large, not JSON, nested too deeply or not an object."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path} {problem}")
        self.path = path
        self.problem = problem


def read_json_object(path: Path, max_bytes: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """The object the file holds, or a ``JsonFileError`` saying what is wrong with it."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(max_bytes + 1)
    except OSError as error:
        raise JsonFileError(path, f"could not be read ({error.strerror or error}).") from None
    if len(raw) > max_bytes:
        raise JsonFileError(path, f"is too large (over {max_bytes} bytes) to be a config.")
    try:
        value = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise JsonFileError(path, "is damaged (nested too deeply).") from None
    except ValueError:  # also UnicodeDecodeError
        raise JsonFileError(path, "is damaged (not valid JSON).") from None
    if not isinstance(value, dict):
        raise JsonFileError(
            path, f"is damaged (it holds a JSON {_kind(value)} where an object belongs)."
        )
    if not _nests_at_most(value, MAX_DEPTH):
        raise JsonFileError(path, "is damaged (nested too deeply).")
    return value


def write_json_object(path: Path, data: dict[str, Any], temp_prefix: str) -> None:
    """Replace ``path`` with ``data`` at once: written in full to a hidden ``temp_prefix``
    file beside it, then renamed over it. On failure (OSError, or data JSON cannot hold) the
    error is raised and no temporary file is left behind."""
    handle, temp = tempfile.mkstemp(prefix=temp_prefix, suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=1)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return type(value).__name__


def _nests_at_most(value: object, limit: int) -> bool:
    """Whether no list or object lies deeper than ``limit`` (walked without recursion)."""
    pending: list[tuple[dict | list, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return False
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


def read_model_json(path: Path) -> dict[str, Any]:
    """A model file's JSON object, or a ``ModelLoadError`` naming the file."""
    try:
        return read_json_object(path)
    except JsonFileError as error:
        raise ModelLoadError(str(error)) from None
