"""Thumbnails decoded on a small thread pool, scaled while reading (never on the GUI thread),
with the captions their files carry."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QImageReader

from sdstudio.ui.background import run_in_background
from sdstudio.ui.history.caption import Caption, read_caption

THUMBNAIL_SIDE = 128
THREADS = 2


def read_thumbnail(path: str, side: int = THUMBNAIL_SIDE) -> QImage:
    """``path`` scaled to fit ``side``×``side``; a null QImage if it cannot be read."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > side or size.height() > side):
        reader.setScaledSize(size.scaled(QSize(side, side), Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


def read_thumbnail_and_caption(path: str, side: int = THUMBNAIL_SIDE) -> tuple[QImage, Caption]:
    return read_thumbnail(path, side), read_caption(path)


class ThumbnailLoader(QObject):
    """Reads thumbnails and their captions in the background (on its own small pool, so a
    folder of them does not hold up other jobs), each path once until :meth:`forget`.

    Call :meth:`shutdown` before the loader goes away: it drops queued jobs and waits for the
    running ones (one small image each).

    Signals:
        captioned(str, object): a path's :class:`Caption` (sent just before ``loaded``).
        loaded(str, QImage): the thumbnail of a path (a null image if it could not be read).
    """

    captioned = Signal(str, object)
    loaded = Signal(str, QImage)

    def __init__(self, side: int = THUMBNAIL_SIDE, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._side = side
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(THREADS)
        self._requested: set[str] = set()
        self._closed = False

    def request(self, path: str) -> None:
        if self._closed or path in self._requested:
            return
        self._requested.add(path)
        side = self._side
        run_in_background(
            lambda: read_thumbnail_and_caption(path, side),
            lambda read: self._on_read(path, *read),
            lambda _error: self.loaded.emit(path, QImage()),
            parent=self,
            pool=self._pool,
        )

    def _on_read(self, path: str, image: QImage, caption: Caption) -> None:
        self.captioned.emit(path, caption)
        self.loaded.emit(path, image)

    def forget(self, path: str) -> None:
        """Let ``path`` be read again (after it changed or was removed)."""
        self._requested.discard(path)

    def shutdown(self) -> None:
        self._closed = True
        self._pool.clear()
        self._pool.waitForDone()
