"""A unit's control map made off the GUI thread, the newest request winning, and kept.

Preprocessing a large picture takes a while (Canny on a 4096-pixel photo), so it runs in the
background whenever the picture, the preprocessor or a slider changes, together with the
smaller copies the panel and the canvas show. Answers to requests that were overtaken are
dropped. The map of the current inputs is kept, so Generate uses it instead of preprocessing
again on the GUI thread. A depth or pose model is loaded here too, the first time (kept after).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from sdstudio.engine.errors import UserFacingError
from sdstudio.ui.background import run_in_background
from sdstudio.ui.image_convert import pil_to_qimage

if TYPE_CHECKING:
    from PIL import Image

    from sdstudio.engine.controlnet_preprocessors import AnnotatorWeights
    from sdstudio.engine.generation.controlnet.prepared_unit import UnitChoice

PREVIEW_SIDE = 256  # the panel's preview fits this square (never enlarged)
OVERLAY_SIDE = 1024  # the canvas layer, half transparent, needs no more


@dataclass(frozen=True)
class MadeMap:
    """A control map (what the run reads) and its copies for the panel and the canvas."""

    control_map: Image.Image
    preview: QImage
    overlay: QImage


def made_map(
    choice: UnitChoice, picture: Image.Image, annotators: AnnotatorWeights | None = None
) -> MadeMap:
    """``picture``'s map by ``choice`` (a depth or pose model read from the folders
    ``annotators`` names) and its shown copies (slow: off the GUI thread)."""
    control_map = choice.control_map(picture, annotators)
    return MadeMap(
        control_map, _shrunk(control_map, PREVIEW_SIDE), _shrunk(control_map, OVERLAY_SIDE)
    )


def _shrunk(image: Image.Image, side: int) -> QImage:
    copy = image.copy()
    copy.thumbnail((side, side))  # only ever smaller
    return pil_to_qimage(copy)


class ControlMapMaker(QObject):
    """Holds the map for one set of inputs, named by a ``key`` the owner makes (the picture's
    version and the preprocessor's settings).

    Signals:
        ready(): the map of the current inputs is made (:meth:`current`).
        failed(str): it could not be made (a message for the panel).
        cleared(): there are no inputs (no picture).
    """

    ready = Signal()
    failed = Signal(str)
    cleared = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._key: Hashable | None = None
        self._made: MadeMap | None = None
        self._number = 0  # of the newest request; older answers are dropped

    def make(
        self,
        key: Hashable,
        picture: Image.Image,
        choice: UnitChoice,
        annotators: AnnotatorWeights | None = None,
    ) -> None:
        """Make the map of ``picture`` by ``choice``'s preprocessor (its model, if any, from
        ``annotators``' folders), unless the one of these inputs is made or being made
        already; ``key`` must name the folder too."""
        if key == self._key:
            return
        self._key, self._made = key, None
        self._number += 1
        number = self._number
        run_in_background(
            lambda: made_map(choice, picture, annotators),
            lambda made: self._on_made(number, made),
            lambda error: self._on_failed(number, error),
            parent=self,
        )

    def clear(self) -> None:
        """No picture: forget the map and drop answers still on their way."""
        self._key, self._made = None, None
        self._number += 1
        self.cleared.emit()

    def current(self, key: Hashable) -> MadeMap | None:
        """The map made from the inputs ``key`` names; None if they changed or it is not
        made yet."""
        return self._made if key == self._key else None

    def _on_made(self, number: int, made: MadeMap) -> None:
        if number == self._number:
            self._made = made
            self.ready.emit()

    def _on_failed(self, number: int, error: Exception) -> None:
        if number != self._number:
            return
        self._key = None  # the same inputs asked again are tried again
        if isinstance(error, UserFacingError):
            self.failed.emit(str(error))
        else:
            self.failed.emit(f"The preview could not be made: {type(error).__name__}: {error}")
