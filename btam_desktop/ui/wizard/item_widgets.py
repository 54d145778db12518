"""One editor widget per item type of a form definition.

Every widget shows the question, a required marker, the help text (under the question and as a
tooltip), small badges for risk factor / protective factor / red flag, the editor itself, and,
for items that ask for it, where the information came from and how reliable it is. A problem
with the answer is shown at the item, in red, under it.

``make_item_widget(item)`` picks the class. Every widget has ``value()`` / ``set_value()`` (the
plain answer value of ``domain.forms.answers``), ``answer()`` / ``set_answer()`` (with source
and reliability) and emits ``changed(item_id)`` when the person changes anything. ``set_value``
and ``set_answer`` do not emit ``changed``.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QDate, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.enums import InformationSource, Reliability
from btam_desktop.domain.forms import (
    Answer,
    AnswerValue,
    AnyItem,
    Choice,
    not_applicable,
    not_applicable_entry,
)
from btam_desktop.domain.forms.answers import MAX_SHORT_TEXT
from btam_desktop.domain.forms.schema import FLAG_NAMES, NumberItem, RatingItem
from btam_desktop.domain.forms.wording import number_hint
from btam_desktop.ui.locale_formats import date_field_pattern
from btam_desktop.ui.theme import current_colors, set_style_role
from btam_desktop.ui.wizard.util import FLAG_LABELS, badge, esc, plain_label

#: Above this many choices a single-choice item is a drop-down list instead of radio buttons.
MAX_RADIO_CHOICES = 6
NO_DATE = QDate(1900, 1, 1)
REQUIRED_MESSAGE = "This question needs an answer."
RED_FLAG_NOTE = (
    "Red flag: this needs attention now. Follow the guidance beside the questions before going on."
)

SOURCE_CHOICES: tuple[tuple[str | None, str], ...] = (
    (None, "Not recorded"),
    *((s.value, s.label) for s in InformationSource),
)
RELIABILITY_CHOICES: tuple[tuple[str | None, str], ...] = (
    (None, "Not rated"),
    *((r.value, r.label) for r in Reliability),
)


def error_color() -> str:
    colors = current_colors()
    return colors.danger_border if colors.dark else colors.danger_bg


def card_stylesheet() -> str:
    """Style for the question cards of a page (set on the page that holds them)."""
    colors = current_colors()
    return (
        "QFrame#itemCard { background-color: palette(base); "
        f"border: 1px solid {colors.border}; border-radius: 6px; }}"
        f'QFrame#itemCard[error="true"] {{ border: 2px solid {error_color()}; }}'
    )


def _short(text: str, limit: int = 150) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _choice_text(choice: Choice) -> str:
    flags = [FLAG_LABELS[flag].lower() for flag in FLAG_NAMES if getattr(choice, flag)]
    return choice.label + (f"  ({', '.join(flags)})" if flags else "")


class ItemWidget(QFrame):
    """The frame every item type shares; subclasses build the editor."""

    changed = Signal(str)

    def __init__(self, item: AnyItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setObjectName("itemCard")
        self.setProperty("error", False)
        self._source_combo: QComboBox | None = None
        self._source_detail: QLineEdit | None = None
        self._reliability_combo: QComboBox | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 10, 14, 10)
        outer.setSpacing(6)

        header = QHBoxLayout()
        header.setSpacing(8)
        self.question = QLabel(self)
        self.question.setTextFormat(Qt.TextFormat.RichText)
        self.question.setWordWrap(True)
        self.question.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        marker = ""
        if item.required:
            marker = (
                f' <span style="color:{error_color()}; font-weight:700;" title="Required">*</span>'
            )
        self.question.setText(f'<span style="font-weight:600;">{esc(item.label)}</span>{marker}')
        self.question.setAccessibleName(item.label + (" (required)" if item.required else ""))
        if item.help:
            self.question.setToolTip(item.help)
        header.addWidget(self.question, 1)
        for flag in item.flags:
            header.addWidget(badge(FLAG_LABELS[flag], flag, self), 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(header)

        self.help_label: QLabel | None = None
        if item.help:
            self.help_label = plain_label(item.help)
            set_style_role(self.help_label, "muted")
            outer.addWidget(self.help_label)

        self.editor = QWidget(self)
        editor_layout = QHBoxLayout(self.editor)
        editor_layout.setContentsMargins(0, 2, 0, 0)
        editor_layout.setSpacing(8)
        self._build(editor_layout)
        outer.addWidget(self.editor)

        if item.ask_source:
            outer.addWidget(self._build_source_row())

        self.flag_note = plain_label(RED_FLAG_NOTE)
        colors = current_colors()
        self.flag_note.setStyleSheet(
            f"QLabel {{ color: {colors.danger_fg}; background-color: {colors.danger_bg}; "
            "border-radius: 4px; padding: 4px 8px; font-weight: 600; }"
        )
        self.flag_note.setAccessibleName("Red flag")
        self.flag_note.hide()
        outer.addWidget(self.flag_note)

        self.error_label = plain_label("")
        self.error_label.setAccessibleName("Problem with this question")
        self.error_label.hide()
        outer.addWidget(self.error_label)

    # ---- for subclasses --------------------------------------------------------------------

    def _build(self, layout: QHBoxLayout) -> None:
        raise NotImplementedError

    def value(self) -> AnswerValue:
        raise NotImplementedError

    def set_value(self, value: AnswerValue) -> None:
        raise NotImplementedError

    def _focus_target(self) -> QWidget:
        return self.editor

    def _accessible(self, widget: QWidget, what: str = "") -> None:
        widget.setAccessibleName(_short(what or self.item.label))
        widget.setAccessibleDescription(_short(self.item.label))

    def _emit(self, *_args: object) -> None:
        self.update_flag_note()
        self.changed.emit(self.item.id)

    def red_flag_present(self) -> bool:
        """The answer marks a red flag (yes to a red-flag question, or a red-flag choice)."""
        value = self.value()
        if self.item.type == "yes_no_unknown":
            return self.item.red_flag and value == "yes"
        chosen = value if isinstance(value, tuple) else (value,) if isinstance(value, str) else ()
        return any(
            (self.item.red_flag or choice.red_flag) and choice.id in chosen
            for choice in self.item.options
        )

    def update_flag_note(self) -> None:
        self.flag_note.setVisible(self.red_flag_present())

    # ---- source and reliability --------------------------------------------------------------

    def _build_source_row(self) -> QWidget:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(6)
        caption = plain_label("Source", wrap=False)
        set_style_role(caption, "muted")
        self._source_combo = QComboBox(row)
        for value, text in SOURCE_CHOICES:
            self._source_combo.addItem(text, value)
        self._accessible(self._source_combo, "Source of this information")
        self._source_combo.setToolTip("Where this information came from")
        caption.setBuddy(self._source_combo)
        self._source_detail = QLineEdit(row)
        self._source_detail.setPlaceholderText("Who or what, and when")
        self._source_detail.setMaxLength(300)
        self._accessible(self._source_detail, "Source details")
        self._source_detail.setToolTip(
            "For example: interview with the class teacher, 3 May; screenshot of the post"
        )
        rel_caption = plain_label("Reliability", wrap=False)
        set_style_role(rel_caption, "muted")
        self._reliability_combo = QComboBox(row)
        for value, text in RELIABILITY_CHOICES:
            self._reliability_combo.addItem(text, value)
        self._accessible(self._reliability_combo, "Reliability of this information")
        self._reliability_combo.setToolTip("How sure the team is that this information is true")
        rel_caption.setBuddy(self._reliability_combo)
        layout.addWidget(caption)
        layout.addWidget(self._source_combo)
        layout.addWidget(self._source_detail, 1)
        layout.addSpacing(6)
        layout.addWidget(rel_caption)
        layout.addWidget(self._reliability_combo)
        self._source_combo.currentIndexChanged.connect(self._emit)
        self._source_detail.textEdited.connect(self._emit)
        self._reliability_combo.currentIndexChanged.connect(self._emit)
        return row

    def source(self) -> tuple[str | None, str, str | None]:
        if self._source_combo is None or self._source_detail is None:
            return None, "", None
        assert self._reliability_combo is not None
        return (
            self._source_combo.currentData(),
            self._source_detail.text().strip(),
            self._reliability_combo.currentData(),
        )

    def set_source(
        self, source: str | None, detail: str = "", reliability: str | None = None
    ) -> None:
        if self._source_combo is None or self._source_detail is None:
            return
        assert self._reliability_combo is not None
        with (
            QSignalBlocker(self._source_combo),
            QSignalBlocker(self._source_detail),
            QSignalBlocker(self._reliability_combo),
        ):
            index = self._source_combo.findData(source)
            self._source_combo.setCurrentIndex(max(index, 0))
            self._source_detail.setText(detail)
            index = self._reliability_combo.findData(reliability)
            self._reliability_combo.setCurrentIndex(max(index, 0))

    def source_combo(self) -> QComboBox | None:
        return self._source_combo

    def source_detail(self) -> QLineEdit | None:
        return self._source_detail

    def reliability_combo(self) -> QComboBox | None:
        return self._reliability_combo

    # ---- the answer ------------------------------------------------------------------------

    def answer(self) -> Answer:
        source, detail, reliability = self.source()
        return Answer(self.value(), source, detail, reliability)

    def set_answer(self, answer: Answer | None) -> None:
        if answer is None:
            self.set_value(None)
            self.set_source(None)
            self.update_flag_note()
            return
        self.set_value(answer.value)
        self.set_source(answer.source, answer.source_detail, answer.reliability)
        self.update_flag_note()

    def has_content(self) -> bool:
        """An answer or a source is recorded (worth keeping in a draft)."""
        source, detail, reliability = self.source()
        value = self.value()
        return not (value is None or value == () or value == "") or bool(
            source or detail or reliability
        )

    # ---- problems ------------------------------------------------------------------------

    def show_error(self, text: str, *, focus: bool = True) -> None:
        self.error_label.setStyleSheet(f"QLabel {{ color: {error_color()}; font-weight: 600; }}")
        self.error_label.setText(text)
        self.error_label.setAccessibleDescription(text)
        self.error_label.show()
        self._set_error_property(True)
        if focus:
            self.focus_editor()

    def clear_error(self) -> None:
        if self.error_label.isHidden():
            return
        self.error_label.setText("")
        self.error_label.hide()
        self._set_error_property(False)

    def error_text(self) -> str:
        return "" if self.error_label.isHidden() else self.error_label.text()

    def _set_error_property(self, on: bool) -> None:
        self.setProperty("error", on)
        style = self.style()
        style.unpolish(self)
        style.polish(self)
        self.update()

    def focus_editor(self) -> None:
        self._focus_target().setFocus(Qt.FocusReason.OtherFocusReason)


# ---- choices as radio buttons ----------------------------------------------------------------


class _RadioWidget(ItemWidget):
    """Radio buttons (yes/no/unknown, a few choices) plus a "Clear" button once answered."""

    horizontal = False

    def _options(self) -> Sequence[tuple[str, str, str]]:
        """(value, text, tooltip) for each radio button."""
        raise NotImplementedError

    def _build(self, layout: QHBoxLayout) -> None:
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._buttons: dict[str, QRadioButton] = {}
        box = QHBoxLayout() if self.horizontal else QVBoxLayout()
        box.setSpacing(18 if self.horizontal else 4)
        box.setContentsMargins(0, 0, 0, 0)
        for value, text, tip in self._options():
            button = QRadioButton(text, self.editor)
            button.setProperty("answer", value)
            button.setAccessibleName(text)
            button.setAccessibleDescription(_short(self.item.label))
            if tip:
                button.setToolTip(tip)
            self._group.addButton(button)
            self._buttons[value] = button
            box.addWidget(button)
        if self.horizontal:
            box.addStretch(1)
        layout.addLayout(box, 1)
        self._clear = QToolButton(self.editor)
        self._clear.setText("Clear")
        self._clear.setAutoRaise(True)
        self._clear.setAccessibleName(f"Clear the answer: {_short(self.item.label, 100)}")
        self._clear.setToolTip("Take the answer back (leave the question unanswered)")
        self._clear.hide()
        self._clear.clicked.connect(self._on_clear)
        layout.addWidget(self._clear, 0, Qt.AlignmentFlag.AlignTop)
        self._group.buttonToggled.connect(self._toggled)

    def buttons(self) -> dict[str, QRadioButton]:
        return dict(self._buttons)

    def button(self, value: str) -> QRadioButton:
        return self._buttons[value]

    def clear_button(self) -> QToolButton:
        return self._clear

    def _toggled(self, button: QAbstractButton, checked: bool) -> None:
        if checked:
            self._clear.show()
            self._emit()

    def _on_clear(self) -> None:
        self.set_value(None)
        self._emit()
        self._focus_target().setFocus(Qt.FocusReason.OtherFocusReason)

    def value(self) -> AnswerValue:
        checked = self._group.checkedButton()
        return None if checked is None else str(checked.property("answer"))

    def set_value(self, value: AnswerValue) -> None:
        with QSignalBlocker(self._group):
            self._group.setExclusive(False)
            for key, button in self._buttons.items():
                button.setChecked(value is not None and key == value)
            self._group.setExclusive(True)
        self._clear.setVisible(self.value() is not None)

    def _focus_target(self) -> QWidget:
        checked = self._group.checkedButton()
        if checked is not None:
            return checked
        return next(iter(self._buttons.values()))


class YesNoUnknownWidget(_RadioWidget):
    horizontal = True

    def _options(self) -> Sequence[tuple[str, str, str]]:
        return (("yes", "Yes", ""), ("no", "No", ""), ("unknown", "Unknown", "Not known yet"))


class SingleChoiceRadioWidget(_RadioWidget):
    def _options(self) -> Sequence[tuple[str, str, str]]:
        return [(c.id, _choice_text(c), c.help) for c in self.item.options]


class SingleChoiceComboWidget(ItemWidget):
    """More than a handful of choices: a drop-down list."""

    def _build(self, layout: QHBoxLayout) -> None:
        self.combo = QComboBox(self.editor)
        self.combo.addItem("Choose…", None)
        for choice in self.item.options:
            self.combo.addItem(_choice_text(choice), choice.id)
            if choice.help:
                self.combo.setItemData(
                    self.combo.count() - 1, choice.help, Qt.ItemDataRole.ToolTipRole
                )
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._accessible(self.combo)
        self.question.setBuddy(self.combo)
        layout.addWidget(self.combo)
        layout.addStretch(1)
        self.combo.currentIndexChanged.connect(self._emit)

    def value(self) -> AnswerValue:
        data = self.combo.currentData()
        return None if data is None else str(data)

    def set_value(self, value: AnswerValue) -> None:
        with QSignalBlocker(self.combo):
            index = self.combo.findData(value) if value is not None else 0
            self.combo.setCurrentIndex(max(index, 0))

    def _focus_target(self) -> QWidget:
        return self.combo


# ---- several choices -------------------------------------------------------------------------


class MultipleChoiceWidget(ItemWidget):
    """Check boxes; the answer is the ticked choices in the form's order."""

    def _build(self, layout: QHBoxLayout) -> None:
        column = QVBoxLayout()
        column.setSpacing(4)
        self._boxes: dict[str, QCheckBox] = {}
        for choice in self.item.options:
            box = QCheckBox(_choice_text(choice), self.editor)
            box.setAccessibleName(choice.label)
            box.setAccessibleDescription(_short(self.item.label))
            if choice.help:
                box.setToolTip(choice.help)
            box.toggled.connect(self._emit)
            self._boxes[choice.id] = box
            column.addWidget(box)
        layout.addLayout(column, 1)

    def boxes(self) -> dict[str, QCheckBox]:
        return dict(self._boxes)

    def box(self, choice_id: str) -> QCheckBox:
        return self._boxes[choice_id]

    def value(self) -> AnswerValue:
        ticked = tuple(key for key, box in self._boxes.items() if box.isChecked())
        return ticked or None

    def set_value(self, value: AnswerValue) -> None:
        chosen = set(value) if isinstance(value, tuple | list) else set()
        for key, box in self._boxes.items():
            with QSignalBlocker(box):
                box.setChecked(key in chosen)

    def _focus_target(self) -> QWidget:
        return next(iter(self._boxes.values()))


