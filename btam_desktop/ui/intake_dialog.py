"""Report a concern: the intake form that opens a case.

    dialog = IntakeDialog(app, parent)
    dialog.accepted.connect(lambda: open_case(dialog.created_case_id))
    dialog.open()

The first question is whether anyone is in immediate danger; answering yes shows at once the
instruction to call emergency services, and the time it was shown goes into the record. Every
change is kept as an encrypted draft (a second after the last keystroke, and on ``save_draft()``
before a lock); opening the dialog again restores it. Saving creates the case off the GUI thread;
a problem is shown at the field it concerns and nothing typed is lost.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.enums import (
    CaseSetting,
    PersonRole,
    Priority,
    ReportChannel,
    ThreatDirectness,
    ThreatExpression,
    YesNoUnknown,
)
from btam_desktop.domain.types import utcnow
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import IntakeInput, PersonInput
from btam_desktop.services.permissions import Permission
from btam_desktop.ui.case_tabs.common import (
    FieldError,
    add_field,
    error_message,
    fmt_iso,
    from_qdatetime,
    is_user_error,
    muted_label,
    new_form,
    plain_text_edit,
    read_only_reason,
    to_qdatetime,
)
from btam_desktop.ui.icons import icon
from btam_desktop.ui.record_dialogs import datetime_edit, enum_combo, select_data
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.widgets import Banner, BannerKind

DRAFT_KIND = "intake"
DRAFT_DELAY_MS = 1000
EMERGENCY_TEXT = "Call emergency services (911) or law enforcement now. Then finish this report."

DIRECTNESS_HELP: dict[ThreatDirectness, str] = {
    ThreatDirectness.DIRECT: "A clear, explicit statement of intent to harm "
    "(“I am going to hurt you”).",
    ThreatDirectness.INDIRECT: "Vague or ambiguous about what, who or when "
    "(“Somebody should do something about him”).",
    ThreatDirectness.VEILED: "Hints at harm without saying it (“Everyone will be sorry on "
    "Friday”).",
    ThreatDirectness.CONDITIONAL: "Harm if a condition is or is not met "
    "(“If you fail me, I will ...”).",
    ThreatDirectness.NONE: "No threat was expressed; the concern is about behavior.",
}

EXPRESSION_HELP: dict[ThreatExpression, str] = {
    ThreatExpression.VERBAL: "Said out loud",
    ThreatExpression.WRITTEN: "A note, an essay, a letter",
    ThreatExpression.VISUAL: "A drawing, a picture, a video",
    ThreatExpression.BEHAVIORAL: "A gesture or an action",
    ThreatExpression.ELECTRONIC: "Email, text message, social media",
}


def ask_keep_draft(parent: QWidget) -> str:
    """Closing a report with content: "keep", "discard" or "cancel". Tests replace this."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Close the report?")
    box.setText("This report is not saved yet.")
    box.setInformativeText(
        "Keep it as a draft to finish later (it stays encrypted in the vault), or discard it."
    )
    keep = box.addButton("&Keep draft", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep)
    box.exec()
    clicked = box.clickedButton()
    if clicked is keep:
        return "keep"
    if clicked is discard:
        return "discard"
    return "cancel"


