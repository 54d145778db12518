"""Level-of-concern chips: a rounded patch of the level's colour with its label on it.

The colour comes from the scale definition (forms/), so any hex colour must work: the label is
drawn in black or white, whichever contrasts better, and the chip gets a slightly darker
outline so a pale colour still stands out from a white table.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from btam_desktop.ui.theme import is_dark, level_text_color

LEVEL_COLOR_ROLE = Qt.ItemDataRole.UserRole + 1
"""Item data role holding the level's colour as "#rrggbb"; Qt.DisplayRole holds its label."""

CHIP_H_PADDING = 8
CHIP_V_PADDING = 2
CHIP_MARGIN = 4


def chip_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setBold(True)
    return font


def level_chip_size(font: QFont, label: str) -> QSize:
    """Size of the chip for ``label`` when the surrounding text uses ``font``."""
    metrics = QFontMetricsF(chip_font(font))
    # Round up and allow a pixel: a rounded-down advance makes elidedText() cut the label.
    return QSize(
        math.ceil(metrics.horizontalAdvance(label)) + 1 + 2 * CHIP_H_PADDING,
        math.ceil(metrics.height()) + 2 * CHIP_V_PADDING,
    )


def paint_level_chip(painter: QPainter, rect: QRect | QRectF, label: str, color_hex: str) -> QRectF:
    """Paint a chip at the left of rect, vertically centred; returns the chip's rectangle.

    The painter's current font is made bold for the label; painter state is restored.
    """
    area = QRectF(rect)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    wanted = level_chip_size(painter.font(), label)
    font = chip_font(painter.font())
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    width = min(float(wanted.width()), area.width())
    height = min(float(wanted.height()), area.height())
    chip = QRectF(area.left(), area.top() + (area.height() - height) / 2, width, height)

    fill = QColor(color_hex)
    if not fill.isValid():
        fill = QColor("#808080")
    # An outline a shade away from the background, so pale (light theme) or dark (dark theme)
    # level colours still show where the chip ends.
    painter.setPen(QPen(fill.lighter(150) if is_dark() else fill.darker(130), 1))
    painter.setBrush(fill)
    radius = height / 2
    painter.drawRoundedRect(chip.adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)

    painter.setPen(QColor(level_text_color(fill.name())))
    text_rect = chip.adjusted(CHIP_H_PADDING, 0, -CHIP_H_PADDING, 0)
    text = label
    if metrics.horizontalAdvance(label) > text_rect.width() + 0.5:
        text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, text_rect.width())
    painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignCenter), text)
    painter.restore()
    return chip


class LevelBadge(QWidget):
    """A stand-alone chip, e.g. in a case header: "Level of concern: High"."""

    def __init__(
        self, label: str = "", color_hex: str = "#808080", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._label = ""
        self._color = "#808080"
        self.setAccessibleName("Level of concern")
        self.set_level(label, color_hex)

    def set_level(self, label: str, color_hex: str) -> None:
        self._label = label
        self._color = color_hex
        self.setAccessibleDescription(label or "Not set")
        self.setToolTip(f"Level of concern: {label}" if label else "Level of concern not set")
        self.updateGeometry()
        self.update()

    def label(self) -> str:
        return self._label

    def color(self) -> str:
        return self._color

    def sizeHint(self) -> QSize:
        return level_chip_size(self.font(), self._label or "Not set") + QSize(2, 2)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self._label:
            paint_level_chip(painter, QRectF(self.rect()), self._label, self._color)
        else:
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignVCenter), "Not set")
        painter.end()


class LevelDelegate(QStyledItemDelegate):
    """Draws the level label as a chip when the item has a LEVEL_COLOR_ROLE colour."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        color = index.data(LEVEL_COLOR_ROLE)
        label = index.data(Qt.ItemDataRole.DisplayRole)
        if not color or not label:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # the style paints background, selection and focus; the chip the label
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        area = QRectF(opt.rect).adjusted(
            CHIP_MARGIN, CHIP_MARGIN / 2, -CHIP_MARGIN, -CHIP_MARGIN / 2
        )
        painter.save()
        painter.setFont(opt.font)
        paint_level_chip(painter, area, str(label), str(color))
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        base = super().sizeHint(option, index)
        label = index.data(Qt.ItemDataRole.DisplayRole)
        if not index.data(LEVEL_COLOR_ROLE) or not label:
            return base
        chip = level_chip_size(option.font, str(label))
        return QSize(
            max(base.width(), chip.width() + 2 * CHIP_MARGIN),
            max(base.height(), chip.height() + CHIP_MARGIN),
        )
