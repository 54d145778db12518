"""A "please wait" layer over a window while it unlocks, backs up or rekeys.

The overlay covers its parent completely (and follows it when resized), dims what is below,
and shows a spinner, a message and, when the total is known, a progress bar. While it is shown
the widgets below are disabled, so neither the mouse nor the keyboard can reach them.
Window-wide shortcuts (menu actions) are not widgets below it: the window disables those itself.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPaintEvent, QPalette, QPen, QShowEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

SPINNER_STEP_MS = 50
SPINNER_STEP_DEGREES = 24


class Spinner(QWidget):
    """An indeterminate spinning arc; animates only while visible."""

    def __init__(self, parent: QWidget | None = None, diameter: int = 36) -> None:
        super().__init__(parent)
        self._angle = 0
        self._diameter = diameter
        self.setAccessibleName("Working")
        self.setFixedSize(diameter, diameter)
        self._timer = QTimer(self)
        self._timer.setInterval(SPINNER_STEP_MS)
        self._timer.timeout.connect(self._advance)

    def sizeHint(self) -> QSize:
        return QSize(self._diameter, self._diameter)

    def is_spinning(self) -> bool:
        return self._timer.isActive()

    def _advance(self) -> None:
        self._angle = (self._angle + SPINNER_STEP_DEGREES) % 360
        self.update()

    def showEvent(self, event: QShowEvent) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        pen_width = max(3.0, self._diameter / 10)
        rect = QRectF(self.rect()).adjusted(pen_width, pen_width, -pen_width, -pen_width)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        track = QPen(self.palette().color(QPalette.ColorRole.Mid), pen_width)
        painter.setPen(track)
        painter.drawEllipse(rect)
        arc = QPen(self.palette().color(QPalette.ColorRole.Highlight), pen_width)
        arc.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(arc)
        # Qt angles are in 1/16 degree, counter-clockwise; spin clockwise.
        painter.drawArc(rect, -self._angle * 16, 100 * 16)
        painter.end()


class BusyOverlay(QWidget):
    """Covers ``parent`` with a dimmed layer, a spinner and a message until hidden."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAccessibleName("Busy")
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._disabled_siblings: list[QWidget] = []

        self._card = QWidget(self)
        self._card.setObjectName("busyCard")  # background painted by the overlay, rounded
        self._card.setMinimumWidth(300)
        self._card.setMaximumWidth(460)
        self._spinner = Spinner(self._card)
        self._message = QLabel(self._card)
        self._message.setAccessibleName("Busy message")
        self._message.setTextFormat(Qt.TextFormat.PlainText)
        self._message.setWordWrap(True)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._progress = QProgressBar(self._card)
        self._progress.setAccessibleName("Progress")
        self._progress.setTextVisible(True)
        self._progress.hide()

        card_layout = QVBoxLayout(self._card)
        card_layout.setContentsMargins(28, 22, 28, 22)
        card_layout.setSpacing(12)
        card_layout.addWidget(self._spinner, 0, Qt.AlignmentFlag.AlignHCenter)
        card_layout.addWidget(self._message)
        card_layout.addWidget(self._progress)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(self._card, 0, Qt.AlignmentFlag.AlignCenter)
        outer.addStretch(1)

        parent.installEventFilter(self)
        self.hide()

    # -- API -------------------------------------------------------------------------------

    def show_busy(self, message: str, done: int | None = None, total: int | None = None) -> None:
        """Cover the parent and show ``message`` (and progress when ``total`` is given)."""
        self._message.setText(message)
        self.setAccessibleDescription(message)
        self._set_progress_bar(done, total)
        if not self.isVisible():
            self._disable_siblings()
            self._cover_parent()
            self.show()
            self.raise_()
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_progress(self, done: int, total: int, message: str = "") -> None:
        """Same signature as the tasks module's on_progress callback."""
        if message:
            self._message.setText(message)
            self.setAccessibleDescription(message)
        self._set_progress_bar(done, total)

    def hide_busy(self) -> None:
        self.hide()
        for widget in self._disabled_siblings:
            widget.setEnabled(True)
        self._disabled_siblings = []

    def is_busy(self) -> bool:
        return self.isVisible()

    def message(self) -> str:
        return self._message.text()

    def progress_value(self) -> tuple[int, int] | None:
        """(done, total) shown in the bar, or None while indeterminate."""
        if self._progress.isHidden():
            return None
        return self._progress.value(), self._progress.maximum()

    def spinner(self) -> Spinner:
        return self._spinner

    # -- internals -------------------------------------------------------------------------

    def _set_progress_bar(self, done: int | None, total: int | None) -> None:
        if total is None or total <= 0:
            self._progress.hide()
            return
        self._progress.setRange(0, total)
        self._progress.setValue(max(0, min(done or 0, total)))
        self._progress.show()

    def _disable_siblings(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        for child in parent.findChildren(
            QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
        ):
            if child is not self and child.isEnabled() and not child.isWindow():
                child.setEnabled(False)
                self._disabled_siblings.append(child)

    def _cover_parent(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._cover_parent()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        dim = QColor(self.palette().color(QPalette.ColorRole.Window))
        dim.setAlpha(215)
        painter.fillRect(self.rect(), dim)
        card = QRectF(self._card.geometry()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(self.palette().color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(card, 8, 8)
        painter.end()