class PersonRows(QWidget):
    """Zero or more people (name + grade or position), each removable; empty rows are ignored."""

    def __init__(
        self,
        role: PersonRole,
        add_text: str,
        name_placeholder: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.role = role
        self._name_placeholder = name_placeholder
        self.rows: list[tuple[QLineEdit, QLineEdit, QToolButton, FieldError]] = []
        self._on_change: list[Any] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(6)
        self._grid.setVerticalSpacing(2)
        self._grid.setColumnStretch(0, 3)
        self._grid.setColumnStretch(1, 2)
        column.addLayout(self._grid)
        self.add_button = QPushButton(icon("add"), add_text)
        self.add_button.setAccessibleName(add_text.replace("&", ""))
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addStretch(1)
        column.addLayout(add_row)
        self.setAccessibleName(f"{role.label}s")

    def on_change(self, callback: Any) -> None:
        self._on_change.append(callback)

    def _changed(self, *_args: object) -> None:
        for callback in self._on_change:
            callback()

    def add_row(self, name: str = "", detail: str = "", *, focus: bool = False) -> QLineEdit:
        index = len(self.rows) + 1
        name_edit = QLineEdit(name)
        name_edit.setPlaceholderText(self._name_placeholder)
        name_edit.setAccessibleName(f"{self.role.label} {index} name")
        detail_edit = QLineEdit(detail)
        detail_edit.setPlaceholderText("Grade or position")
        detail_edit.setAccessibleName(f"{self.role.label} {index} grade or position")
        remove = QToolButton()
        remove.setIcon(icon("remove"))
        remove.setAutoRaise(True)
        remove.setToolTip(f"Remove this {self.role.label.lower()}")
        remove.setAccessibleName(f"Remove {self.role.label.lower()} {index}")
        error = FieldError(name_edit, self)
        row = self._grid.rowCount()
        self._grid.addWidget(name_edit, row, 0)
        self._grid.addWidget(detail_edit, row, 1)
        self._grid.addWidget(remove, row, 2)
        self._grid.addWidget(error, row + 1, 0, 1, 3)
        entry = (name_edit, detail_edit, remove, error)
        self.rows.append(entry)
        remove.clicked.connect(lambda: self.remove_row(entry))
        name_edit.textChanged.connect(self._changed)
        detail_edit.textChanged.connect(self._changed)
        if focus:
            name_edit.setFocus()
            self._changed()
        return name_edit

    def remove_row(self, entry: tuple[QLineEdit, QLineEdit, QToolButton, FieldError]) -> None:
        if entry not in self.rows:
            return
        self.rows.remove(entry)
        for widget in entry:
            self._grid.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        self._changed()

    def clear(self) -> None:
        for entry in list(self.rows):
            self.remove_row(entry)

    def values(self) -> list[dict[str, str]]:
        return [
            {"name": name.text(), "detail": detail.text()}
            for name, detail, _remove, _error in self.rows
            if name.text().strip() or detail.text().strip()
        ]

    def set_values(self, values: list[dict[str, str]]) -> None:
        self.clear()
        for value in values:
            self.add_row(str(value.get("name", "")), str(value.get("detail", "")))
        if not self.rows:
            self.add_row()

    def errors(self) -> list[FieldError]:
        return [error for *_rest, error in self.rows]

    def check(self) -> bool:
        """Rows with details but no name: a subject may be unknown yet, anyone else needs one."""
        ok = True
        for name, detail, _remove, error in self.rows:
            error.clear_message()
            if (
                self.role != PersonRole.SUBJECT
                and detail.text().strip()
                and not name.text().strip()
            ):
                error.show_message(
                    f"Give the {self.role.label.lower()}'s name or a description (e.g. “a "
                    "teacher”), or remove the row."
                )
                ok = False
        return ok

    def inputs(self) -> list[PersonInput]:
        return [
            PersonInput(role=self.role, full_name=v["name"], grade_or_position=v["detail"])
            for v in self.values()
        ]


class IntakeDialog(QDialog):
    """The "Report a concern" form. ``created_case_id`` is set once the case is saved."""

    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.created_case_id: int | None = None
        self.can_work = app.can(Permission.WORK_CASES)
        self.notice_shown_at: datetime | None = None
        self._busy = False
        self._filling = False
        self._closing = False
        self._errors: list[FieldError] = []
        self.setWindowTitle("Report a concern")
        self.setModal(True)
        self.setAccessibleName("Report a concern")
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(8)
        self.danger_banner = Banner(BannerKind.DANGER, EMERGENCY_TEXT, self)
        self.danger_banner.setAccessibleName("Urgent: call emergency services")
        self.danger_banner.hide()
        outer.addWidget(self.danger_banner)
        self.draft_banner = Banner(BannerKind.INFO, "", self, action_text="Discard")
        self.draft_banner.action_button().setAccessibleName("Discard the restored draft")
        self.draft_banner.action_triggered.connect(self.discard_draft)
        self.draft_banner.hide()
        outer.addWidget(self.draft_banner)
        self.error_banner = Banner(BannerKind.WARNING, "", self)
        self.error_banner.hide()
        outer.addWidget(self.error_banner)

        scroll = QScrollArea(self)
        self.scroll_area = scroll
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll, 1)
        body = QWidget()
        scroll.setWidget(body)
        self.body = body
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(12)

        # ---- danger first --------------------------------------------------------------------
        danger_box = QGroupBox("Safety first")
        column.addWidget(danger_box)
        danger_form = new_form()
        danger_box.setLayout(danger_form)
        self.danger_yes = QRadioButton("&Yes")
        self.danger_no = QRadioButton("N&o")
        self.danger_yes.setAccessibleName("Someone is in immediate danger: yes")
        self.danger_no.setAccessibleName("Someone is in immediate danger: no")
        self.danger_group = QButtonGroup(self)
        self.danger_group.addButton(self.danger_yes)
        self.danger_group.addButton(self.danger_no)
        danger_row = QWidget()
        danger_layout = QHBoxLayout(danger_row)
        danger_layout.setContentsMargins(0, 0, 0, 0)
        danger_layout.addWidget(self.danger_yes)
        danger_layout.addWidget(self.danger_no)
        danger_layout.addStretch(1)
        self.danger_error = add_field(
            danger_form,
            "Is anyone in immediate danger right now?",
            danger_row,
            target=self.danger_yes,
            accessible_name="Someone is in immediate danger: yes",
        )
        self._errors.append(self.danger_error)
        self.danger_yes.toggled.connect(self._danger_changed)
        self.danger_no.toggled.connect(self._danger_changed)

        # ---- the report ----------------------------------------------------------------------
        report_box = QGroupBox("The report")
        column.addWidget(report_box)
        form = new_form()
        report_box.setLayout(form)
        self.received = datetime_edit()
        self.received_error = add_field(
            form, "&Received:", self.received, accessible_name="Received on"
        )
        self.channel = enum_combo(ReportChannel, ReportChannel.IN_PERSON)
        add_field(form, "&How it came in:", self.channel, accessible_name="Channel")
        self.setting = enum_combo(CaseSetting, CaseSetting.SCHOOL)
        add_field(form, "Se&tting:", self.setting)
        self.site = QComboBox()
        self.site.setEditable(True)
        self.site.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        site_edit = self.site.lineEdit()
        assert site_edit is not None
        site_edit.setPlaceholderText("School, building or office")
        add_field(form, "S&ite:", self.site)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(
            "Optional. Avoid names in the title. If empty: “Report of concern <number>”"
        )
        add_field(form, "Tit&le:", self.title_edit, accessible_name="Title")
        self.priority = enum_combo(Priority, Priority.NORMAL)
        add_field(form, "&Priority:", self.priority)

        # ---- people --------------------------------------------------------------------------
        people_box = QGroupBox("People")
        column.addWidget(people_box)
        people_form = new_form()
        people_box.setLayout(people_form)
        reporter_row = QWidget()
        reporter_layout = QGridLayout(reporter_row)
        reporter_layout.setContentsMargins(0, 0, 0, 0)
        reporter_layout.setHorizontalSpacing(6)
        self.reporter_name = QLineEdit()
        self.reporter_name.setPlaceholderText("Who made the report")
        self.reporter_anonymous = QCheckBox("&Anonymous")
        self.reporter_anonymous.setAccessibleName("Reporter is anonymous")
        self.reporter_contact = QLineEdit()
        self.reporter_contact.setPlaceholderText("How to reach them (optional)")
        self.reporter_contact.setAccessibleName("Reporter contact")
        reporter_layout.addWidget(self.reporter_name, 0, 0)
        reporter_layout.addWidget(self.reporter_anonymous, 0, 1)
        reporter_layout.addWidget(self.reporter_contact, 1, 0)
        reporter_layout.setColumnStretch(0, 1)
        self.reporter_error = add_field(
            people_form,
            "Rep&orter:",
            reporter_row,
            target=self.reporter_name,
            accessible_name="Reporter name",
        )
        self._errors.append(self.reporter_error)
        self.reporter_anonymous.toggled.connect(self._anonymous_toggled)
        self.subjects = PersonRows(
            PersonRole.SUBJECT, "Add &subject", "Name, or leave empty if not known yet"
        )
        add_field(
            people_form,
            "Subject(s):",
            self.subjects,
            target=self.subjects,
            accessible_name="Subjects",
            hint="The person whose behavior is of concern. A report can be saved without one.",
        )
        self.targets = PersonRows(PersonRole.TARGET, "Add tar&get", "Name or description")
        add_field(
            people_form,
            "Target(s):",
            self.targets,
            target=self.targets,
            accessible_name="Targets",
            hint="Who the threat or behavior was aimed at, if anyone.",
        )

        # ---- what was reported ---------------------------------------------------------------
        what_box = QGroupBox("What was reported")
        column.addWidget(what_box)
        what_form = new_form()
        what_box.setLayout(what_form)
        self.narrative = plain_text_edit(7)
        self.narrative.setPlaceholderText(
            "What happened, where and when, in the reporter's own words where possible. "
            "Describe behavior, not diagnoses."
        )
        self.narrative_error = add_field(
            what_form, "What &happened (required):", self.narrative, accessible_name="Narrative"
        )
        self._errors.append(self.narrative_error)
        self.quote = plain_text_edit(2)
        self.quote.setPlaceholderText("Word for word, if a threat was expressed")
        add_field(
            what_form, "E&xact words:", self.quote, accessible_name="Exact words of the threat"
        )

        expressed_row = QWidget()
        expressed_layout = QHBoxLayout(expressed_row)
        expressed_layout.setContentsMargins(0, 0, 0, 0)
        self.expressed: dict[ThreatExpression, QCheckBox] = {}
        for expression in ThreatExpression:
            box = QCheckBox(expression.label)
            box.setToolTip(EXPRESSION_HELP[expression])
            box.setAccessibleName(f"Expressed {expression.label.lower()}")
            box.setAccessibleDescription(EXPRESSION_HELP[expression])
            expressed_layout.addWidget(box)
            self.expressed[expression] = box
        expressed_layout.addStretch(1)
        first_expression = self.expressed[ThreatExpression.VERBAL]
        add_field(
            what_form,
            "How e&xpressed:",
            expressed_row,
            target=first_expression,
            accessible_name="Expressed verbal",
        )

        directness_row = QWidget()
        directness_layout = QHBoxLayout(directness_row)
        directness_layout.setContentsMargins(0, 0, 0, 0)
        self.directness_group = QButtonGroup(self)
        self.directness: dict[ThreatDirectness, QRadioButton] = {}
        for kind in ThreatDirectness:
            radio = QRadioButton("None" if kind == ThreatDirectness.NONE else kind.label)
            radio.setToolTip(DIRECTNESS_HELP[kind])
            radio.setAccessibleName(f"Threat {kind.label.lower()}")
            radio.setAccessibleDescription(DIRECTNESS_HELP[kind])
            self.directness_group.addButton(radio)
            directness_layout.addWidget(radio)
            self.directness[kind] = radio
        directness_layout.addStretch(1)
        self.directness[ThreatDirectness.NONE].setChecked(True)
        add_field(
            what_form,
            "&Threat was:",
            directness_row,
            target=self.directness[ThreatDirectness.DIRECT],
            accessible_name="Threat direct",
            hint="Point at an option to see what it means. Conditional: “if X happens, I will …”.",
        )

        known_row = QWidget()
        known_layout = QHBoxLayout(known_row)
        known_layout.setContentsMargins(0, 0, 0, 0)
        self.known_group = QButtonGroup(self)
        self.known: dict[YesNoUnknown, QRadioButton] = {}
        for answer in YesNoUnknown:
            radio = QRadioButton(answer.label)
            radio.setAccessibleName(f"Known to the target: {answer.label.lower()}")
            self.known_group.addButton(radio)
            known_layout.addWidget(radio)
            self.known[answer] = radio
        known_layout.addStretch(1)
        self.known[YesNoUnknown.UNKNOWN].setChecked(True)
        add_field(
            what_form,
            "Subject &known to target:",
            known_row,
            target=self.known[YesNoUnknown.YES],
            accessible_name="Known to the target: yes",
        )
        column.addStretch(1)

        # ---- buttons -------------------------------------------------------------------------
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(
            "&Save report", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setIcon(icon("save"))
        self.save_button.setAccessibleName("Save report")
        self.save_button.setAutoDefault(False)
        self.save_button.setToolTip("Create the case from this report (Ctrl+S)")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        assert cancel is not None
        cancel.setAccessibleName("Cancel")
        cancel.setAutoDefault(False)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        hint = muted_label("Your typing is kept as an encrypted draft until the report is saved.")
        bottom = QHBoxLayout()
        bottom.addWidget(hint, 1)
        bottom.addWidget(self.buttons)
        outer.addLayout(bottom)
        QShortcut(QKeySequence.StandardKey.Save, self, self.submit)
        if not self.can_work:
            self.save_button.setEnabled(False)
            self.save_button.setToolTip(read_only_reason(app))

        self._connect_changes()
        self._load_defaults()
        self.resize(780, 860)

    # ---- setup -------------------------------------------------------------------------------

    def _connect_changes(self) -> None:
        for edit in (self.title_edit, self.reporter_name, self.reporter_contact):
            edit.textChanged.connect(self._changed)
        for text in (self.narrative, self.quote):
            text.textChanged.connect(self._changed)
        for combo in (self.channel, self.setting, self.priority):
            combo.currentIndexChanged.connect(self._changed)
        self.site.currentTextChanged.connect(self._changed)
        self.received.dateTimeChanged.connect(self._changed)
        self.reporter_anonymous.toggled.connect(self._changed)
        for box in self.expressed.values():
            box.toggled.connect(self._changed)
        for group in (self.directness_group, self.known_group, self.danger_group):
            group.buttonToggled.connect(self._changed)
        self.subjects.on_change(self._changed)
        self.targets.on_change(self._changed)
        self.narrative.textChanged.connect(self.narrative_error.clear_message)

    def _load_defaults(self) -> None:
        """Team defaults, known sites and a draft to restore (small reads)."""
        self._filling = True
        try:
            settings = self.app.settings()
            select_data(self.setting, settings.default_setting)
            self.subjects.add_row()
            self.targets.add_row()
            draft = self.app.drafts.load(DRAFT_KIND) if self.can_work else None
            if draft:
                self._apply(draft)
                when = fmt_iso(draft.get("saved_at"))
                self.draft_banner.set_text(
                    f"Restored your unsaved report from {when}."
                    if when
                    else "Restored your unsaved report."
                )
                self.draft_banner.show()
        finally:
            self._filling = False
        run_in_background(self.app.cases.sites, on_done=self._sites_loaded, parent=self)

    def _sites_loaded(self, sites: list[str]) -> None:
        current = self.site.currentText()
        self._filling = True
        try:
            self.site.clear()
            self.site.addItems(sites)
            self.site.setEditText(current)
        finally:
            self._filling = False

    # ---- immediate danger -------------------------------------------------------------------

    def _danger_changed(self, *_args: object) -> None:
        danger = self.danger_yes.isChecked()
        self.danger_error.clear_message()
        if danger:
            if self.notice_shown_at is None:
                self.notice_shown_at = utcnow()
            self.danger_banner.show()
        else:
            self.danger_banner.hide()

    def _anonymous_toggled(self, anonymous: bool) -> None:
        self.reporter_name.setEnabled(not anonymous)
        if anonymous:
            self.reporter_error.clear_message()

    # ---- drafts ------------------------------------------------------------------------------

    def _changed(self, *_args: object) -> None:
        if self._filling:
            return
        self.error_banner.hide()
        if self.can_work:
            self._draft_timer.start()

    def payload(self) -> dict[str, Any]:
        """Everything typed, as plain data (for the draft)."""
        danger = (
            "yes" if self.danger_yes.isChecked() else "no" if self.danger_no.isChecked() else None
        )
        return {
            "immediate_danger": danger,
            "emergency_notice_shown_at": self.notice_shown_at.isoformat()
            if self.notice_shown_at
            else None,
            "received_at": from_qdatetime(self.received.dateTime()).isoformat(),
            "channel": self.channel.currentData(),
            "setting": self.setting.currentData(),
            "site": self.site.currentText(),
            "title": self.title_edit.text(),
            "priority": self.priority.currentData(),
            "reporter": {
                "name": self.reporter_name.text(),
                "anonymous": self.reporter_anonymous.isChecked(),
                "contact": self.reporter_contact.text(),
            },
            "subjects": self.subjects.values(),
            "targets": self.targets.values(),
            "narrative": self.narrative.toPlainText(),
            "quote": self.quote.toPlainText(),
            "expressed": [e.value for e, box in self.expressed.items() if box.isChecked()],
            "directness": next(
                (k.value for k, radio in self.directness.items() if radio.isChecked()),
                ThreatDirectness.NONE.value,
            ),
            "known_to_target": next(
                (k.value for k, radio in self.known.items() if radio.isChecked()),
                YesNoUnknown.UNKNOWN.value,
            ),
        }

    def has_content(self) -> bool:
        """Anything a person typed or answered (team defaults alone are not content)."""
        p = self.payload()
        reporter = p["reporter"]
        return bool(
            p["immediate_danger"]
            or p["title"].strip()
            or p["narrative"].strip()
            or p["quote"].strip()
            or p["site"].strip()
            or p["subjects"]
            or p["targets"]
            or p["expressed"]
            or reporter["name"].strip()
            or reporter["contact"].strip()
            or reporter["anonymous"]
            or p["directness"] != ThreatDirectness.NONE.value
            or p["known_to_target"] != YesNoUnknown.UNKNOWN.value
        )

    def save_draft(self) -> None:
        """Keep what is typed, encrypted in the vault (also called before a lock)."""
        self._draft_timer.stop()
        if not self.can_work or self.created_case_id is not None or not self.app.vault.is_open:
            return
        if self.has_content():
            self.app.drafts.save(DRAFT_KIND, dict(self.payload(), saved_at=utcnow().isoformat()))
        else:
            self.app.drafts.discard(DRAFT_KIND)

    def discard_draft(self) -> None:
        """Forget the draft and start the form afresh."""
        self._draft_timer.stop()
        if self.can_work and self.app.vault.is_open:
            self.app.drafts.discard(DRAFT_KIND)
        self._filling = True
        try:
            self._reset()
        finally:
            self._filling = False
        self.draft_banner.hide()

    def _reset(self) -> None:
        self.danger_group.setExclusive(False)
        self.danger_yes.setChecked(False)
        self.danger_no.setChecked(False)
        self.danger_group.setExclusive(True)
        self.notice_shown_at = None
        self.danger_banner.hide()
        self.received.setDateTime(QDateTime.currentDateTime())
        select_data(self.channel, ReportChannel.IN_PERSON.value)
        select_data(self.priority, Priority.NORMAL.value)
        self.site.setEditText("")
        self.title_edit.clear()
        self.reporter_name.clear()
        self.reporter_contact.clear()
        self.reporter_anonymous.setChecked(False)
        self.subjects.set_values([])
        self.targets.set_values([])
        self.narrative.clear()
        self.quote.clear()
        for box in self.expressed.values():
            box.setChecked(False)
        self.directness[ThreatDirectness.NONE].setChecked(True)
        self.known[YesNoUnknown.UNKNOWN].setChecked(True)
        for error in self._all_errors():
            error.clear_message()

    def _apply(self, draft: dict[str, Any]) -> None:
        danger = draft.get("immediate_danger")
        shown = draft.get("emergency_notice_shown_at")
        if shown:
            try:
                self.notice_shown_at = datetime.fromisoformat(str(shown))
            except ValueError:
                self.notice_shown_at = None
        if danger == "yes":
            self.danger_yes.setChecked(True)
        elif danger == "no":
            self.danger_no.setChecked(True)
        received = draft.get("received_at")
        if received:
            with contextlib.suppress(ValueError):
                self.received.setDateTime(to_qdatetime(datetime.fromisoformat(str(received))))
        select_data(self.channel, draft.get("channel"))
        select_data(self.setting, draft.get("setting"))
        select_data(self.priority, draft.get("priority"))
        self.site.setEditText(str(draft.get("site") or ""))
        self.title_edit.setText(str(draft.get("title") or ""))
        reporter = draft.get("reporter") or {}
        self.reporter_name.setText(str(reporter.get("name") or ""))
        self.reporter_contact.setText(str(reporter.get("contact") or ""))
        self.reporter_anonymous.setChecked(bool(reporter.get("anonymous")))
        self.subjects.set_values(list(draft.get("subjects") or []))
        self.targets.set_values(list(draft.get("targets") or []))
        self.narrative.setPlainText(str(draft.get("narrative") or ""))
        self.quote.setPlainText(str(draft.get("quote") or ""))
        expressed = set(draft.get("expressed") or [])
        for expression, box in self.expressed.items():
            box.setChecked(expression.value in expressed)
        for kind, radio in self.directness.items():
            if kind.value == draft.get("directness"):
                radio.setChecked(True)
        for answer, radio in self.known.items():
            if answer.value == draft.get("known_to_target"):
                radio.setChecked(True)

    # ---- saving ------------------------------------------------------------------------------

    def _all_errors(self) -> list[FieldError]:
        return [*self._errors, self.received_error, *self.subjects.errors(), *self.targets.errors()]

    def is_busy(self) -> bool:
        return self._busy

    def build_input(self) -> IntakeInput | None:
        """The intake, or None after showing at each field what must be fixed."""
        for error in self._all_errors():
            error.clear_message()
        self.error_banner.hide()
        ok = True
        if not (self.danger_yes.isChecked() or self.danger_no.isChecked()):
            self.danger_error.show_message(
                "Answer this first: is anyone in immediate danger right now?"
            )
            ok = False
        received = from_qdatetime(self.received.dateTime())
        now = utcnow()
        if received > now + timedelta(minutes=2):
            self.received_error.show_message(
                "The report cannot have been received in the future. Check the date and time."
            )
            ok = False
        received = min(received, now)
        reporter = None
        if self.reporter_anonymous.isChecked():
            reporter = PersonInput(PersonRole.REPORTER, anonymous=True)
        elif self.reporter_name.text().strip():
            reporter = PersonInput(
                PersonRole.REPORTER,
                full_name=self.reporter_name.text(),
                contact=self.reporter_contact.text(),
            )
        elif self.reporter_contact.text().strip():
            self.reporter_error.show_message("Give the reporter's name, or tick “Anonymous”.")
            ok = False
        if not self.subjects.check():
            ok = False
        if not self.targets.check():
            ok = False
        if not self.narrative.toPlainText().strip():
            self.narrative_error.show_message(
                "Describe what was reported: what happened, where and when, in the reporter's "
                "own words where possible."
            )
            ok = False
        if not ok:
            return None
        danger = self.danger_yes.isChecked()
        payload = self.payload()
        return IntakeInput(
            received_at=received,
            channel=ReportChannel(payload["channel"]),
            narrative=payload["narrative"],
            setting=CaseSetting(payload["setting"]),
            site=payload["site"],
            title=payload["title"],
            priority=Priority(payload["priority"]),
            reporter=reporter,
            subjects=self.subjects.inputs(),
            targets=self.targets.inputs(),
            threat_quote=payload["quote"],
            expressed_as=[ThreatExpression(e) for e in payload["expressed"]],
            directness=ThreatDirectness(payload["directness"]),
            known_to_target=YesNoUnknown(payload["known_to_target"]),
            immediate_danger=danger,
            emergency_notice_shown_at=self.notice_shown_at if danger else None,
        )

    def submit(self) -> None:
        if self._busy or not self.can_work:
            return
        intake = self.build_input()
        if intake is None:
            self._focus_first_problem()
            return
        self._draft_timer.stop()
        self._set_busy(True)
        app = self.app

        def work() -> int | None:
            case = app.cases.report_concern(intake)
            app.drafts.discard(DRAFT_KIND)
            return case.id

        run_in_background(work, on_done=self._saved, on_error=self._failed, parent=self)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.buttons.setEnabled(not busy)
        self.body.setEnabled(not busy)
        self.save_button.setText("Saving…" if busy else "&Save report")

    def _saved(self, case_id: int | None) -> None:
        self._set_busy(False)
        self.created_case_id = case_id
        self._closing = True
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        text = error_message(error)
        if not (is_user_error(error) and self._place_error(text)):
            self.error_banner.set_text(text)
            self.error_banner.show()
        self._focus_first_problem()

    def _place_error(self, text: str) -> bool:
        lowered = text.lower()
        if "describe what was reported" in lowered:
            self.narrative_error.show_message(text)
        elif "received" in lowered:
            self.received_error.show_message(text)
        elif "emergency" in lowered:
            self.danger_error.show_message(text)
        elif "reporter" in lowered:
            self.reporter_error.show_message(text)
        else:
            return False
        return True

    def _focus_first_problem(self) -> None:
        problem = next((e for e in self._all_errors() if e.message()), None)
        if problem is not None:
            problem.field().setFocus(Qt.FocusReason.OtherFocusReason)
            self.scroll_area.ensureWidgetVisible(problem.field(), 20, 40)
            self.scroll_area.ensureWidgetVisible(problem, 20, 20)

    # ---- closing -----------------------------------------------------------------------------

    def reject(self) -> None:
        if self._busy:
            return
        if self._closing or not self.can_work:
            super().reject()
            return
        self._draft_timer.stop()
        if self.has_content():
            choice = ask_keep_draft(self)
            if choice == "cancel":
                return
            if choice == "keep":
                self.save_draft()
            else:
                self.app.drafts.discard(DRAFT_KIND)
        elif self.app.vault.is_open:
            self.app.drafts.discard(DRAFT_KIND)
        self._closing = True
        super().reject()


__all__ = ["DRAFT_KIND", "EMERGENCY_TEXT", "IntakeDialog", "ask_keep_draft"]
