"""A password strength estimate in plain words, and the meter that shows it while typing.

The estimator is deliberately simple and conservative: it counts characters and character kinds,
then discounts what attackers try first: the most common passwords, common words with letters
swapped for digits, keyboard walks ("qwerty", "1qaz"), sequences ("abcd", "4321"), repeats
("aaaa", "abcabc") and years (see domain.passwords, which also holds the policy the vault enforces).
The meter never keeps the password it was given.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from btam_desktop.domain.passwords import (
    MIN_LENGTH,
    STRENGTH_LABELS,
    estimate_password_strength,
)
from btam_desktop.ui.theme import current_colors, set_style_role

__all__ = ["MIN_LENGTH", "STRENGTH_LABELS", "PasswordStrengthMeter", "estimate_password_strength"]


class _StrengthBar(QWidget):
    """Four segments filled according to the score, coloured weak (red) to strong (green)."""

    SEGMENTS = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._score = 0
        self.setAccessibleName("Password strength bar")
        self.setMinimumHeight(6)
        self.setFixedHeight(6)

    def set_score(self, score: int) -> None:
        self._score = max(0, min(score, self.SEGMENTS))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(160, 6)

    def paintEvent(self, event: QPaintEvent) -> None:
        colors = current_colors()
        fill = QColor(colors.strength[max(self._score - 1, 0)])
        track = QColor(colors.track)
        gap = 4.0
        width = (self.width() - gap * (self.SEGMENTS - 1)) / self.SEGMENTS
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        for segment in range(self.SEGMENTS):
            painter.setBrush(fill if segment < self._score else track)
            rect = QRectF(segment * (width + gap), 0, width, self.height())
            painter.drawRoundedRect(rect, 3, 3)
        painter.end()


class PasswordStrengthMeter(QWidget):
    """Bar, verdict ("Fair") and a hint; follows a QLineEdit when attached to one."""

    strength_changed = Signal(int)

    def __init__(self, line_edit: QLineEdit | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Password strength")
        self._score = 0
        self._bar = _StrengthBar(self)
        self._verdict = QLabel(self)
        self._verdict.setAccessibleName("Password strength verdict")
        self._verdict.setTextFormat(Qt.TextFormat.PlainText)
        self._verdict.setMinimumWidth(self._verdict.fontMetrics().horizontalAdvance("Very strong"))
        self._verdict.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        font = self._verdict.font()
        font.setBold(True)
        self._verdict.setFont(font)
        self._hint = QLabel(self)
        self._hint.setAccessibleName("Password advice")
        self._hint.setTextFormat(Qt.TextFormat.PlainText)
        self._hint.setWordWrap(True)
        set_style_role(self._hint, "muted")

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(10)
        top.addWidget(self._bar, 1, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self._verdict)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self._hint)

        self.set_password("")
        if line_edit is not None:
            self.attach(line_edit)

    def attach(self, line_edit: QLineEdit) -> None:
        """Re-evaluate on every keystroke in ``line_edit``."""
        line_edit.textChanged.connect(self.set_password)
        self.set_password(line_edit.text())

    def set_password(self, text: str) -> None:
        score, hint = estimate_password_strength(text)
        verdict = STRENGTH_LABELS[score] if text else ""
        self._bar.set_score(score if text else 0)
        self._verdict.setText(verdict)
        self._verdict.setForegroundRole(QPalette.ColorRole.WindowText)
        self._hint.setText(hint)
        self.setAccessibleDescription(f"{verdict}. {hint}" if verdict else hint)
        if score != self._score:
            self._score = score
            self.strength_changed.emit(score)

    def score(self) -> int:
        return self._score

    def verdict_text(self) -> str:
        return self._verdict.text()

    def hint_text(self) -> str:
        return self._hint.text()