def ask_not_applicable_reason(parent: QWidget, check: str) -> str | None:
    """Why a check does not apply to this case (None: cancelled). Tests replace this."""
    from PySide6.QtWidgets import QInputDialog

    text, ok = QInputDialog.getText(
        parent,
        "Does not apply",
        f"Why does this not apply to this case?\n\n“{check}”",
    )
    return text.strip() if ok and text.strip() else None


class ChecklistWidget(MultipleChoiceWidget):
    """Things to tick off; when required, every one must be ticked or marked "does not apply"
    with a short reason, so no one ticks a statement that is false."""

    def _build(self, layout: QHBoxLayout) -> None:
        column = QVBoxLayout()
        column.setSpacing(4)
        self._boxes = {}
        self._na_buttons: dict[str, QToolButton] = {}
        self._na_notes: dict[str, QLabel] = {}
        self._na: dict[str, str] = {}
        for choice in self.item.options:
            row = QHBoxLayout()
            row.setSpacing(6)
            note = QLabel(self.editor)
            note.setWordWrap(True)
            note.setTextFormat(Qt.TextFormat.PlainText)
            note.setAccessibleName(f"{choice.label}: why it does not apply")
            set_style_role(note, "muted")
            note.hide()
            box = QCheckBox(_choice_text(choice), self.editor)
            box.setAccessibleName(choice.label)
            box.setAccessibleDescription(_short(self.item.label))
            if choice.help:
                box.setToolTip(choice.help)
            box.toggled.connect(self._emit)
            button = QToolButton(self.editor)
            # Short, on the left: long checks must not push it out of sight.
            button.setText("N/A…")
            button.setAutoRaise(True)
            button.setAccessibleName(f"{choice.label}: does not apply")
            button.clicked.connect(lambda _=False, key=choice.id: self.toggle_not_applicable(key))
            self._boxes[choice.id] = box
            self._na_buttons[choice.id] = button
            self._na_notes[choice.id] = note
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(box, 1)
            column.addLayout(row)
            note_row = QHBoxLayout()
            note_row.setContentsMargins(button.sizeHint().width() + 6, 0, 0, 0)
            note_row.addWidget(note, 1)
            column.addLayout(note_row)
        layout.addLayout(column, 1)

    def na_button(self, choice_id: str) -> QToolButton:
        return self._na_buttons[choice_id]

    def na_note(self, choice_id: str) -> QLabel:
        return self._na_notes[choice_id]

    def toggle_not_applicable(self, choice_id: str) -> None:
        if choice_id in self._na:
            del self._na[choice_id]
        else:
            choice = self.item.choice(choice_id)
            why = ask_not_applicable_reason(self, choice.label if choice else choice_id)
            if why is None:
                return
            self._na[choice_id] = why
        self._show_na(choice_id)
        self._emit()

    def _show_na(self, choice_id: str) -> None:
        box, button = self._boxes[choice_id], self._na_buttons[choice_id]
        note = self._na_notes[choice_id]
        why = self._na.get(choice_id)
        with QSignalBlocker(box):
            if why is not None:
                box.setChecked(False)
        note.setText(f"Does not apply: {why}" if why is not None else "")
        note.setVisible(why is not None)
        box.setEnabled(why is None)
        button.setText("Undo N/A" if why is not None else "N/A…")
        button.setToolTip(
            "This check applies after all"
            if why is not None
            else "Mark this check as not applying to this case, with a reason"
        )

    def value(self) -> AnswerValue:
        entries = [
            not_applicable_entry(key, self._na[key]) if key in self._na else key
            for key, box in self._boxes.items()
            if key in self._na or box.isChecked()
        ]
        return tuple(entries) or None

    def set_value(self, value: AnswerValue) -> None:
        entries = list(value) if isinstance(value, tuple | list) else []
        self._na = {}
        ticked: set[str] = set()
        for entry in entries:
            parsed = not_applicable(str(entry))
            if parsed is not None:
                self._na[parsed[0]] = parsed[1]
            else:
                ticked.add(str(entry))
        for key, box in self._boxes.items():
            with QSignalBlocker(box):
                box.setChecked(key in ticked)
            self._show_na(key)


