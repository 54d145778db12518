"""People: everyone involved in the case, by role."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QVBoxLayout, QWidget

from btam_desktop.domain.enums import PersonRole
from btam_desktop.domain.models import Person
from btam_desktop.services.app import Btam
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import error_message, muted_label
from btam_desktop.ui.case_tabs.data import CaseData
from btam_desktop.ui.operations import run_operation
from btam_desktop.ui.record_dialogs import PersonDialog
from btam_desktop.ui.widgets.form_dialog import show_problem
from btam_desktop.ui.widgets.record_table import Column, RecordTable

NO_SELECTION = "Select a person in the table first."


ROLE_ORDER = {role.value: i for i, role in enumerate(PersonRole)}


def role_label(value: str) -> str:
    try:
        return PersonRole(value).label
    except ValueError:
        return value


class PeopleTab(CaseTab):
    name = "people"
    title = "People"
    icon_name = "people"

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(app, case_id, parent)
        self._withheld: set[int | None] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        self.add_button = self.button("&Add person…", "add", self.add_person)
        self.edit_button = self.button("&Edit…", "edit", self.edit_selected)
        self.remove_button = self.button("&Remove", "remove", self.remove_selected)
        layout.addLayout(self.button_row(self.add_button, self.edit_button, self.remove_button))
        self.table: RecordTable[Person] = RecordTable(
            [
                Column(
                    "Role",
                    lambda p: role_label(p.role),
                    sort=lambda p: (ROLE_ORDER.get(p.role, len(ROLE_ORDER)), p.id or 0),
                    width=130,
                ),
                Column("Name", self._shown_name, width=200),
                Column("Affiliation", lambda p: p.affiliation, width=200),
                Column("Grade or position", lambda p: p.grade_or_position, width=150),
                Column("Contact", lambda p: p.contact, width=200),
                Column("Notes", lambda p: p.notes),
            ],
            "People in this case",
            "No people recorded yet. A case may start without a known subject.",
        )
        layout.addWidget(self.table, 1)
        self.message = muted_label("")
        self.message.hide()
        layout.addWidget(self.message)
        self.table.activated_row.connect(self._edit)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def populate(self, data: CaseData) -> None:
        super().populate(data)
        self._withheld = {r.reporter_id for r in data.reports if r.reporter_confidential}
        self.table.set_rows(data.people)
        self._selection_changed()

    def _shown_name(self, person: Person) -> str:
        name = "Anonymous" if person.anonymous else (person.full_name or "Not known yet")
        if person.id in self._withheld:
            name += " (confidential: withhold from the subject and family)"
        return name

    def _selection_changed(self, *_args: object) -> None:
        selected = self.table.selected_id() is not None
        self.selection_dependent(self.edit_button, selected, NO_SELECTION)
        self.selection_dependent(self.remove_button, selected, NO_SELECTION)

    def add_person(self) -> None:
        self.open_dialog(PersonDialog(self.app, self.case_id, parent=self))

    def edit_selected(self) -> None:
        person = self.table.selected_row()
        if person is not None:
            self._edit(person)

    def _edit(self, person: Person) -> None:
        if self.can_work:
            self.open_dialog(PersonDialog(self.app, self.case_id, person, self))

    def remove_selected(self) -> None:
        person_id = self.table.selected_id()
        if person_id is None or self.data is None:
            return
        answer = QMessageBox.question(
            self,
            "Remove person",
            "Remove this person from the case? The removal is kept in the audit trail.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.message.hide()
        run_operation(
            self,
            lambda: self.app.records.remove_person(person_id),
            what="remove the person",
            on_done=lambda _r: self.changed.emit(),
            on_error=self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        show_problem(self.message, error_message(error))
