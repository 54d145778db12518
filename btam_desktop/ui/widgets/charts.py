"""Small dashboard charts painted with QPainter (QtCharts is not part of PySide6-Essentials).

Each chart also states its numbers in words, as accessible description and tooltip, so a screen
reader user and a user who cannot tell the colours apart get the same information.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QFrame, QLabel, QToolTip, QVBoxLayout, QWidget

from btam_desktop.ui.theme import is_dark, set_style_role

MARGIN = 8
ROW_GAP = 8
LABEL_GAP = 10
VALUE_GAP = 6


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    color: str | None = None  # "#rrggbb"; None: the palette's highlight colour


BarInput = Bar | tuple[str, float] | tuple[str, float, str | None]


def format_value(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


class HorizontalBarChart(QWidget):
    """One labelled horizontal bar per category, longest bar = largest value."""

    bar_clicked = Signal(int)

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._bars: list[Bar] = []
        self.setAccessibleName(title or "Bar chart")
        self.setMouseTracking(False)
        self._update_text()

    # -- data ------------------------------------------------------------------------------

    def set_bars(self, bars: Iterable[BarInput]) -> None:
        """Replace the data: Bar objects or (label, value[, color]) tuples."""
        self._bars = [bar if isinstance(bar, Bar) else Bar(*bar) for bar in bars]
        self._update_text()
        self.updateGeometry()
        self.update()

    def bars(self) -> list[Bar]:
        return list(self._bars)

    def values(self) -> list[tuple[str, float]]:
        return [(bar.label, bar.value) for bar in self._bars]

    def title(self) -> str:
        return self._title

    def set_title(self, title: str) -> None:
        self._title = title
        self.setAccessibleName(title or "Bar chart")
        self._update_text()
        self.updateGeometry()
        self.update()

    def summary_text(self) -> str:
        """The data in words, e.g. "Low: 4; Moderate: 2; High: 1"."""
        if not self._bars:
            return "No data"
        return "; ".join(f"{bar.label}: {format_value(bar.value)}" for bar in self._bars)

    def _update_text(self) -> None:
        summary = self.summary_text()
        self.setAccessibleDescription(summary)
        self.setToolTip(f"{self._title}\n{summary}" if self._title else summary)

    # -- geometry --------------------------------------------------------------------------

    def _title_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 10

    def _top(self) -> int:
        if not self._title:
            return MARGIN
        return MARGIN + QFontMetrics(self._title_font()).height() + ROW_GAP

    def row_rect(self, index: int) -> QRectF:
        """The band of the chart occupied by row ``index``."""
        top = self._top() + index * (self._row_height() + ROW_GAP)
        return QRectF(MARGIN, top, self.width() - 2 * MARGIN, self._row_height())

    def bar_at(self, pos: QPoint) -> int | None:
        for index in range(len(self._bars)):
            if self.row_rect(index).contains(pos.toPointF()):
                return index
        return None

    def sizeHint(self) -> QSize:
        rows = max(len(self._bars), 1)
        height = self._top() + rows * self._row_height() + (rows - 1) * ROW_GAP + MARGIN
        return QSize(320, height)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self.sizeHint().height())

    # -- events ----------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.bar_at(event.pos())
            if index is not None:
                bar = self._bars[index]
                QToolTip.showText(
                    event.globalPos(), f"{bar.label}: {format_value(bar.value)}", self
                )
                return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(event.position().toPoint())
        if index is not None and event.button() == Qt.MouseButton.LeftButton:
            self.bar_clicked.emit(index)
        super().mousePressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.WindowText)
        metrics = self.fontMetrics()

        if self._title:
            painter.setFont(self._title_font())
            painter.setPen(text_color)
            title_rect = QRectF(MARGIN, MARGIN, self.width() - 2 * MARGIN, metrics.height() + 2)
            painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignLeft), self._title)
            painter.setFont(self.font())

        if not self._bars:
            painter.setPen(
                palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
            )
            painter.drawText(self.row_rect(0), int(Qt.AlignmentFlag.AlignCenter), "No data yet")
            painter.end()
            return

        available = self.width() - 2 * MARGIN
        # Fractional widths rounded up (plus a pixel), so the longest label is never elided.
        exact = QFontMetricsF(self.font())
        label_width = min(
            math.ceil(max(exact.horizontalAdvance(bar.label) for bar in self._bars)) + 1,
            int(available * 0.4),
        )
        value_width = max(metrics.horizontalAdvance(format_value(b.value)) for b in self._bars)
        bar_area = max(0, available - label_width - LABEL_GAP - VALUE_GAP - value_width)
        largest = max((bar.value for bar in self._bars), default=0) or 1
        default_color = palette.color(QPalette.ColorRole.Highlight)
        dark = is_dark()

        for index, bar in enumerate(self._bars):
            row = self.row_rect(index)
            label_rect = QRectF(row.left(), row.top(), label_width, row.height())
            painter.setPen(text_color)
            label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, label_width)
            painter.drawText(
                label_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label
            )
            length = bar_area * max(bar.value, 0) / largest
            bar_left = label_rect.right() + LABEL_GAP
            bar_rect = QRectF(bar_left, row.top() + 3, length, row.height() - 6)
            if length > 0:
                fill = QColor(bar.color) if bar.color else default_color
                # A faint outline keeps a dark bar visible on a dark window (and pale on light).
                outline = fill.lighter(160) if dark else fill.darker(125)
                painter.setPen(QPen(outline, 1))
                painter.setBrush(fill)
                painter.drawRoundedRect(bar_rect.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
            painter.setPen(text_color)
            value_rect = QRectF(
                bar_rect.right() + VALUE_GAP, row.top(), value_width + 2, row.height()
            )
            painter.drawText(
                value_rect,
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                format_value(bar.value),
            )
        painter.end()


class StatTile(QFrame):
    """A big number with a caption, e.g. "7 / Open cases"."""

    def __init__(self, caption: str, value: int | float | str = 0, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._value = QLabel(self)
        self._value.setTextFormat(Qt.TextFormat.PlainText)
        font = self._value.font()
        font.setPointSizeF(font.pointSizeF() * 1.9)
        font.setBold(True)
        self._value.setFont(font)
        self._caption = QLabel(caption, self)
        self._caption.setTextFormat(Qt.TextFormat.PlainText)
        self._caption.setWordWrap(True)
        set_style_role(self._caption, "muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(2)
        layout.addWidget(self._value)
        layout.addWidget(self._caption)
        self.set_value(value)

    def set_value(self, value: int | float | str) -> None:
        text = format_value(value) if isinstance(value, int | float) else str(value)
        self._value.setText(text)
        self.setAccessibleName(f"{self._caption.text()}: {text}")
        self.setToolTip(f"{self._caption.text()}: {text}")

    def value_text(self) -> str:
        return self._value.text()

    def caption(self) -> str:
        return self._caption.text()