# ---- text ------------------------------------------------------------------------------------


class ShortTextWidget(ItemWidget):
    def _build(self, layout: QHBoxLayout) -> None:
        self.line = QLineEdit(self.editor)
        self.line.setMaxLength(MAX_SHORT_TEXT)
        self._accessible(self.line)
        self.question.setBuddy(self.line)
        layout.addWidget(self.line, 1)
        self.line.textEdited.connect(self._emit)

    def value(self) -> AnswerValue:
        return self.line.text().strip() or None

    def set_value(self, value: AnswerValue) -> None:
        with QSignalBlocker(self.line):
            self.line.setText(value if isinstance(value, str) else "")

    def _focus_target(self) -> QWidget:
        return self.line


class LongTextWidget(ItemWidget):
    def _build(self, layout: QHBoxLayout) -> None:
        self.text = QPlainTextEdit(self.editor)
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(self.text.fontMetrics().lineSpacing() * 4 + 14)
        self.text.setMaximumHeight(self.text.fontMetrics().lineSpacing() * 9 + 14)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._accessible(self.text)
        self.question.setBuddy(self.text)
        layout.addWidget(self.text, 1)
        self.text.textChanged.connect(self._emit)

    def value(self) -> AnswerValue:
        return self.text.toPlainText().strip() or None

    def set_value(self, value: AnswerValue) -> None:
        with QSignalBlocker(self.text):
            self.text.setPlainText(value if isinstance(value, str) else "")

    def _focus_target(self) -> QWidget:
        return self.text


