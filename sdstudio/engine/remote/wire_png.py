"""Pictures on the wire: PNG bytes as base64 text, read back with the checks a file gets."""

from __future__ import annotations

import base64
import binascii
import io
import warnings

from PIL import Image

from sdstudio.engine.generation.settings import MAX_SIDE
from sdstudio.engine.remote.wire_error import WireError

# Loopback and LAN links are faster than zlib's best effort; the pixels are the same.
WIRE_COMPRESS_LEVEL = 1


def png_text(image: Image.Image) -> str:
    """``image`` as a base64 PNG (a preview; a finished image travels as its saved file)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=WIRE_COMPRESS_LEVEL)
    return bytes_text(buffer.getvalue())


def bytes_text(data: bytes) -> str:
    """A PNG file made already, as base64 text."""
    return base64.b64encode(data).decode("ascii")


def png_bytes(text: object, what: str) -> bytes:
    """The bytes of a base64 PNG of at most :data:`MAX_SIDE` pixels a side (read from its
    header, before any pixel is decoded); :class:`WireError` naming ``what`` otherwise."""
    if not isinstance(text, str):
        raise WireError(f"{what} must be a base64 PNG, not {type(text).__name__}")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise WireError(f"{what} is not valid base64: {error}") from None
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise WireError(f"{what} is not a PNG")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                width, height = opened.size
    except Image.DecompressionBombError:
        raise WireError(f"{what} has too many pixels") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise WireError(f"{what} cannot be read: {error}") from None
    if max(width, height) > MAX_SIDE:
        raise WireError(f"{what} is {width}x{height}; at most {MAX_SIDE} pixels a side")
    return data


def picture_from_text(text: object, what: str) -> Image.Image:
    """The decoded picture of a base64 PNG; a damaged or oversized one is a :class:`WireError`."""
    return picture_from_bytes(png_bytes(text, what), what)


def picture_from_bytes(data: bytes, what: str) -> Image.Image:
    """The decoded picture of PNG bytes checked by :func:`png_bytes` (its text chunks in
    ``info``); a damaged one is a :class:`WireError`."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            return opened.copy()
    except (OSError, SyntaxError, ValueError) as error:
        raise WireError(f"{what} cannot be read: {error}") from None
