"""Upscalers as combo box items: the name as the item's data, the scale and architecture in its
text, and a file that cannot be used listed but disabled, with the reason as its tooltip."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox

from sdstudio.engine.upscalers import UpscalerInfo

PILLOW_TIPS = {
    "Lanczos": "Pillow's Lanczos resize: sharp, no model needed, any factor at once",
    "Nearest": "Nearest neighbour: keeps hard pixel edges (pixel art), no model needed",
}
UNLISTED_TIP = (
    "Not among the upscalers found (Model ▸ Upscalers… lists them); a run names it as it is"
)


def upscaler_text(info: UpscalerInfo) -> str:
    """``name (4×, ESRGAN)`` for a model, the bare name for Pillow's, ``name (cannot be
    used)`` for a file that is refused."""
    if not info.usable:
        return f"{info.name} (cannot be used)"
    if info.scale is None:
        return info.name
    return f"{info.name} ({info.scale}×, {info.architecture})"


def upscaler_tip(info: UpscalerInfo) -> str:
    if not info.usable:
        return f"{info.path.name if info.path else info.name} cannot be used: {info.problem}"
    if info.scale is None:
        return PILLOW_TIPS.get(info.name, info.name)
    where = f" ({info.path})" if info.path else ""
    return f"A {info.architecture} model that upscales {info.scale}× in one pass{where}"


def add_upscaler(combo: QComboBox, info: UpscalerInfo) -> None:
    """Append ``info`` to ``combo`` (whose model must be Qt's default, a standard item model)."""
    combo.addItem(upscaler_text(info), info.name)
    index = combo.count() - 1
    combo.setItemData(index, upscaler_tip(info), Qt.ItemDataRole.ToolTipRole)
    if not info.usable:
        _item_model(combo).item(index).setEnabled(False)


def add_unlisted(combo: QComboBox, name: str) -> int:
    """An item for a name no listing offered (restored from an image or settings.ini)."""
    combo.addItem(name, name)
    index = combo.count() - 1
    combo.setItemData(index, UNLISTED_TIP, Qt.ItemDataRole.ToolTipRole)
    return index


def fill_upscalers(
    combo: QComboBox, fixed: Sequence[tuple[str, str]], infos: Sequence[UpscalerInfo]
) -> None:
    """Put ``fixed`` (name, tooltip) items then ``infos`` in ``combo``, keeping the chosen
    name chosen (as an unlisted item if the listing lost it), without signalling a change of
    choice in between."""
    chosen = combo.currentData()
    blocked = combo.blockSignals(True)
    try:
        combo.clear()
        for name, tip in fixed:
            combo.addItem(name, name)
            combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        for info in infos:
            add_upscaler(combo, info)
        if isinstance(chosen, str) and chosen:
            index = combo.findData(chosen)
            combo.setCurrentIndex(index if index >= 0 else add_unlisted(combo, chosen))
    finally:
        combo.blockSignals(blocked)


def is_usable(combo: QComboBox, index: int) -> bool:
    item = _item_model(combo).item(index)
    return item is not None and item.isEnabled()


def _item_model(combo: QComboBox) -> QStandardItemModel:
    model = combo.model()
    assert isinstance(model, QStandardItemModel)
    return model