# ---- date --------------------------------------------------------------------------------


class DateWidget(ItemWidget):
    """A date with a calendar, or "Not set". "Set date" starts at today."""

    def _build(self, layout: QHBoxLayout) -> None:
        self.date_edit = QDateEdit(self.editor)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setMinimumDate(NO_DATE)
        self.date_edit.setSpecialValueText("Not set")
        self.date_edit.setDisplayFormat(date_field_pattern())
        self.date_edit.setDate(NO_DATE)
        self.date_edit.setMinimumWidth(170)
        self._accessible(self.date_edit)
        self.question.setBuddy(self.date_edit)
        self.set_button = QPushButton("Set date", self.editor)
        self.set_button.setAccessibleName(f"Set date: {_short(self.item.label, 100)}")
        self.set_button.setToolTip("Fill in today's date; change it with the calendar")
        self.today_button = QToolButton(self.editor)
        self.today_button.setText("Today")
        self.today_button.setAutoRaise(True)
        self.today_button.setAccessibleName(f"Today: {_short(self.item.label, 100)}")
        self.clear_button = QToolButton(self.editor)
        self.clear_button.setText("Clear")
        self.clear_button.setAutoRaise(True)
        self.clear_button.setAccessibleName(f"Clear the date: {_short(self.item.label, 100)}")
        layout.addWidget(self.date_edit)
        layout.addWidget(self.set_button)
        layout.addWidget(self.today_button)
        layout.addWidget(self.clear_button)
        layout.addStretch(1)
        self.set_button.clicked.connect(self._set_today)
        self.today_button.clicked.connect(self._set_today)
        self.clear_button.clicked.connect(self._clear)
        self.date_edit.dateChanged.connect(self._date_changed)
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        unset = self.date_edit.date() == NO_DATE
        self.set_button.setVisible(unset)
        self.today_button.setVisible(not unset)
        self.clear_button.setVisible(not unset)

    def _set_today(self) -> None:
        self.date_edit.setDate(QDate.currentDate())
        self.date_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear(self) -> None:
        self.date_edit.setDate(NO_DATE)
        self.date_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _date_changed(self, _date: QDate) -> None:
        self._sync_buttons()
        self._emit()

    def value(self) -> AnswerValue:
        current = self.date_edit.date()
        if current == NO_DATE or not current.isValid():
            return None
        return current.toString("yyyy-MM-dd")

    def set_value(self, value: AnswerValue) -> None:
        parsed = QDate.fromString(value, "yyyy-MM-dd") if isinstance(value, str) else QDate()
        with QSignalBlocker(self.date_edit):
            self.date_edit.setDate(parsed if parsed.isValid() else NO_DATE)
        self._sync_buttons()

    def _focus_target(self) -> QWidget:
        return self.set_button if self.date_edit.date() == NO_DATE else self.date_edit


