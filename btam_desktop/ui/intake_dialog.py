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
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
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
    DangerAnswer,
    PersonRole,
    Priority,
    ReportChannel,
    ReporterPrivacy,
    ThreatDirectness,
    ThreatExpression,
    YesNoUnknown,
)
from btam_desktop.domain.errors import error_field
from btam_desktop.domain.formatting import format_date
from btam_desktop.domain.types import utcnow
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import IntakeInput, PersonInput
from btam_desktop.services.evidence import ACCEPTED_TYPES_TEXT, EvidenceFile
from btam_desktop.services.permissions import Permission
from btam_desktop.ui.case_tabs.common import (
    error_message,
    fmt_iso,
    from_qdatetime,
    muted_label,
    plain_text_edit,
    read_only_reason,
    to_qdatetime,
)
from btam_desktop.ui.icons import icon
from btam_desktop.ui.operations import run_operation
from btam_desktop.ui.record_dialogs import datetime_edit, enum_combo, select_data
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.vault_events import VaultChange
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.form_dialog import FieldError, add_field, new_form

DRAFT_KIND = "intake"
DRAFT_DELAY_MS = 1000
EMERGENCY_TEXT = "Call emergency services (911) or law enforcement now. Then finish this report."
OLD_REPORT_DAYS = 365
PREFERRED_SIZE = (780, 720)
EVIDENCE_FILTER = (
    "Evidence (*.png *.jpg *.jpeg *.gif *.webp *.pdf *.docx *.xlsx *.txt *.eml *.csv *.md "
    "*.mp3 *.wav *.m4a *.ogg *.flac *.amr *.3gp);;All files (*)"
)
PRIVACY_HELP: dict[ReporterPrivacy, str] = {
    ReporterPrivacy.NAMED: "The reporter's name may appear in the record and its printouts.",
    ReporterPrivacy.CONFIDENTIAL: "The team knows who reported; the name is marked withheld "
    "wherever it is shown or printed and left out of anything for the subject or family.",
    ReporterPrivacy.ANONYMOUS: "Nobody knows who reported (a tip line, a note). A contact such "
    "as a tip number is kept.",
}

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
    ThreatExpression.VERBAL: "Said out loud, in person or on the phone (a voicemail too)",
    ThreatExpression.WRITTEN: "A note, an essay, a letter, writing on a wall",
    ThreatExpression.ELECTRONIC: "Email or text message",
    ThreatExpression.SOCIAL_MEDIA: "A post, a story, a comment or a message in an app",
    ThreatExpression.VISUAL: "A drawing, a picture, a video",
    ThreatExpression.BEHAVIORAL: "A gesture or an action",
}
OFFERED_DIRECTNESS = [
    ThreatDirectness.DIRECT,
    ThreatDirectness.INDIRECT,
    ThreatDirectness.VEILED,
    ThreatDirectness.NONE,
]


def choose_evidence_files(parent: QWidget) -> list[str]:
    """Paths the person picked to attach. Tests replace this."""
    paths, _filter = QFileDialog.getOpenFileNames(parent, "Attach evidence", "", EVIDENCE_FILTER)
    return list(paths)


