"""Dialogs that add or change one record of a case: a person, a timeline entry, a note, a
disclosure, a level-of-concern decision, the assigned members and the legal hold.

Each dialog checks its fields (the message appears under the field), then saves off the GUI
thread; a refusal from the services appears in the dialog and nothing typed is lost. After a
successful save the dialog emits ``saved(record)`` and closes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from PySide6.QtCore import QDateTime, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.enums import (
    DisclosureBasis,
    DisclosureRecipient,
    InformationSource,
    NoteCategory,
    PathwayStage,
    PersonRole,
    Reliability,
    Role,
    TimelineCategory,
)
from btam_desktop.domain.formatting import format_date, person_name
from btam_desktop.domain.forms import LevelScale
from btam_desktop.domain.models import Account, Case, Person, TimelineEntry
from btam_desktop.domain.types import utcnow
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import EditConflictError, PersonInput
from btam_desktop.services.records import DisclosureInput, TimelineInput
from btam_desktop.ui.case_tabs.common import (
    fmt_iso,
    from_qdatetime,
    muted_label,
    plain_text_edit,
    to_qdatetime,
)
from btam_desktop.ui.conflict_text import conflict_choice
from btam_desktop.ui.locale_formats import datetime_field_pattern
from btam_desktop.ui.theme import current_colors, level_text_color
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.form_dialog import FormDialog

E = TypeVar("E", bound=StrEnum)


# ---- small helpers ---------------------------------------------------------------------------

RECIPIENT_LABELS: dict[str, str] = {
    DisclosureRecipient.PARENT_GUARDIAN.value: "Parent or guardian",
    DisclosureRecipient.TARGET.value: "Target",
    DisclosureRecipient.LAW_ENFORCEMENT.value: "Law enforcement",
    DisclosureRecipient.ADMINISTRATION.value: "Administration",
    DisclosureRecipient.MENTAL_HEALTH.value: "Mental health provider",
    DisclosureRecipient.RECEIVING_ORGANIZATION.value: "Another school or agency (transfer)",
    DisclosureRecipient.OTHER.value: "Other",
}


def recipient_label(value: str) -> str:
    return RECIPIENT_LABELS.get(value, value.replace("_", " ").capitalize())


def enum_combo(
    values: Iterable[E], current: E | None = None, *, none_text: str | None = None
) -> QComboBox:
    """A combo box of enum members shown by their ``label``; data is the member's value."""
    combo = QComboBox()
    if none_text is not None:
        combo.addItem(none_text, None)
    for value in values:
        combo.addItem(getattr(value, "label", str(value)), value.value)
    if current is not None:
        combo.setCurrentIndex(max(0, combo.findData(current.value)))
    return combo


def combo_enum(combo: QComboBox, kind: type[E]) -> E | None:
    data = combo.currentData()
    return kind(data) if data is not None else None


def select_data(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)


def datetime_edit(value: datetime | None = None, *, not_after_now: bool = True) -> QDateTimeEdit:
    edit = QDateTimeEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(datetime_field_pattern())
    edit.setDateTime(to_qdatetime(value) if value else QDateTime.currentDateTime())
    if not_after_now:
        edit.setMaximumDateTime(QDateTime.currentDateTime().addSecs(60))
    edit.setMinimumWidth(180)
    return edit


