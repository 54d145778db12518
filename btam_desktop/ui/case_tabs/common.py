"""Helpers shared by the case workspace, its tabs and the case dialogs.

- ``error_message``: what to tell a person about an exception (their own mistake, or a bug).
- ``FieldError`` and ``add_field``: a form row with an inline error line under the field.
- ``FormDialog``: a dialog with a form, an error bar and Save / Cancel that saves off the GUI
  thread and shows what went wrong without losing anything typed.
- record tables live in ``ui.widgets.record_table`` (rows are the records themselves).
- Date and time formatting (stored UTC, shown in local time).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QSize,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.errors import error_field
from btam_desktop.domain.formatting import format_date, format_datetime, format_stored_datetime
from btam_desktop.services.app import Btam
from btam_desktop.services.permissions import Permission
from btam_desktop.ui.messages import NOT_SAVED
from btam_desktop.ui.messages import error_message as shared_error_message
from btam_desktop.ui.operations import run_operation
from btam_desktop.ui.theme import current_colors, set_style_role
from btam_desktop.ui.widgets.banner import Banner, BannerKind

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


# ---- form rows with inline errors ----------------------------------------------------------------


ERROR_ON_DARK = "#ff8a80"  # 6.5:1 on the dark window colour; the danger red is too dark there


def error_color() -> str:
    colors = current_colors()
    return ERROR_ON_DARK if colors.dark else colors.danger_bg


class FieldError(QLabel):
    """A line under a field saying what is wrong with it; hidden while nothing is."""

    def __init__(self, field: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._field = field
        self.caption: QLabel | None = None
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setAccessibleName("Problem with this field")
        self.hide()

    def field(self) -> QWidget:
        return self._field

    def show_message(self, text: str) -> None:
        self.setStyleSheet(f"QLabel {{ color: {error_color()}; font-weight: 600; }}")
        self.setText(text)
        self.setAccessibleDescription(text)
        self._field.setAccessibleDescription(text)
        kind = _outlined_kind(self._field)
        if kind:
            self._field.setStyleSheet(f"{kind} {{ border: 2px solid {error_color()}; }}")
        self.show()

    def clear_message(self) -> None:
        if self.isHidden():
            return
        self.setText("")
        self._field.setAccessibleDescription("")
        self._field.setStyleSheet("")
        self.hide()

    def message(self) -> str:
        return self.text() if not self.isHidden() else ""


def _outlined_kind(widget: QWidget) -> str:
    if isinstance(widget, QPlainTextEdit):
        return "QPlainTextEdit"
    if isinstance(widget, QLineEdit):
        return "QLineEdit"
    return ""


def show_problem(label: QLabel, text: str) -> None:
    """Show ``text`` in ``label`` as a problem (error colour); an empty text hides it."""
    label.setStyleSheet(f"QLabel {{ color: {error_color()}; font-weight: 600; }}")
    label.setText(text)
    label.setAccessibleDescription(text)
    label.setVisible(bool(text))


def clean_label(text: str) -> str:
    return text.replace("&", "").rstrip(":").strip()


def add_field(
    form: QFormLayout,
    label: str,
    widget: QWidget,
    *,
    hint: str = "",
    accessible_name: str = "",
    target: QWidget | None = None,
) -> FieldError:
    """Add ``label: widget`` to ``form`` with an optional hint and an error line under it.

    ``target`` is the input the label, the accessible name and the error refer to when
    ``widget`` is a container holding it (default: ``widget`` itself).
    """
    field = target or widget
    caption = QLabel(label)
    caption.setBuddy(field)
    field.setAccessibleName(accessible_name or clean_label(label))
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(3)
    column.addWidget(widget)
    if hint:
        hint_label = QLabel(hint)
        hint_label.setWordWrap(True)
        hint_label.setTextFormat(Qt.TextFormat.PlainText)
        set_style_role(hint_label, "muted")
        column.addWidget(hint_label)
    error = FieldError(field, holder)
    error.caption = caption
    column.addWidget(error)
    form.addRow(caption, holder)
    return error


def new_form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setVerticalSpacing(8)
    form.setHorizontalSpacing(12)
    return form


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


# ---- dialogs -----------------------------------------------------------------------------------


class FormDialog(QDialog):
    """Form + error bar + Save/Cancel. Subclasses build the form and implement ``build_work``.

    ``build_work`` checks the fields (showing errors at them) and returns the function that
    saves, or None when something must be fixed first. The work runs off the GUI thread; a
    problem comes back as a message in the error bar (or at a field, see ``place_error``).
    """

    saved = Signal(object)

    def __init__(
        self,
        title: str,
        intro: str = "",
        save_text: str = "&Save",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.result_value: Any = None
        self._busy = False
        self._field_errors: list[FieldError] = []
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(18, 16, 18, 14)
        self._outer.setSpacing(10)
        if intro:
            intro_label = QLabel(intro)
            intro_label.setWordWrap(True)
            intro_label.setTextFormat(Qt.TextFormat.PlainText)
            intro_label.setAccessibleName("Explanation")
            self._outer.addWidget(intro_label)
            self.intro_label = intro_label
        self.error_banner = Banner(BannerKind.WARNING, "", self)
        self.error_banner.hide()
        self._outer.addWidget(self.error_banner)
        self.form = new_form()
        self._outer.addLayout(self.form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        save = self.save_button()
        save.setText(save_text)
        save.setAccessibleName(clean_label(save_text))
        save.setDefault(True)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self, *, stretch: bool = True) -> None:
        """Call at the end of a subclass's __init__: the buttons go below everything.

        ``stretch=False`` lets a growing field (a note's text) take the room instead.
        """
        if stretch:
            self._outer.addStretch(1)
        self._outer.addWidget(self.buttons)

    def save_button(self) -> QPushButton:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert button is not None
        return button

    def field(
        self,
        label: str,
        widget: QWidget,
        *,
        hint: str = "",
        name: str = "",
        target: QWidget | None = None,
    ) -> FieldError:
        error = add_field(self.form, label, widget, hint=hint, accessible_name=name, target=target)
        self._field_errors.append(error)
        return error

    # -- errors --------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        self.error_banner.hide()
        for error in self._field_errors:
            error.clear_message()

    def show_error(self, text: str) -> None:
        self.error_banner.set_text(text)
        self.error_banner.show()

    def field_problem(self, error: FieldError, text: str) -> None:
        error.show_message(text)

    def first_problem(self) -> FieldError | None:
        return next((e for e in self._field_errors if e.message()), None)

    def place_error(self, field: str, text: str) -> bool:
        """Put a service's message at the input ``field`` names (the error's ``field``: an
        attribute of the service's input); False to show it in the bar."""
        return False

    # -- saving --------------------------------------------------------------------------------

    def build_work(self) -> Callable[[], Any] | None:
        raise NotImplementedError

    def is_busy(self) -> bool:
        return self._busy

    def submit(self) -> None:
        if self._busy:
            return
        self.clear_errors()
        work = self.build_work()
        if work is None:
            problem = self.first_problem()
            if problem is not None:
                problem.field().setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._set_busy(True)
        # The tab that opened the dialog announces the change when the case is read again.
        run_operation(
            self,
            work,
            what=self.windowTitle().lower() or "save",
            on_done=self._done,
            on_error=self._failed,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.buttons.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def _done(self, value: Any) -> None:
        self._set_busy(False)
        self.result_value = value
        self.saved.emit(value)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        text = error_message(error)
        field = error_field(error)
        if not (field and self.place_error(field, text)):
            self.show_error(text)
        problem = self.first_problem()
        if problem is not None:
            problem.field().setFocus(Qt.FocusReason.OtherFocusReason)

    def reject(self) -> None:
        if self._busy:
            return  # a save is under way; its result decides
        super().reject()


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
