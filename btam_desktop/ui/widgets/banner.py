"""An inline message bar: information, a warning, or an urgent instruction.

The danger kind carries instructions such as "If anyone is in immediate danger, call emergency
services now." It is loud on purpose (white on red, bold) and cannot be dismissed unless the
caller allows it. Text is shown as plain text, never interpreted as HTML.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from btam_desktop.ui.icons import icon
from btam_desktop.ui.theme import current_colors, is_dark

ICON_SIZE = 20


class BannerKind(StrEnum):
    INFO = "info"
    WARNING = "warning"
    DANGER = "danger"

    @property
    def heading(self) -> str:
        return {"info": "Information", "warning": "Warning", "danger": "Urgent"}[self.value]

    @property
    def icon_name(self) -> str:
        return {"info": "info", "warning": "warning", "danger": "emergency"}[self.value]


class Banner(QFrame):
    """Icon, message, an optional action button and an optional dismiss button."""

    closed = Signal()
    action_triggered = Signal()

    def __init__(
        self,
        kind: BannerKind | str = BannerKind.INFO,
        text: str = "",
        parent: QWidget | None = None,
        *,
        closable: bool = False,
        action_text: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._kind = BannerKind(kind)
        self._dark = is_dark()
        self._icon = QLabel(self)
        self._icon.setFixedSize(ICON_SIZE, ICON_SIZE)
        self._icon.setAccessibleName("")  # decorative: the banner's name says the kind
        self._text = QLabel(self)
        self._text.setTextFormat(Qt.TextFormat.PlainText)
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._action = QPushButton(self)
        self._action.setAccessibleName("Banner action")  # replaced by the action's text
        self._action.clicked.connect(self.action_triggered)
        self._action.setVisible(bool(action_text))
        if action_text:
            self.set_action_text(action_text)
        self._close = QToolButton(self)
        self._close.setAutoRaise(True)
        self._close.setAccessibleName("Dismiss message")
        self._close.setToolTip("Dismiss")
        self._close.clicked.connect(self.dismiss)
        self._close.setVisible(closable)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.setSpacing(10)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self._text, 1)
        layout.addWidget(self._action, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self._close, 0, Qt.AlignmentFlag.AlignTop)

        self.set_text(text)
        self._apply_kind()

    # -- API -------------------------------------------------------------------------------

    def kind(self) -> BannerKind:
        return self._kind

    def set_kind(self, kind: BannerKind | str) -> None:
        self._kind = BannerKind(kind)
        self._apply_kind()

    def text(self) -> str:
        return self._text.text()

    def set_text(self, text: str) -> None:
        self._text.setText(text)
        self._text.setAccessibleName(text)
        self.setAccessibleDescription(text)

    def set_action_text(self, text: str) -> None:
        self._action.setText(text)
        self._action.setAccessibleName(text)
        self._action.setVisible(bool(text))

    def action_button(self) -> QPushButton:
        return self._action

    def close_button(self) -> QToolButton:
        return self._close

    def dismiss(self) -> None:
        self.hide()
        self.closed.emit()

    # -- look ------------------------------------------------------------------------------

    def _colors(self) -> tuple[QColor, QColor, QColor]:
        colors = current_colors()
        background, foreground, border = {
            BannerKind.INFO: (colors.info_bg, colors.info_fg, colors.info_border),
            BannerKind.WARNING: (colors.warning_bg, colors.warning_fg, colors.warning_border),
            BannerKind.DANGER: (colors.danger_bg, colors.danger_fg, colors.danger_border),
        }[self._kind]
        return QColor(background), QColor(foreground), QColor(border)

    def _apply_kind(self) -> None:
        _background, foreground, _border = self._colors()
        self.setAccessibleName(self._kind.heading)
        # A style sheet, not setPalette(): with the application style sheet in place, Qt's
        # style-sheet style restores saved palettes on every re-polish (theme switch).
        sheet = f"QLabel {{ color: {foreground.name()}; background: transparent; }}"
        if self.styleSheet() != sheet:
            self.setStyleSheet(sheet)
        font = self._text.font()
        font.setBold(self._kind == BannerKind.DANGER)
        self._text.setFont(font)
        self._icon.setPixmap(
            icon(self._kind.icon_name, foreground).pixmap(
                QSize(ICON_SIZE, ICON_SIZE), self.devicePixelRatioF()
            )
        )
        self._close.setIcon(icon("close", foreground))
        self.update()

    def changeEvent(self, event: QEvent) -> None:
        # The theme switched between light and dark: pick the matching colours.
        if event.type() == QEvent.Type.PaletteChange and self._dark != is_dark():
            self._dark = is_dark()
            self._apply_kind()
        super().changeEvent(event)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), 320), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        background, _foreground, border = self._colors()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(border, 1))
        painter.setBrush(background)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        painter.end()