def level_icon(color_hex: str, size: int = 14) -> QIcon:
    """A filled circle in a level's colour, for combo boxes and lists."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = QColor(color_hex)
    painter.setBrush(fill)
    painter.setPen(fill.darker(130))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


def level_combo(scale: LevelScale, current: str | None = None, *, none_text: str = "") -> QComboBox:
    combo = QComboBox()
    combo.setIconSize(QSize(14, 14))
    if none_text:
        combo.addItem(none_text, None)
    for level in scale.levels:
        combo.addItem(level_icon(level.color), level.label, level.code)
    if current:
        select_data(combo, current)
    return combo


# ---- editing a record someone else may be editing too (issue 16) ------------------------------


class VersionedDialog(FormDialog):
    """A dialog that changes an existing record carrying a ``revision``. When someone else
    saved the record meanwhile the save is refused: the dialog reads their version in, puts
    this person's own edits on top of it, says who changed what, and the next Save keeps the
    result (Cancel keeps only theirs)."""

    revision: int | None = None
    _opened: dict[str, object] | None = None

    # Subclasses: the form's values by field, setting some of them, and the record as saved now.
    def form_values(self) -> dict[str, object]:
        raise NotImplementedError

    def set_form_values(self, values: dict[str, object]) -> None:
        raise NotImplementedError

    def saved_values(self) -> dict[str, object] | None:
        raise NotImplementedError

    def remember_opened(self) -> None:
        self._opened = self.form_values()

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, EditConflictError) and isinstance(error.current, int):
            self._set_busy(False)
            self.revision = error.current
            self._put_mine_on_theirs()
            self.show_error(conflict_choice(error, "Save again", "Cancel"))
            # The message takes room: grow rather than squeeze the fields.
            self.resize(self.width(), max(self.height(), self.sizeHint().height()))
            return
        super()._failed(error)

    def _put_mine_on_theirs(self) -> None:
        theirs = self.saved_values()
        if theirs is None or self._opened is None:
            return
        mine = self.form_values()
        edited = {key: value for key, value in mine.items() if value != self._opened.get(key)}
        self.set_form_values(theirs)
        self._opened = self.form_values()
        self.set_form_values(edited)


# ---- people ------------------------------------------------------------------------------------


class PersonDialog(VersionedDialog):
    """Add someone to a case, or correct their details (``person`` given)."""

    def __init__(
        self,
        app: Btam,
        case_id: int,
        person: Person | None = None,
        parent: QWidget | None = None,
        *,
        role: PersonRole | None = None,
    ) -> None:
        editing = person is not None
        super().__init__(
            "Edit person" if editing else "Add a person",
            "Record people by their role in the case. Describe behavior, not diagnoses.",
            "&Save" if editing else "&Add person",
            parent,
        )
        self.app = app
        self.case_id = case_id
        self.person = person
        self.revision = person.revision if person else None
        current_role = PersonRole(person.role) if person else (role or PersonRole.SUBJECT)
        self.role = enum_combo(PersonRole, current_role)
        self.name = QLineEdit(person.full_name if person else "")
        self.name.setPlaceholderText("Full name as it appears on records")
        self.anonymous = QCheckBox("&Anonymous or not known yet")
        self.anonymous.setAccessibleName("Anonymous or not known yet")
        self.anonymous.setChecked(bool(person and person.anonymous))
        self.affiliation = QLineEdit(person.affiliation if person else "")
        self.affiliation.setPlaceholderText("e.g. student at Cedar Middle, employee in Finance")
        self.grade = QLineEdit(person.grade_or_position if person else "")
        self.grade.setPlaceholderText("e.g. Grade 8, night-shift supervisor")
        self.contact = QLineEdit(person.contact if person else "")
        self.contact.setPlaceholderText("Phone, email or how to reach them")
        self.notes = plain_text_edit(3)
        self.notes.setPlainText(person.notes if person else "")

        self.field("&Role:", self.role)
        name_box = QWidget()
        name_column = QVBoxLayout(name_box)
        name_column.setContentsMargins(0, 0, 0, 0)
        name_column.setSpacing(4)
        name_column.addWidget(self.name)
        name_column.addWidget(self.anonymous)
        self.name_error = self.field("&Name:", name_box, target=self.name, key="full_name")
        self.field("A&ffiliation:", self.affiliation)
        self.field("&Grade or position:", self.grade)
        self.field("&Contact:", self.contact)
        self.field("N&otes:", self.notes)
        self.anonymous.toggled.connect(self._anonymous_toggled)
        self._anonymous_toggled(self.anonymous.isChecked())
        self.finish_layout()
        self.resize(520, self.sizeHint().height())
        self.remember_opened()

    def form_values(self) -> dict[str, object]:
        return {
            "role": self.role.currentData(),
            "full_name": self.name.text(),
            "anonymous": self.anonymous.isChecked(),
            "affiliation": self.affiliation.text(),
            "grade_or_position": self.grade.text(),
            "contact": self.contact.text(),
            "notes": self.notes.toPlainText(),
        }

    def set_form_values(self, values: dict[str, object]) -> None:
        texts = {
            "full_name": self.name,
            "affiliation": self.affiliation,
            "grade_or_position": self.grade,
            "contact": self.contact,
        }
        for key, value in values.items():
            if key == "role":
                select_data(self.role, value)
            elif key == "anonymous":
                self.anonymous.setChecked(bool(value))
            elif key == "notes":
                self.notes.setPlainText(str(value))
            elif key in texts:
                texts[key].setText(str(value))

    def saved_values(self) -> dict[str, object] | None:
        if self.person is None:
            return None
        now = next(
            (p for p in self.app.records.people(self.case_id) if p.id == self.person.id), None
        )
        if now is None:
            return None
        return {
            "role": now.role,
            "full_name": now.full_name,
            "anonymous": now.anonymous,
            "affiliation": now.affiliation,
            "grade_or_position": now.grade_or_position,
            "contact": now.contact,
            "notes": now.notes,
        }

    def _anonymous_toggled(self, anonymous: bool) -> None:
        self.name.setEnabled(not anonymous)
        if anonymous:
            self.name_error.clear_message()

    def build_work(self) -> Callable[[], Any] | None:
        role = combo_enum(self.role, PersonRole) or PersonRole.OTHER
        anonymous = self.anonymous.isChecked()
        data = PersonInput(
            role=role,
            full_name="" if anonymous else self.name.text(),
            anonymous=anonymous,
            affiliation=self.affiliation.text(),
            grade_or_position=self.grade.text(),
            contact=self.contact.text(),
            notes=self.notes.toPlainText(),
        )
        if not anonymous and not data.full_name.strip() and role != PersonRole.SUBJECT:
            self.field_problem(
                self.name_error,
                f"Give the {role.label.lower()}'s name, or tick “Anonymous or not known yet”.",
            )
            return None
        if self.person is not None:
            person_id = self.person.id
            assert person_id is not None
            revision = self.revision
            return lambda: self.app.records.update_person(
                person_id, data, expected_revision=revision
            )
        return lambda: self.app.records.add_person(self.case_id, data)


# ---- timeline ----------------------------------------------------------------------------------


TIMELINE_PAST_DAYS = 2 * 365  # earlier than this asks first (a typo in the year, often)
TIMELINE_FUTURE_HOURS = 24


def confirm_timeline_date(parent: QWidget, text: str) -> bool:
    """Ask before a surprising timeline date is used. Tests replace this."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Check the date")
    box.setText(text)
    use = box.addButton("&Use this date", QMessageBox.ButtonRole.AcceptRole)
    fix = box.addButton("&Change the date", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(fix)
    box.exec()
    return box.clickedButton() is use


class TimelineEntryDialog(VersionedDialog):
    """A behavior or event on the case timeline, with where the information came from."""

    def __init__(
        self,
        app: Btam,
        case_id: int,
        entry: TimelineEntry | None = None,
        parent: QWidget | None = None,
    ) -> None:
        editing = entry is not None
        super().__init__(
            "Edit timeline entry" if editing else "Add a timeline entry",
            "Write what was said or done in objective words, and where the information came "
            "from. Quote exact words where you can.",
            "&Save" if editing else "&Add entry",
            parent,
        )
        self.app = app
        self.case_id = case_id
        self.entry = entry
        self.revision = entry.revision if entry else None
        self.occurred = datetime_edit(entry.occurred_at if entry else None, not_after_now=False)
        self.category = enum_combo(
            TimelineCategory,
            TimelineCategory(entry.category) if entry else TimelineCategory.CONCERNING_BEHAVIOR,
        )
        self.description = plain_text_edit(4)
        self.description.setPlaceholderText("What happened, in objective words")
        self.stage = enum_combo(PathwayStage, none_text="(not on the pathway / not known)")
        if entry and entry.pathway_stage:
            select_data(self.stage, entry.pathway_stage)
        self.source = enum_combo(
            InformationSource,
            InformationSource(entry.source) if entry else InformationSource.INTERVIEW,
        )
        self.obtained = QLineEdit(entry.obtained_how if entry else "")
        self.obtained.setPlaceholderText("e.g. interview with the teacher on Tuesday")
        self.reliability = enum_combo(
            Reliability, Reliability(entry.reliability) if entry else Reliability.UNKNOWN
        )
        if entry:
            self.description.setPlainText(entry.description)

        self.when_error = self.field("&When:", self.occurred, name="When it happened")
        self.field("&Category:", self.category)
        self.description_error = self.field("&Description:", self.description)
        self.field(
            "&Pathway stage:",
            self.stage,
            hint="Grievance, violent ideation, research and planning, preparation, probing and "
            "breaching, attack. Movement along the pathway matters more than words alone.",
        )
        self.field("&Source:", self.source, name="Source of the information")
        self.field("How &obtained:", self.obtained)
        self.field("&Reliability:", self.reliability)
        self.finish_layout()
        self.resize(600, self.sizeHint().height())
        self.remember_opened()

    def form_values(self) -> dict[str, object]:
        return {
            "occurred_at": from_qdatetime(self.occurred.dateTime()),
            "category": self.category.currentData(),
            "description": self.description.toPlainText(),
            "pathway_stage": self.stage.currentData(),
            "source": self.source.currentData(),
            "obtained_how": self.obtained.text(),
            "reliability": self.reliability.currentData(),
        }

    def set_form_values(self, values: dict[str, object]) -> None:
        combos = {
            "category": self.category,
            "pathway_stage": self.stage,
            "source": self.source,
            "reliability": self.reliability,
        }
        for key, value in values.items():
            if key == "occurred_at" and isinstance(value, datetime):
                self.occurred.setDateTime(to_qdatetime(value))
            elif key == "description":
                self.description.setPlainText(str(value))
            elif key == "obtained_how":
                self.obtained.setText(str(value))
            elif key in combos:
                select_data(combos[key], value)

    def saved_values(self) -> dict[str, object] | None:
        if self.entry is None:
            return None
        entries = self.app.records.timeline(self.case_id)
        now = next((e for e in entries if e.id == self.entry.id), None)
        if now is None:
            return None
        return {
            "occurred_at": now.occurred_at,
            "category": now.category,
            "description": now.description,
            "pathway_stage": now.pathway_stage,
            "source": now.source,
            "obtained_how": now.obtained_how,
            "reliability": now.reliability,
        }

    def build_work(self) -> Callable[[], Any] | None:
        if not self.description.toPlainText().strip():
            self.field_problem(
                self.description_error,
                "Describe the behavior or event: what was said or done, in objective words.",
            )
            return None
        occurred = from_qdatetime(self.occurred.dateTime())
        now = utcnow()
        surprising = ""
        if occurred > now + timedelta(hours=TIMELINE_FUTURE_HOURS):
            surprising = "in the future"
        elif occurred < now - timedelta(days=TIMELINE_PAST_DAYS):
            surprising = "more than two years ago"
        if surprising and not confirm_timeline_date(
            self,
            f"This entry is dated {format_date(occurred)}, {surprising}. A timeline "
            "records what has happened. Use this date?",
        ):
            self.field_problem(self.when_error, "Check the date and time it happened.")
            return None
        data = TimelineInput(
            occurred_at=occurred,
            category=combo_enum(self.category, TimelineCategory) or TimelineCategory.OTHER,
            description=self.description.toPlainText(),
            source=combo_enum(self.source, InformationSource) or InformationSource.OTHER,
            obtained_how=self.obtained.text(),
            reliability=combo_enum(self.reliability, Reliability) or Reliability.UNKNOWN,
            pathway_stage=combo_enum(self.stage, PathwayStage),
        )
        if self.entry is not None:
            entry_id = self.entry.id
            assert entry_id is not None
            revision = self.revision
            return lambda: self.app.records.update_timeline_entry(
                entry_id, data, expected_revision=revision
            )
        return lambda: self.app.records.add_timeline_entry(self.case_id, data)


# ---- notes -------------------------------------------------------------------------------------

NOTE_DRAFT = "case-note"


class NoteDialog(FormDialog):
    """A case note (contact attempt, interview, consultation, decision ...)."""

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(
            "Add a note",
            "Notes are part of the case record and cannot be edited later. Write facts, quotes "
            "and decisions; avoid opinions about a person's character or health.",
            "&Add note",
            parent,
        )
        self.app = app
        self.case_id = case_id
        self.category = enum_combo(NoteCategory, NoteCategory.OTHER)
        self.body = plain_text_edit(10, grow=True)
        self.body.setPlaceholderText("What happened, who was involved, what was decided")
        self.draft_banner = Banner(BannerKind.INFO, "", self, action_text="Discard")
        self.draft_banner.hide()
        self.draft_banner.action_triggered.connect(self._discard_draft)
        self._outer.insertWidget(1, self.draft_banner)
        self.field("&Category:", self.category)
        self.body_error = self.field("&Note:", self.body)
        self.finish_layout(stretch=False)
        self.resize(620, 420)

    # A half-written note survives a lock: the workspace saves it as a draft.
    def draft_payload(self) -> dict[str, Any] | None:
        body = self.body.toPlainText()
        if not body.strip():
            return None
        return {
            "category": self.category.currentData(),
            "body": body,
            "saved_at": utcnow().isoformat(),
        }

    def apply_draft(self, payload: dict[str, Any]) -> None:
        select_data(self.category, payload.get("category"))
        self.body.setPlainText(str(payload.get("body", "")))
        when = fmt_iso(payload.get("saved_at"))
        self.draft_banner.set_text(
            f"Restored the note you had not saved ({when})." if when else "Restored your note."
        )
        self.draft_banner.show()

    def _discard_draft(self) -> None:
        self.body.clear()
        self.draft_banner.hide()
        self.app.drafts.discard(NOTE_DRAFT, str(self.case_id))

    def build_work(self) -> Callable[[], Any] | None:
        body = self.body.toPlainText()
        if not body.strip():
            self.field_problem(
                self.body_error, "The note is empty. Write what happened or was decided."
            )
            return None
        category = combo_enum(self.category, NoteCategory) or NoteCategory.OTHER
        app, case_id = self.app, self.case_id

        def work() -> object:
            note = app.records.add_note(case_id, category, body)
            app.drafts.discard(NOTE_DRAFT, str(case_id))
            return note

        return work

    def reject(self) -> None:
        if not self.is_busy() and self.draft_banner.isVisible():
            # Closing a restored note without saving: keep the draft for next time.
            payload = self.draft_payload()
            if payload:
                self.app.drafts.save(NOTE_DRAFT, payload, str(self.case_id))
            else:
                self.app.drafts.discard(NOTE_DRAFT, str(self.case_id))
        super().reject()


# ---- disclosures -------------------------------------------------------------------------------

EMERGENCY_BASIS_HINT = (
    "Required for a health-or-safety emergency disclosure (FERPA, 34 CFR 99.32(a)(5)): describe "
    "the articulable and significant threat that made the disclosure necessary."
)


class DisclosureDialog(FormDialog):
    """Who was told what, when, why and on what legal basis."""

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(
            "Record a disclosure",
            "Record every time information from this case is shared outside the team. The "
            "disclosure log is kept as long as the case record.",
            "&Record disclosure",
            parent,
        )
        self.app = app
        self.case_id = case_id
        self.disclosed_at = datetime_edit()
        self.recipient_kind = enum_combo(DisclosureRecipient, DisclosureRecipient.PARENT_GUARDIAN)
        for index in range(self.recipient_kind.count()):
            data = self.recipient_kind.itemData(index)
            self.recipient_kind.setItemText(index, recipient_label(str(data)))
        self.recipient_name = QLineEdit()
        self.recipient_name.setPlaceholderText("Person or office that was told")
        self.information = plain_text_edit(3)
        self.information.setPlaceholderText("What information was shared")
        self.purpose = plain_text_edit(2)
        self.purpose.setPlaceholderText("Why it was shared")
        self.basis = enum_combo(DisclosureBasis, DisclosureBasis.SCHOOL_OFFICIAL)
        self.threat = plain_text_edit(3)
        self.threat.setPlaceholderText("The threat the disclosure responded to")

        self.field("&When:", self.disclosed_at, name="When it was disclosed")
        self.field("Recipient &kind:", self.recipient_kind)
        self.name_error = self.field("Recipient &name:", self.recipient_name)
        self.information_error = self.field("&What was disclosed:", self.information)
        self.purpose_error = self.field("W&hy:", self.purpose)
        self.field("&Legal basis:", self.basis)
        self.threat_frame = QFrame()
        frame_column = QVBoxLayout(self.threat_frame)
        frame_column.setContentsMargins(0, 0, 0, 0)
        frame_column.setSpacing(4)
        self._threat_column = frame_column
        self.threat_hint = muted_label(EMERGENCY_BASIS_HINT)
        self.threat_hint.setWordWrap(True)
        frame_column.addWidget(self.threat)
        frame_column.addWidget(self.threat_hint)
        self.threat_error = self.field(
            "Articulable &threat:",
            self.threat_frame,
            key="articulable_threat",
            name="Articulable and significant threat",
            target=self.threat,
        )
        self.threat_caption = self.threat_error.caption
        self.basis.currentIndexChanged.connect(self._basis_changed)
        self._basis_changed()
        self.finish_layout()
        self.resize(640, self.sizeHint().height())

    def emergency_basis(self) -> bool:
        return bool(self.basis.currentData() == DisclosureBasis.HEALTH_SAFETY_EMERGENCY.value)

    def threat_required(self) -> bool:
        return self.emergency_basis()

    def _basis_changed(self) -> None:
        required = self.emergency_basis()
        caption = self.threat_caption
        if isinstance(caption, QLabel):
            caption.setText(
                "Articulable &threat (required):" if required else "Articulable &threat:"
            )
            font = caption.font()
            font.setBold(required)
            caption.setFont(font)
        self.threat_hint.setVisible(required)
        self.threat.setAccessibleDescription("Required" if required else "Optional")
        if required:
            colors = current_colors()
            self.threat_frame.setObjectName("threatFrame")
            # Room inside the box comes from the layout's margins (a style-sheet padding is
            # not known to the layout, so the hint used to be drawn over the text box).
            self.threat_frame.setStyleSheet(
                f"QFrame#threatFrame {{ background: {colors.warning_bg}; "
                f"border: 1px solid {colors.warning_border}; border-radius: 6px; }}"
                f"QFrame#threatFrame QLabel {{ color: {colors.warning_fg}; }}"
            )
            self._threat_column.setContentsMargins(10, 10, 10, 10)
        else:
            self.threat_frame.setStyleSheet("")
            self._threat_column.setContentsMargins(0, 0, 0, 0)
            self.threat_error.clear_message()
        self._grow_to_fit_hint()

    def _grow_to_fit_hint(self) -> None:
        """Grow to fit the hint when it shows, so nothing is drawn on top of anything. The
        wrapped hint's height depends on the width the dialog finally got, so this runs again
        on every resize."""
        if self.threat_hint.isVisibleTo(self):
            width = max(self.threat.width(), self.threat_hint.width(), 200)
            self.threat_hint.setMinimumHeight(self.threat_hint.heightForWidth(width))
        else:
            self.threat_hint.setMinimumHeight(0)
        self._threat_column.activate()
        layout = self.layout()
        if layout is not None:
            layout.activate()
        needed = self.sizeHint().height()
        if self.height() < needed:
            self.resize(self.width(), needed)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._grow_to_fit_hint()

    def build_work(self) -> Callable[[], Any] | None:
        ok = True
        if not self.recipient_name.text().strip():
            self.field_problem(self.name_error, "Name the person or office that was told.")
            ok = False
        if not self.information.toPlainText().strip():
            self.field_problem(self.information_error, "Say what information was disclosed.")
            ok = False
        if not self.purpose.toPlainText().strip():
            self.field_problem(self.purpose_error, "Say why it was disclosed.")
            ok = False
        if self.threat_required() and not self.threat.toPlainText().strip():
            self.field_problem(
                self.threat_error,
                "A health-or-safety emergency disclosure must record the articulable and "
                "significant threat it responded to.",
            )
            ok = False
        if not ok:
            return None
        data = DisclosureInput(
            disclosed_at=from_qdatetime(self.disclosed_at.dateTime()),
            recipient_kind=combo_enum(self.recipient_kind, DisclosureRecipient)
            or DisclosureRecipient.OTHER,
            recipient_name=self.recipient_name.text(),
            information_disclosed=self.information.toPlainText(),
            purpose=self.purpose.toPlainText(),
            legal_basis=combo_enum(self.basis, DisclosureBasis) or DisclosureBasis.OTHER,
            articulable_threat=self.threat.toPlainText(),
        )
        return lambda: self.app.records.add_disclosure(self.case_id, data)


# ---- level of concern --------------------------------------------------------------------------


class LevelDialog(FormDialog):
    """Decide the case's level of concern on its scale, with the rationale."""

    def __init__(
        self, app: Btam, case: Case, scale: LevelScale, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Set the level of concern",
            "The team decides the level of concern from everything it knows. Write the facts "
            "the decision rests on; the decision is kept with your name and the time, and "
            "cannot be changed later.",
            "&Set level",
            parent,
        )
        self.app = app
        self.case = case
        self.scale = scale
        self.level = level_combo(scale, case.level, none_text="" if case.level else "Choose…")
        self.description = muted_label("")
        self.description.setAccessibleName("What this level means")
        self.rationale = plain_text_edit(5)
        self.rationale.setPlaceholderText(
            "The facts this level rests on: behavior, statements, stressors, protective factors"
        )
        self.level_error = self.field("&Level:", self.level, name="Level of concern")
        self.form.addRow("", self.description)
        self.rationale_error = self.field("&Rationale:", self.rationale, key="rationale")
        self.form.addRow("", muted_label(f"Scale: {scale.title}"))
        self.level.currentIndexChanged.connect(self._level_changed)
        self._level_changed()
        self.finish_layout()
        self.resize(600, self.sizeHint().height())

    def _level_changed(self) -> None:
        code = self.level.currentData()
        if code and self.scale.has_level(code):
            self.description.setText(self.scale.level(code).description.strip())
            self.description.show()
        else:
            self.description.hide()

    def build_work(self) -> Callable[[], Any] | None:
        ok = True
        code = self.level.currentData()
        if not code:
            self.field_problem(self.level_error, "Choose a level of concern.")
            ok = False
        rationale = self.rationale.toPlainText()
        if not rationale.strip():
            self.field_problem(
                self.rationale_error,
                "Write the rationale for this level of concern: the facts it rests on.",
            )
            ok = False
        if not ok:
            return None
        case_id = self.case.id
        assert case_id is not None
        return lambda: self.app.cases.decide_level(case_id, str(code), rationale)


# ---- members and legal hold --------------------------------------------------------------------


def member_list(
    accounts: Sequence[Account], checked: Iterable[object], *, name: str, key: str = "id"
) -> QListWidget:
    """A list of team members with check boxes; item data is the account id (or username)."""
    chosen = set(checked)
    widget = QListWidget()
    widget.setAccessibleName(name)
    widget.setUniformItemSizes(True)
    for account in accounts:
        role = Role(account.role).label
        extra = f", {account.team_role}" if account.team_role else ""
        item = QListWidgetItem(
            f"{person_name(account.display_name, account.username)}  ({role}{extra})"
        )
        value: object = account.id if key == "id" else account.username
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if value in chosen else Qt.CheckState.Unchecked)
        widget.addItem(item)
    widget.setSpacing(2)
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    widget.setTextElideMode(Qt.TextElideMode.ElideRight)
    rows = max(2, min(len(accounts), 7))
    row_height = max(widget.sizeHintForRow(0) if accounts else 0, widget.fontMetrics().height() + 6)
    widget.setFixedHeight((row_height + 4) * rows + 2 * widget.frameWidth() + 4)
    widget.setMinimumWidth(360)
    return widget


