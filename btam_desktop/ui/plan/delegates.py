"""Inline editors for the interventions table: dates (with a calendar and "no date"), the
responsible member, strategy, repetition and status.

``OptionalDateEdit`` is also used on its own (the next reassessment date): a date field with a
calendar popup that can also say "no date". While it has no date it shows "no date"; the first
key press or opening the calendar starts from today; Delete or the clear button empties it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionComboBox,
    QStyleOptionViewItem,
    QToolButton,
    QWidget,
)

from btam_desktop.services.plans import InterventionStatus, Strategy
from btam_desktop.ui.icons import icon
from btam_desktop.ui.locale_formats import date_field_pattern
from btam_desktop.ui.plan.intervention_model import (
    RECURRENCE_CHOICES,
    STATUS_LABELS,
    InterventionModel,
    from_qdate,
    repeat_label,
    to_qdate,
)

EMPTY_DATE = QDate(2000, 1, 1)
"""Stands for "no date" inside the date field (its minimum; plans are never dated before)."""
NO_DATE_TEXT = "no date"
DATE_TIP = "Type a date, or open the calendar with F4. Delete clears the date."
_PASS_THROUGH = {
    Qt.Key.Key_Tab,
    Qt.Key.Key_Backtab,
    Qt.Key.Key_Escape,
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
    Qt.Key.Key_Shift,
    Qt.Key.Key_Control,
    Qt.Key.Key_Alt,
    Qt.Key.Key_Meta,
}


def date_display_format() -> str:
    """The team's date format as a pattern for date fields (see ui.locale_formats)."""
    return date_field_pattern()


class DateField(QDateEdit):
    """A QDateEdit whose minimum stands for "no date"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat(date_display_format())
        self.setCalendarPopup(True)
        self.setMinimumDate(EMPTY_DATE)
        self.setMaximumDate(QDate(2199, 12, 31))
        self.setSpecialValueText(NO_DATE_TEXT)
        self.setDate(EMPTY_DATE)
        calendar = QCalendarWidget(self)
        calendar.setGridVisible(True)
        calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.setCalendarWidget(calendar)
        calendar.installEventFilter(self)

    def is_empty(self) -> bool:
        return self.date() == EMPTY_DATE

    def value(self) -> date | None:
        return None if self.is_empty() else from_qdate(self.date())

    def set_value(self, value: date | None) -> None:
        self.setDate(to_qdate(value) or EMPTY_DATE)

    def start_from_today(self) -> None:
        if self.is_empty():
            self.setDate(QDate.currentDate())

    def open_calendar(self) -> None:
        """Open the calendar popup (F4 or Alt+Down; Qt offers only the mouse for it)."""
        if self.isReadOnly() or not self.calendarPopup():
            return
        option = QStyleOptionComboBox()
        option.initFrom(self)
        option.editable = True
        option.subControls = QStyle.SubControl.SC_All
        arrow = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxArrow, self
        )
        where = QPointF(arrow.center() if arrow.isValid() else self.rect().bottomRight())
        for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
            QApplication.sendEvent(
                self,
                QMouseEvent(
                    kind,
                    where,
                    self.mapToGlobal(where),
                    Qt.MouseButton.LeftButton,
                    Qt.MouseButton.LeftButton
                    if kind == QEvent.Type.MouseButtonPress
                    else Qt.MouseButton.NoButton,
                    Qt.KeyboardModifier.NoModifier,
                ),
            )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        alt_down = key == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
        if key == Qt.Key.Key_F4 or alt_down:
            self.open_calendar()
            event.accept()
            return
        if key == Qt.Key.Key_Delete and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.setDate(EMPTY_DATE)
            event.accept()
            return
        if self.is_empty() and key not in _PASS_THROUGH:
            self.start_from_today()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                event.accept()  # the first step lands on today
                return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        # Empty, the field shows "no date" and has no sections to step through: Qt would keep
        # the focus here on every Tab (a keyboard trap). Leave the field instead.
        if self.is_empty():
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The calendar opens on an empty field: start from today, not January 2000.
        if watched is self.calendarWidget() and event.type() == QEvent.Type.Show:
            self.start_from_today()
        return super().eventFilter(watched, event)


class OptionalDateEdit(QWidget):
    """A date with a calendar popup, or no date. ``value()`` is a ``date`` or None."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, name: str = "Date") -> None:
        super().__init__(parent)
        self.date_edit = DateField(self)
        self.date_edit.setAccessibleName(name)
        self.date_edit.setToolTip("Type a date, or open the calendar (F4); Delete clears the date.")
        self.clear_button = QToolButton(self)
        self.clear_button.setIcon(icon("close"))
        self.clear_button.setAutoRaise(True)
        self.clear_button.setToolTip("No date")
        self.clear_button.setAccessibleName(f"Clear {name.lower()}")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.date_edit, 1)
        layout.addWidget(self.clear_button)
        self.setFocusProxy(self.date_edit)
        self.date_edit.dateChanged.connect(self._date_changed)
        self._date_changed()

    def value(self) -> date | None:
        return self.date_edit.value()

    def set_value(self, value: date | None) -> None:
        self.date_edit.set_value(value)

    def clear(self) -> None:
        self.date_edit.setDate(EMPTY_DATE)

    def setReadOnly(self, read_only: bool) -> None:
        self.date_edit.setReadOnly(read_only)
        self.date_edit.setCalendarPopup(not read_only)
        self.date_edit.setButtonSymbols(
            QAbstractSpinBox.ButtonSymbols.NoButtons
            if read_only
            else QAbstractSpinBox.ButtonSymbols.UpDownArrows
        )
        self.clear_button.setVisible(not read_only)

    def _date_changed(self, *_args: object) -> None:
        self.clear_button.setEnabled(not self.date_edit.is_empty())
        self.changed.emit()