def confirm_date(parent: QWidget, title: str, text: str) -> bool:
    """Ask before a surprising date is used (it fixes the case number). Tests replace this."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    use = box.addButton("&Use this date", QMessageBox.ButtonRole.AcceptRole)
    fix = box.addButton("&Change the date", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(fix)
    box.exec()
    return box.clickedButton() is use


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
        self.danger_unsure = QRadioButton("Not s&ure")
        self.danger_yes.setAccessibleName("Someone is in immediate danger: yes")
        self.danger_no.setAccessibleName("Someone is in immediate danger: no")
        self.danger_unsure.setAccessibleName("Someone is in immediate danger: not sure")
        self.danger_unsure.setToolTip("Not sure is treated like yes: call first, then report.")
        self.danger_group = QButtonGroup(self)
        danger_row = QWidget()
        danger_layout = QHBoxLayout(danger_row)
        danger_layout.setContentsMargins(0, 0, 0, 0)
        for radio in (self.danger_yes, self.danger_no, self.danger_unsure):
            self.danger_group.addButton(radio)
            danger_layout.addWidget(radio)
        danger_layout.addStretch(1)
        self.danger_error = add_field(
            danger_form,
            "Is anyone in immediate danger right now?",
            danger_row,
            target=self.danger_yes,
            accessible_name="Someone is in immediate danger: yes",
        )
        self._errors.append(self.danger_error)
        for radio in (self.danger_yes, self.danger_no, self.danger_unsure):
            radio.toggled.connect(self._danger_changed)

        called_row = QWidget()
        called_layout = QHBoxLayout(called_row)
        called_layout.setContentsMargins(0, 0, 0, 0)
        self.emergency_called = QComboBox()
        self.emergency_called.addItem("Not recorded", "")
        self.emergency_called.addItem("Yes", YesNoUnknown.YES.value)
        self.emergency_called.addItem("No", YesNoUnknown.NO.value)
        self.emergency_called.setAccessibleName("Emergency services or law enforcement called")
        self.emergency_by = QLineEdit()
        self.emergency_by.setPlaceholderText("Who called (name or role)")
        self.emergency_by.setAccessibleName("Who called emergency services")
        self.emergency_at = datetime_edit()
        self.emergency_at.setAccessibleName("When emergency services were called")
        called_layout.addWidget(self.emergency_called)
        called_layout.addWidget(self.emergency_by, 1)
        called_layout.addWidget(self.emergency_at)
        self.emergency_error = add_field(
            danger_form,
            "Emergency services or police called?",
            called_row,
            target=self.emergency_called,
            accessible_name="Emergency services or law enforcement called",
        )
        self._errors.append(self.emergency_error)
        self.emergency_called.currentIndexChanged.connect(self._called_changed)
        self._called_changed()

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
        self.reporter_contact = QLineEdit()
        self.reporter_contact.setPlaceholderText("How to reach them (optional)")
        self.reporter_contact.setAccessibleName("Reporter contact")
        privacy_row = QHBoxLayout()
        privacy_row.setContentsMargins(0, 0, 0, 0)
        self.privacy_group = QButtonGroup(self)
        self.privacy: dict[ReporterPrivacy, QRadioButton] = {}
        for choice, text in (
            (ReporterPrivacy.NAMED, "&Named"),
            (ReporterPrivacy.CONFIDENTIAL, "&Confidential"),
            (ReporterPrivacy.ANONYMOUS, "&Anonymous"),
        ):
            radio = QRadioButton(text)
            radio.setToolTip(PRIVACY_HELP[choice])
            radio.setAccessibleName(f"Reporter is {choice.label.lower()}")
            radio.setAccessibleDescription(PRIVACY_HELP[choice])
            self.privacy_group.addButton(radio)
            privacy_row.addWidget(radio)
            self.privacy[choice] = radio
        privacy_row.addStretch(1)
        self.privacy[ReporterPrivacy.NAMED].setChecked(True)
        self.reporter_anonymous = self.privacy[ReporterPrivacy.ANONYMOUS]
        self.reporter_confidential = self.privacy[ReporterPrivacy.CONFIDENTIAL]
        self.privacy_hint = muted_label(PRIVACY_HELP[ReporterPrivacy.NAMED])
        self.privacy_hint.setWordWrap(True)
        reporter_layout.addWidget(self.reporter_name, 0, 0)
        reporter_layout.addWidget(self.reporter_contact, 0, 1)
        reporter_layout.addLayout(privacy_row, 1, 0, 1, 2)
        reporter_layout.addWidget(self.privacy_hint, 2, 0, 1, 2)
        reporter_layout.setColumnStretch(0, 3)
        reporter_layout.setColumnStretch(1, 2)
        self.reporter_error = add_field(
            people_form,
            "Rep&orter:",
            reporter_row,
            target=self.reporter_name,
            accessible_name="Reporter name",
        )
        self._errors.append(self.reporter_error)
        self.privacy_group.buttonToggled.connect(self._privacy_changed)
        self.reporter_name.textChanged.connect(self.reporter_error.clear_message)
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
        expressed_layout = QGridLayout(expressed_row)
        expressed_layout.setContentsMargins(0, 0, 0, 0)
        expressed_layout.setVerticalSpacing(2)
        self.expressed: dict[ThreatExpression, QCheckBox] = {}
        for index, expression in enumerate(ThreatExpression):
            box = QCheckBox(expression.label)
            box.setToolTip(EXPRESSION_HELP[expression])
            box.setAccessibleName(f"Expressed: {expression.label.lower()}")
            box.setAccessibleDescription(EXPRESSION_HELP[expression])
            expressed_layout.addWidget(box, index // 3, index % 3, Qt.AlignmentFlag.AlignLeft)
            self.expressed[expression] = box
        expressed_layout.setColumnStretch(3, 1)
        first_expression = self.expressed[ThreatExpression.VERBAL]
        add_field(
            what_form,
            "&Medium:",
            expressed_row,
            target=first_expression,
            accessible_name="Expressed: spoken",
            hint="How the threat or concern reached anyone. Tick each that applies.",
        )

        directness_row = QWidget()
        directness_layout = QHBoxLayout(directness_row)
        directness_layout.setContentsMargins(0, 0, 0, 0)
        self.directness_group = QButtonGroup(self)
        self.directness: dict[ThreatDirectness, QRadioButton] = {}
        for kind in OFFERED_DIRECTNESS:
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
            hint="Point at an option to see what it means.",
        )
        self.conditional = QCheckBox("Conditional: harm “if …” (“if you fail me, I will …”)")
        self.conditional.setAccessibleName("Threat is conditional")
        self.conditional.setToolTip(DIRECTNESS_HELP[ThreatDirectness.CONDITIONAL])
        add_field(
            what_form, "Con&dition:", self.conditional, accessible_name="Threat is conditional"
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

        evidence_row = QWidget()
        evidence_layout = QHBoxLayout(evidence_row)
        evidence_layout.setContentsMargins(0, 0, 0, 0)
        self.evidence_list = QListWidget()
        self.evidence_list.setAccessibleName("Evidence to attach")
        self.evidence_list.setMaximumHeight(64)
        evidence_buttons = QVBoxLayout()
        self.attach_button = QPushButton(icon("add"), "Attach &evidence…")
        self.attach_button.setAccessibleName("Attach evidence")
        self.attach_button.setToolTip(f"Screenshots, voicemails, photos: {ACCEPTED_TYPES_TEXT}.")
        self.attach_button.clicked.connect(self.attach_evidence)
        self.remove_evidence_button = QPushButton(icon("remove"), "Remove")
        self.remove_evidence_button.setAccessibleName("Remove the selected evidence")
        self.remove_evidence_button.clicked.connect(self.remove_evidence)
        evidence_buttons.addWidget(self.attach_button)
        evidence_buttons.addWidget(self.remove_evidence_button)
        evidence_buttons.addStretch(1)
        evidence_layout.addWidget(self.evidence_list, 1)
        evidence_layout.addLayout(evidence_buttons)
        self.evidence: list[EvidenceFile] = []
        self.evidence_error = add_field(
            what_form,
            "Evidence:",
            evidence_row,
            target=self.attach_button,
            accessible_name="Attach evidence",
            hint="Kept encrypted with the case when the report is saved (files are not part of "
            "the draft).",
        )
        self._errors.append(self.evidence_error)
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
        self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """Open at a comfortable size that never exceeds the screen (1366×768 at 125% leaves
        about 570 logical pixels): the form scrolls inside instead."""
        width, height = PREFERRED_SIZE
        parent = self.parentWidget()
        screen = parent.screen() if parent is not None else self.screen()
        if screen is not None:
            available = screen.availableGeometry()
            frame = 40  # title bar and borders
            width = min(width, available.width() - 20)
            height = min(height, available.height() - frame)
        self.resize(width, height)

    # ---- setup -------------------------------------------------------------------------------

    def _connect_changes(self) -> None:
        for edit in (self.title_edit, self.reporter_name, self.reporter_contact, self.emergency_by):
            edit.textChanged.connect(self._changed)
        self.emergency_called.currentIndexChanged.connect(self._changed)
        self.emergency_at.dateTimeChanged.connect(self._changed)
        self.conditional.toggled.connect(self._changed)
        for text in (self.narrative, self.quote):
            text.textChanged.connect(self._changed)
        for combo in (self.channel, self.setting, self.priority):
            combo.currentIndexChanged.connect(self._changed)
        self.site.currentTextChanged.connect(self._changed)
        self.received.dateTimeChanged.connect(self._changed)
        for box in self.expressed.values():
            box.toggled.connect(self._changed)
        for group in (
            self.directness_group,
            self.known_group,
            self.danger_group,
            self.privacy_group,
        ):
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

    def danger_answer(self) -> DangerAnswer | None:
        if self.danger_yes.isChecked():
            return DangerAnswer.YES
        if self.danger_unsure.isChecked():
            return DangerAnswer.NOT_SURE
        if self.danger_no.isChecked():
            return DangerAnswer.NO
        return None

    def _danger_changed(self, *_args: object) -> None:
        answer = self.danger_answer()
        self.danger_error.clear_message()
        if answer is not None and answer.needs_emergency:
            if self.notice_shown_at is None:
                self.notice_shown_at = utcnow()
            self.danger_banner.show()
        else:
            self.danger_banner.hide()

    def _called_changed(self, *_args: object) -> None:
        called = self.emergency_called.currentData() == YesNoUnknown.YES.value
        # Hidden, not cleared: what was typed stays and is checked on saving.
        self.emergency_by.setVisible(called or bool(self.emergency_by.text().strip()))
        self.emergency_at.setVisible(called)
        self.emergency_error.clear_message()

    def reporter_privacy(self) -> ReporterPrivacy:
        return next(
            (choice for choice, radio in self.privacy.items() if radio.isChecked()),
            ReporterPrivacy.NAMED,
        )

    def _privacy_changed(self, *_args: object) -> None:
        privacy = self.reporter_privacy()
        self.privacy_hint.setText(PRIVACY_HELP[privacy])
        self.reporter_error.clear_message()
        if privacy == ReporterPrivacy.ANONYMOUS and self.reporter_name.text().strip():
            # Never throw the typed name away: say what to do with it.
            self.reporter_error.show_message(
                "A name is typed for an anonymous reporter. If the team knows who it is, "
                "choose “Confidential”; otherwise clear the name."
            )

    # ---- evidence ----------------------------------------------------------------------------

    def attach_evidence(self) -> None:
        self.evidence_error.clear_message()
        problems: list[str] = []
        for path in choose_evidence_files(self):
            try:
                data = Path(path).read_bytes()
            except OSError:
                problems.append(f"“{Path(path).name}” could not be read. Check the file.")
                continue
            item = EvidenceFile(Path(path).name, data)
            try:
                media_type = item.checked_media_type()
            except Exception as error:
                problems.append(error_message(error))
                continue
            self.evidence.append(item)
            row = QListWidgetItem(f"{item.name} ({media_type}, {len(data) // 1024 + 1} KB)")
            self.evidence_list.addItem(row)
        if problems:
            self.evidence_error.show_message(" ".join(problems))
        self._changed()

    def remove_evidence(self) -> None:
        row = self.evidence_list.currentRow()
        if 0 <= row < len(self.evidence):
            del self.evidence[row]
            self.evidence_list.takeItem(row)

    # ---- drafts ------------------------------------------------------------------------------

    def _changed(self, *_args: object) -> None:
        if self._filling:
            return
        self.error_banner.hide()
        if self.can_work:
            self._draft_timer.start()

    def payload(self) -> dict[str, Any]:
        """Everything typed, as plain data (for the draft)."""
        answer = self.danger_answer()
        return {
            "immediate_danger": answer.value if answer else None,
            "emergency_called": self.emergency_called.currentData(),
            "emergency_called_by": self.emergency_by.text(),
            "emergency_called_at": from_qdatetime(self.emergency_at.dateTime()).isoformat(),
            "conditional": self.conditional.isChecked(),
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
                "privacy": self.reporter_privacy().value,
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
            or reporter["privacy"] != ReporterPrivacy.NAMED.value
            or p["emergency_called"]
            or p["emergency_called_by"].strip()
            or p["conditional"]
            or bool(self.evidence)
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
        self.danger_unsure.setChecked(False)
        self.danger_group.setExclusive(True)
        select_data(self.emergency_called, "")
        self.emergency_by.clear()
        self.emergency_at.setDateTime(QDateTime.currentDateTime())
        self.conditional.setChecked(False)
        self.evidence.clear()
        self.evidence_list.clear()
        self.notice_shown_at = None
        self.danger_banner.hide()
        self.received.setDateTime(QDateTime.currentDateTime())
        select_data(self.channel, ReportChannel.IN_PERSON.value)
        select_data(self.priority, Priority.NORMAL.value)
        self.site.setEditText("")
        self.title_edit.clear()
        self.reporter_name.clear()
        self.reporter_contact.clear()
        self.privacy[ReporterPrivacy.NAMED].setChecked(True)
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
        elif danger == DangerAnswer.NOT_SURE.value:
            self.danger_unsure.setChecked(True)
        select_data(self.emergency_called, draft.get("emergency_called") or "")
        self.emergency_by.setText(str(draft.get("emergency_called_by") or ""))
        called_at = draft.get("emergency_called_at")
        if called_at:
            with contextlib.suppress(ValueError):
                self.emergency_at.setDateTime(to_qdatetime(datetime.fromisoformat(str(called_at))))
        self._called_changed()
        # A draft from before "conditional" was its own question.
        self.conditional.setChecked(
            bool(draft.get("conditional"))
            or draft.get("directness") == ThreatDirectness.CONDITIONAL.value
        )
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
        privacy = reporter.get("privacy") or (
            ReporterPrivacy.ANONYMOUS.value
            if reporter.get("anonymous")
            else ReporterPrivacy.NAMED.value
        )
        for choice, radio in self.privacy.items():
            radio.setChecked(choice.value == privacy)
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
        return [
            *self._errors,
            self.reporter_error,
            self.received_error,
            *self.subjects.errors(),
            *self.targets.errors(),
        ]

    def is_busy(self) -> bool:
        return self._busy

    def build_input(self) -> IntakeInput | None:
        """The intake, or None after showing at each field what must be fixed."""
        for error in self._all_errors():
            error.clear_message()
        self.error_banner.hide()
        ok = True
        answer = self.danger_answer()
        if answer is None:
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
        privacy = self.reporter_privacy()
        name = self.reporter_name.text()
        contact = self.reporter_contact.text()
        if privacy == ReporterPrivacy.ANONYMOUS:
            if name.strip():
                self.reporter_error.show_message(
                    "A name is typed for an anonymous reporter. If the team knows who it is, "
                    "choose “Confidential”; otherwise clear the name."
                )
                ok = False
            reporter = PersonInput(PersonRole.REPORTER, anonymous=True, contact=contact)
        elif name.strip():
            reporter = PersonInput(
                PersonRole.REPORTER,
                full_name=name,
                contact=contact,
                confidential=privacy == ReporterPrivacy.CONFIDENTIAL,
            )
        elif privacy == ReporterPrivacy.CONFIDENTIAL:
            self.reporter_error.show_message(
                "A confidential reporter is someone the team knows: give the name (it is "
                "marked withheld), or choose “Anonymous”."
            )
            ok = False
        elif contact.strip():
            self.reporter_error.show_message(
                "Give the reporter's name, or choose “Anonymous” to keep only the contact."
            )
            ok = False
        called = self.emergency_called.currentData() or ""
        called_at = None
        if called == YesNoUnknown.YES.value:
            called_at = from_qdatetime(self.emergency_at.dateTime())
            if called_at > now + timedelta(minutes=2):
                self.emergency_error.show_message(
                    "The call cannot have been made in the future. Check the time."
                )
                ok = False
            called_at = min(called_at, now)
        elif self.emergency_by.text().strip():
            self.emergency_error.show_message(
                "Who called is filled in: answer “Yes” to the call question, or clear the name."
            )
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
        assert answer is not None
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
            immediate_danger=answer.needs_emergency,
            danger_answer=answer,
            emergency_notice_shown_at=self.notice_shown_at if answer.needs_emergency else None,
            conditional=payload["conditional"],
            emergency_called=YesNoUnknown(called) if called else None,
            emergency_called_by=payload["emergency_called_by"] if called_at else "",
            emergency_called_at=called_at,
            evidence=list(self.evidence),
        )

    def submit(self) -> None:
        if self._busy or not self.can_work:
            return
        intake = self.build_input()
        if intake is None:
            self._focus_first_problem()
            return
        if intake.received_at < utcnow() - timedelta(days=OLD_REPORT_DAYS):
            received = intake.received_at.astimezone()
            if not confirm_date(
                self,
                "Received more than a year ago?",
                f"The report is dated {format_date(received)}, more than a year ago. The case "
                f"number will start with {received.year}. Use this date?",
            ):
                self.received_error.show_message(
                    "Check the date the report was received; it sets the case number's year."
                )
                self._focus_first_problem()
                return
        self._draft_timer.stop()
        self._set_busy(True)
        app = self.app

        def work() -> int | None:
            case = app.cases.report_concern(intake)
            app.drafts.discard(DRAFT_KIND)
            return case.id

        run_operation(
            self,
            work,
            what="save the report",
            on_done=self._saved,
            on_error=self._failed,
            changes=lambda case_id: VaultChange("case", case_id),
        )

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
        field = error_field(error)
        if not (field and self._place_error(field, text)):
            self.error_banner.set_text(text)
            self.error_banner.show()
        self._focus_first_problem()

    def _place_error(self, field: str, text: str) -> bool:
        place = {
            "narrative": self.narrative_error,
            "received_at": self.received_error,
            "emergency_called_at": self.emergency_error,
            "emergency_called_by": self.emergency_error,
            "emergency_notice_shown_at": self.danger_error,
            "evidence": self.evidence_error,
            "reporter": self.reporter_error,
        }.get(field)
        if place is None:
            return False
        place.show_message(text)
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
