"""The one error of the wire format: what was sent or received cannot be used."""

from __future__ import annotations

from sdstudio.engine.errors import UserFacingError


class WireError(UserFacingError):
    """A job or an event that is not what the server API describes; the message says why."""