# ---- numbers -----------------------------------------------------------------------------


class _IntSpin(QSpinBox):
    """A spin box whose lowest value means "not set"; stepping from it starts at ``start``."""

    start = 0

    def stepBy(self, steps: int) -> None:
        if self.value() == self.minimum() and steps > 0:
            self.setValue(self.start)
            return
        super().stepBy(steps)


class _FloatSpin(QDoubleSpinBox):
    start = 0.0

    def stepBy(self, steps: int) -> None:
        if self.value() == self.minimum() and steps > 0:
            self.setValue(self.start)
            return
        super().stepBy(steps)


class NumberWidget(ItemWidget):
    """A spin box within the item's min and max, with its unit; "Not set" below the minimum."""

    DEFAULT_RANGE = 1_000_000

    def _build(self, layout: QHBoxLayout) -> None:
        item = self.item
        assert isinstance(item, NumberItem)
        low = item.min if item.min is not None else -self.DEFAULT_RANGE
        high = item.max if item.max is not None else self.DEFAULT_RANGE
        start = min(max(0, low), high)
        self.spin: QSpinBox | QDoubleSpinBox
        if item.integer:
            spin = _IntSpin(self.editor)
            spin.setRange(int(low) - 1, int(high))
            spin.start = int(start)
            self.spin = spin
        else:
            fspin = _FloatSpin(self.editor)
            fspin.setDecimals(2)
            fspin.setRange(float(low) - 1, float(high))
            fspin.start = float(start)
            self.spin = fspin
        self.spin.setSpecialValueText("Not set")
        self._set_raw(self.spin.minimum())
        if item.unit:
            self.spin.setSuffix(f" {item.unit}")
        self.spin.setMinimumWidth(130)
        self.spin.setKeyboardTracking(False)
        self._accessible(self.spin)
        self.question.setBuddy(self.spin)
        hint_text = number_hint(item)
        layout.addWidget(self.spin)
        if hint_text:
            hint = plain_label(hint_text, wrap=False)
            set_style_role(hint, "muted")
            layout.addWidget(hint)
        self.clear_button = QToolButton(self.editor)
        self.clear_button.setText("Clear")
        self.clear_button.setAutoRaise(True)
        self.clear_button.setAccessibleName(f"Clear the number: {_short(self.item.label, 100)}")
        self.clear_button.clicked.connect(self._clear)
        layout.addWidget(self.clear_button)
        layout.addStretch(1)
        self.spin.valueChanged.connect(self._value_changed)
        self._sync()

    def _sync(self) -> None:
        self.clear_button.setVisible(self.value() is not None)

    def _value_changed(self, *_args: object) -> None:
        self._sync()
        self._emit()

    def _set_raw(self, value: float) -> None:
        if isinstance(self.spin, QSpinBox):
            self.spin.setValue(int(value))
        else:
            self.spin.setValue(float(value))

    def _clear(self) -> None:
        self._set_raw(self.spin.minimum())
        self.spin.setFocus(Qt.FocusReason.OtherFocusReason)

    def value(self) -> AnswerValue:
        current = self.spin.value()
        if current == self.spin.minimum():
            return None
        if isinstance(self.spin, QSpinBox):
            return int(current)
        return float(current)

    def set_value(self, value: AnswerValue) -> None:
        with QSignalBlocker(self.spin):
            if isinstance(value, int | float) and not isinstance(value, bool):
                self._set_raw(value)
            else:
                self._set_raw(self.spin.minimum())
        self._sync()

    def _focus_target(self) -> QWidget:
        return self.spin


