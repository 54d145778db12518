"""The house's form dialog and form rows (issue 13): one way to build a form, check it, save it
off the GUI thread and show what went wrong at the field it concerns.

- ``add_field`` / ``FieldError``: a form row whose error line sits under the field.
- ``FormDialog``: form + error bar + Save / Cancel. A subclass builds its rows with ``field``
  and returns the saving function from ``build_work`` (or None after ``field_problem`` marked
  what to fix). A ``ValidationError`` from the service carries ``.field``; ``place_error``
  maps that name to the row, so the message lands under the input, never in a guess made
  from the message's words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.errors import error_field
from btam_desktop.ui.messages import NOT_SAVED, error_message
from btam_desktop.ui.operations import run_operation
from btam_desktop.ui.theme import current_colors, set_style_role
from btam_desktop.ui.vault_events import VaultChange
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.overlay import BusyOverlay

# ---- form rows with inline errors ------------------------------------------------------------


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


# ---- dialogs -----------------------------------------------------------------------------------


class FormDialog(QDialog):
    """Form + error bar + Save/Cancel. Subclasses build the form and implement ``build_work``.

    ``build_work`` checks the fields (showing errors at them) and returns the function that
    saves, or None when something must be fixed first. The work runs off the GUI thread; a
    problem comes back as a message in the error bar (or at a field, see ``place_error``).

    For slow work (a key derived, a vault re-encrypted) ``build_work`` sets ``busy_message``:
    the form is covered by a busy overlay saying so, with a progress bar when
    ``reports_progress`` (the work then takes a ``progress(done, total, message)`` callable).
    ``changes`` is announced on the vault events hub after a successful save, for dialogs
    whose opener does not read again.
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
        self.busy_message = ""
        self.reports_progress = False
        self.changes: VaultChange | None = None
        self.overlay: BusyOverlay | None = None
        self._busy = False
        self._field_errors: list[FieldError] = []
        self._errors_by_key: dict[str, FieldError] = {}
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(18, 16, 18, 14)
        self._outer.setSpacing(10)
        self.intro_label = QLabel(intro)
        self.intro_label.setWordWrap(True)
        self.intro_label.setTextFormat(Qt.TextFormat.PlainText)
        self.intro_label.setAccessibleName("Explanation")
        self.intro_label.setVisible(bool(intro))
        self._outer.addWidget(self.intro_label)
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

    def set_intro(self, text: str) -> None:
        """The explanation above the form (hidden when empty)."""
        self.intro_label.setText(text)
        self.intro_label.setVisible(bool(text))

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
        key: str = "",
    ) -> FieldError:
        """A form row with its error line. ``key`` is the name of the service input it edits
        (a ``ValidationError``'s ``field``): a refusal about that input is shown under it."""
        error = add_field(self.form, label, widget, hint=hint, accessible_name=name, target=target)
        self._field_errors.append(error)
        if key:
            self._errors_by_key[key] = error
        return error

    # -- errors --------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        self.error_banner.hide()
        for error in self._field_errors:
            error.clear_message()

    def show_error(self, text: str) -> None:
        self.error_banner.set_text(text)
        self.error_banner.show()
        self._grow_to_fit()

    def field_problem(self, error: FieldError, text: str) -> None:
        error.show_message(text)
        self._grow_to_fit()

    def _grow_to_fit(self) -> None:
        """Grow taller when a message appears, so no line of it is cut off."""
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        layout.activate()
        width = self.width()
        needed = (
            layout.totalHeightForWidth(width)
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        if needed > self.height():
            self.resize(width, needed)

    def error_message(self) -> str:
        """What the dialog says is wrong now: the bar's text, else the first field's."""
        if self.error_banner.isVisibleTo(self):
            return self.error_banner.text()
        problem = self.first_problem()
        return problem.message() if problem is not None else ""

    def first_problem(self) -> FieldError | None:
        return next((e for e in self._field_errors if e.message()), None)

    def place_error(self, field: str, text: str) -> bool:
        """Put a service's message under the row whose ``key`` is ``field`` (the error's
        ``field``: an attribute of the service's input); False to show it in the bar."""
        error = self._errors_by_key.get(field)
        if error is None:
            return False
        self.field_problem(error, text)
        return True

    # -- saving --------------------------------------------------------------------------------

    def build_work(self) -> Callable[..., Any] | None:
        """The saving function (taking ``progress`` when ``reports_progress``), or None."""
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
        # A case tab that opened the dialog announces the change when the case is read again.
        run_operation(
            self,
            work,
            what=self.windowTitle().lower() or "save",
            on_done=self._done,
            on_error=self._failed,
            changes=self.changes,
            progress=self._show_progress if self.reports_progress else None,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.buttons.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
            if self.busy_message:
                if self.overlay is None:
                    self.overlay = BusyOverlay(self)
                if self.reports_progress:
                    self.overlay.show_busy(self.busy_message, 0, 100)
                else:
                    self.overlay.show_busy(self.busy_message)
        else:
            self.unsetCursor()
            if self.overlay is not None:
                self.overlay.hide_busy()

    def _show_progress(self, done: int, total: int, message: str) -> None:
        if self.overlay is not None:
            self.overlay.set_progress(done, total, message)

    def _done(self, value: Any) -> None:
        self._set_busy(False)
        self.result_value = value
        self.saved.emit(value)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        text = error_message(error, NOT_SAVED)
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


__all__ = [
    "ERROR_ON_DARK",
    "FieldError",
    "FormDialog",
    "add_field",
    "clean_label",
    "error_color",
    "new_form",
    "show_problem",
]