# ---- delegates ---------------------------------------------------------------------------------

ROW_PADDING = 10


class PaddedDelegate(QStyledItemDelegate):
    """Rows with a little air: easier to read and to hit with the mouse."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), hint.height() + ROW_PADDING)


class DateDelegate(PaddedDelegate):
    """Start, due and review dates: a date field with a calendar (F4), Delete for no date."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = DateField(parent)
        header = index.model().headerData(index.column(), Qt.Orientation.Horizontal)
        editor.setAccessibleName(f"{header} date")
        editor.setToolTip(DATE_TIP)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, DateField)
        editor.set_value(from_qdate(index.data(Qt.ItemDataRole.EditRole)))

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        assert isinstance(editor, DateField)
        model.setData(index, to_qdate(editor.value()), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self,
        editor: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        rect = option.rect
        editor.setGeometry(rect.x(), rect.y(), max(rect.width(), 130), rect.height())


class _Combo(QComboBox):
    """Says when the person picked another entry from the open list."""

    picked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._index_at_popup = -1

    def showPopup(self) -> None:
        self._index_at_popup = self.currentIndex()
        super().showPopup()

    def hidePopup(self) -> None:
        super().hidePopup()
        if self._index_at_popup >= 0 and self.currentIndex() != self._index_at_popup:
            self._index_at_popup = -1
            self.picked.emit()
        self._index_at_popup = -1


class ChoiceDelegate(PaddedDelegate):
    """A combo box of (value, label) choices for one column."""

    def __init__(
        self,
        choices: Callable[[QModelIndex | QPersistentModelIndex], Sequence[tuple[Any, str]]],
        name: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._choices = choices
        self._name = name

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        combo = _Combo(parent)
        combo.setAccessibleName(self._name)
        for value, label in self._choices(index):
            combo.addItem(label, value)
        # Choosing from the open list commits at once, like a spreadsheet; arrow keys on the
        # closed box only move the choice (Enter or Tab commits).
        combo.picked.connect(lambda c=combo: self._commit(c))
        return combo

    def _commit(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        current = index.data(Qt.ItemDataRole.EditRole)
        for position in range(editor.count()):
            if editor.itemData(position) == current:
                editor.setCurrentIndex(position)
                break

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self,
        editor: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        rect = option.rect
        width = max(rect.width(), editor.sizeHint().width())
        editor.setGeometry(rect.x(), rect.y(), width, rect.height())


def strategy_delegate(parent: QObject | None = None) -> ChoiceDelegate:
    return ChoiceDelegate(lambda _index: [(s.value, s.label) for s in Strategy], "Strategy", parent)


def recurrence_delegate(parent: QObject | None = None) -> ChoiceDelegate:
    return ChoiceDelegate(
        lambda index: _repeat_choices(index.data(Qt.ItemDataRole.EditRole)),
        "Repeats",
        parent,
    )


def _repeat_choices(current: object) -> list[tuple[Any, str]]:
    choices: list[tuple[Any, str]] = list(RECURRENCE_CHOICES.items())
    if isinstance(current, str) and current not in RECURRENCE_CHOICES:
        choices.append((current, repeat_label(current)))
    return choices


def status_delegate(parent: QObject | None = None) -> ChoiceDelegate:
    """Choosing "Dropped" does not change the row: the model asks for the reason first
    (``InterventionModel.dropped_reason_needed``)."""
    return ChoiceDelegate(
        lambda _index: [(s.value, STATUS_LABELS[s]) for s in InterventionStatus],
        "Status",
        parent,
    )


def member_delegate(model: InterventionModel, parent: QObject | None = None) -> ChoiceDelegate:
    def choices(index: QModelIndex | QPersistentModelIndex) -> list[tuple[Any, str]]:
        current = index.data(Qt.ItemDataRole.EditRole)
        return list(model.member_choices(current if isinstance(current, int) else None))

    return ChoiceDelegate(choices, "Responsible member", parent)