# ---- rating ------------------------------------------------------------------------------


class RatingWidget(ItemWidget):
    """A row of buttons min..max, with the form's labels for the points it names under it."""

    def _build(self, layout: QHBoxLayout) -> None:
        item = self.item
        assert isinstance(item, RatingItem)
        column = QVBoxLayout()
        column.setSpacing(3)
        row = QHBoxLayout()
        row.setSpacing(4)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._buttons: dict[int, QPushButton] = {}
        colors = current_colors()
        for point in range(item.min, item.max + 1):
            button = QPushButton(str(point), self.editor)
            button.setCheckable(True)
            button.setFixedWidth(max(36, button.fontMetrics().horizontalAdvance("00") + 20))
            button.setStyleSheet(
                "QPushButton:checked { background-color: palette(highlight); "
                f"color: palette(highlighted-text); border: 1px solid {colors.focus_border}; "
                "border-radius: 3px; font-weight: 600; }"
            )
            named = item.label_for(point)
            button.setAccessibleName(f"{point} ({named})" if named else str(point))
            button.setAccessibleDescription(_short(item.label))
            if named:
                button.setToolTip(named)
            self._group.addButton(button, point)
            self._buttons[point] = button
            row.addWidget(button)
        column.addLayout(row)
        if item.labels:
            legend = plain_label(
                " · ".join(f"{entry.value} = {entry.label}" for entry in item.labels)
            )
            set_style_role(legend, "muted")
            column.addWidget(legend)
        layout.addLayout(column)
        self._clear = QToolButton(self.editor)
        self._clear.setText("Clear")
        self._clear.setAutoRaise(True)
        self._clear.setAccessibleName(f"Clear the rating: {_short(item.label, 100)}")
        self._clear.hide()
        self._clear.clicked.connect(self._on_clear)
        layout.addWidget(self._clear, 0, Qt.AlignmentFlag.AlignTop)
        layout.addStretch(1)
        self._group.idToggled.connect(self._toggled)

    def rating_button(self, point: int) -> QPushButton:
        return self._buttons[point]

    def _toggled(self, _point: int, checked: bool) -> None:
        if checked:
            self._clear.show()
            self._emit()

    def _on_clear(self) -> None:
        self.set_value(None)
        self._emit()

    def value(self) -> AnswerValue:
        point = self._group.checkedId()
        return None if point == -1 else point

    def set_value(self, value: AnswerValue) -> None:
        with QSignalBlocker(self._group):
            self._group.setExclusive(False)
            for point, button in self._buttons.items():
                button.setChecked(isinstance(value, int) and value == point)
            self._group.setExclusive(True)
        self._clear.setVisible(self.value() is not None)

    def _focus_target(self) -> QWidget:
        checked = self._group.checkedButton()
        return checked if checked is not None else next(iter(self._buttons.values()))


# ---- factory -----------------------------------------------------------------------------


def make_item_widget(item: AnyItem, parent: QWidget | None = None) -> ItemWidget:
    """The editor widget for one item of a form."""
    kind = item.type
    widget: ItemWidget
    if kind == "yes_no_unknown":
        widget = YesNoUnknownWidget(item, parent)
    elif kind == "single_choice":
        if len(item.options) > MAX_RADIO_CHOICES:
            widget = SingleChoiceComboWidget(item, parent)
        else:
            widget = SingleChoiceRadioWidget(item, parent)
    elif kind == "multiple_choice":
        widget = MultipleChoiceWidget(item, parent)
    elif kind == "checklist":
        widget = ChecklistWidget(item, parent)
    elif kind == "short_text":
        widget = ShortTextWidget(item, parent)
    elif kind == "long_text":
        widget = LongTextWidget(item, parent)
    elif kind == "date":
        widget = DateWidget(item, parent)
    elif kind == "number":
        widget = NumberWidget(item, parent)
    elif kind == "rating":
        widget = RatingWidget(item, parent)
    else:  # pragma: no cover - the schema allows no other type
        raise ValueError(f"no editor for item type {kind!r}")
    return widget
