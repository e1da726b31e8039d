"""The History dock: this session's results and the output folder's, as lazy thumbnails."""

from sdstudio.ui.history.model import HistoryEntry, HistoryModel, HistoryRole
from sdstudio.ui.history.panel import HistoryPanel
from sdstudio.ui.history.thumbnails import ThumbnailLoader, read_thumbnail

__all__ = [
    "HistoryEntry",
    "HistoryModel",
    "HistoryPanel",
    "HistoryRole",
    "ThumbnailLoader",
    "read_thumbnail",
]
