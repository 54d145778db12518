"""Helpers shared by the case workspace, its tabs and the case dialogs.

- ``error_message``: what to tell a person about an exception (their own mistake, or a bug).
- the form dialog and form rows live in ``ui.widgets.form_dialog`` (``FormDialog``,
  ``add_field``, ``FieldError``, ``error_color``, ``show_problem``).
- record tables live in ``ui.widgets.record_table`` (rows are the records themselves).
- Date and time formatting (stored UTC, shown in local time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QSize,
    Qt,
    QTime,
)
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QWidget,
)

from btam_desktop.domain.formatting import format_date, format_datetime, format_stored_datetime
from btam_desktop.services.app import Btam
from btam_desktop.services.permissions import Permission
from btam_desktop.ui.messages import NOT_SAVED
from btam_desktop.ui.messages import error_message as shared_error_message
from btam_desktop.ui.theme import set_style_role

GENERIC_ERROR = NOT_SAVED


# ---- errors ------------------------------------------------------------------------------------


def error_message(error: BaseException) -> str:
    """The shared wording (``ui.messages``) for the case screens."""
    return shared_error_message(error, GENERIC_ERROR, during="a case screen")


def read_only_reason(app: Btam) -> str:
    return (
        f"Your role ({app.actor.role.value}) may view this case but not change it. "
        "Ask your team's coordinator if you need to."
    )


def can_work(app: Btam) -> bool:
    return app.can(Permission.WORK_CASES)


def allow(widget: QWidget, allowed: bool, why_not: str = "", tooltip: str = "") -> None:
    """Enable ``widget``, or disable it with a tooltip that says why."""
    widget.setEnabled(allowed)
    widget.setToolTip(tooltip if allowed else why_not)


# ---- dates -------------------------------------------------------------------------------------


def local(dt: datetime) -> datetime:
    """An aware time in the computer's time zone (stored times are UTC)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone()


def fmt_datetime(dt: datetime | None) -> str:
    """A stored moment in local time, in the team's date format: "5 Dec 2026, 14:05"."""
    return format_datetime(dt)


def fmt_iso(value: object) -> str:
    """A stored ISO time (e.g. a draft's) for display; "" if there is none or it is garbled."""
    return format_stored_datetime(value)


def fmt_date(d: date | datetime | None) -> str:
    """A day in the team's date format (the same as on paper)."""
    return format_date(d)


def to_qdatetime(dt: datetime) -> QDateTime:
    loc = local(dt)
    return QDateTime(
        QDate(loc.year, loc.month, loc.day),
        QTime(loc.hour, loc.minute, loc.second, loc.microsecond // 1000),
    )


def from_qdatetime(value: QDateTime) -> datetime:
    """A local QDateTime as an aware datetime (what the services expect)."""
    naive = datetime(
        value.date().year(),
        value.date().month(),
        value.date().day(),
        value.time().hour(),
        value.time().minute(),
        value.time().second(),
    )
    return naive.astimezone()


def fmt_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1_048_576:.1f} MB"


# ---- form rows with inline errors: the kit's (``ui.widgets.form_dialog``) ------------------


class TextBox(QPlainTextEdit):
    """A plain-text field about ``lines`` high; Tab moves on (it never types a tab)."""

    def __init__(self, lines: int = 4, placeholder: str = "", *, grow: bool = False) -> None:
        super().__init__()
        self.setTabChangesFocus(True)
        self.setPlaceholderText(placeholder)
        self._height = self.fontMetrics().lineSpacing() * lines + 16
        # Not squeezed below its lines when a scrolling form is short of room.
        self.setMinimumHeight(self._height)
        self.setSizePolicy(
            QSizePolicy.Policy.Expanding,
            QSizePolicy.Policy.Expanding if grow else QSizePolicy.Policy.Preferred,
        )

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height)

    def minimumSizeHint(self) -> QSize:
        # Qt's own minimum (about five lines) would win over a two-line sizeHint.
        return QSize(super().minimumSizeHint().width(), self._height)


def plain_text_edit(lines: int = 4, placeholder: str = "", *, grow: bool = False) -> TextBox:
    return TextBox(lines, placeholder, grow=grow)


# ---- labels ------------------------------------------------------------------------------------


def value_label(text: str = "", *, name: str = "", wrap: bool = True) -> QLabel:
    """A read-only value: plain text (never HTML), selectable, wrapping."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    if name:
        label.setAccessibleName(name)
    return label


def muted_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    set_style_role(label, "muted")
    return label


def heading_label(text: str, role: str = "subheading") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    set_style_role(label, role)
    return label


def palette_color(widget: QWidget, role: QPalette.ColorRole) -> QColor:
    return widget.palette().color(role)
