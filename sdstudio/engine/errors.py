"""Errors whose message is written for the person using the app, not for a developer."""


class UserFacingError(Exception):
    """Something the user can fix; front ends show ``str(error)`` without a traceback."""


class RequestError(UserFacingError, ValueError):
    """A generation request whose settings cannot work (size, strength, scheduler...)."""


class ModelLoadError(UserFacingError):
    """A model that could not be found or loaded."""


class InitImageError(UserFacingError):
    """An init image that is missing or cannot be decoded."""


class MaskError(UserFacingError):
    """An inpainting mask that is missing, unreadable, or would repaint nothing."""