def checked_values(widget: QListWidget) -> list[Any]:
    values = []
    for row in range(widget.count()):
        item = widget.item(row)
        if item.checkState() == Qt.CheckState.Checked:
            values.append(item.data(Qt.ItemDataRole.UserRole))
    return values


def set_checked(widget: QListWidget, values: Iterable[Any]) -> None:
    wanted = set(values)
    for row in range(widget.count()):
        item = widget.item(row)
        item.setCheckState(
            Qt.CheckState.Checked
            if item.data(Qt.ItemDataRole.UserRole) in wanted
            else Qt.CheckState.Unchecked
        )


class MembersDialog(FormDialog):
    """Which team members work this case."""

    def __init__(
        self,
        app: Btam,
        case_id: int,
        accounts: Sequence[Account],
        assigned: Iterable[int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Assigned team members",
            "Tick the team members who work this case. They see it under “My cases”.",
            "&Save",
            parent,
        )
        self.app = app
        self.case_id = case_id
        self._opened = sorted(set(assigned))  # the members as they were when the dialog opened
        self.members = member_list(accounts, assigned, name="Team members")
        self.field("&Members:", self.members)
        self.finish_layout()
        self.resize(560, self.sizeHint().height())

    def build_work(self) -> Callable[[], Any] | None:
        ids = [int(v) for v in checked_values(self.members)]
        expected = list(self._opened)
        return lambda: self.app.cases.set_members(self.case_id, ids, expected_members=expected)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, EditConflictError) and isinstance(error.current, list):
            # Someone changed the members meanwhile: theirs, with this person's own ticks and
            # unticks on top; Save again keeps the result.
            self._set_busy(False)
            theirs = {int(v) for v in error.current}
            mine, opened = {int(v) for v in checked_values(self.members)}, set(self._opened)
            set_checked(self.members, (theirs | (mine - opened)) - (opened - mine))
            self._opened = sorted(theirs)
            self.show_error(conflict_choice(error, "Save again", "Cancel"))
            self.resize(self.width(), max(self.height(), self.sizeHint().height()))
            return
        super()._failed(error)


class LegalHoldDialog(FormDialog):
    """Set or lift the legal hold (coordinator only): a held case cannot be destroyed."""

    def __init__(self, app: Btam, case_id: int, on: bool, parent: QWidget | None = None) -> None:
        super().__init__(
            "Set a legal hold" if on else "Lift the legal hold",
            "While a legal hold is set, the case cannot be destroyed, even when its retention "
            "period ends. Set it when litigation is expected or a request to inspect the "
            "records is open."
            if on
            else "Lifting the hold lets the case be destroyed once its retention period ends.",
            "&Set hold" if on else "&Lift hold",
            parent,
        )
        self.app = app
        self.case_id = case_id
        self.on = on
        self.reason = plain_text_edit(3)
        self.reason.setPlaceholderText(
            "e.g. parent's request to inspect records received on 3 March"
            if on
            else "e.g. the request to inspect was fulfilled"
        )
        self.reason_error = self.field("&Reason:", self.reason)
        self.finish_layout()
        self.resize(520, self.sizeHint().height())

    def build_work(self) -> Callable[[], Any] | None:
        reason = self.reason.toPlainText()
        if not reason.strip():
            self.field_problem(self.reason_error, "Say why the legal hold is set or lifted.")
            return None
        return lambda: self.app.cases.set_legal_hold(self.case_id, self.on, reason)


def chip_style(color_hex: str) -> str:
    """A style sheet for a QLabel drawn as a level chip (used where a LevelBadge won't fit)."""
    return (
        f"QLabel {{ background: {color_hex}; color: {level_text_color(color_hex)}; "
        "border-radius: 9px; padding: 1px 10px; font-weight: 600; }"
    )


__all__ = [
    "DisclosureDialog",
    "LegalHoldDialog",
    "LevelDialog",
    "MembersDialog",
    "NoteDialog",
    "PersonDialog",
    "TimelineEntryDialog",
    "checked_values",
    "chip_style",
    "combo_enum",
    "datetime_edit",
    "enum_combo",
    "level_combo",
    "level_icon",
    "member_list",
    "recipient_label",
    "select_data",
    "set_checked",
]
