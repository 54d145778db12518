"""People: everyone involved in the case, by role."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QVBoxLayout, QWidget

from btam_desktop.domain.enums import PersonRole
from btam_desktop.services.app import Btam
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import (
    RecordTable,
    cell,
    error_message,
    muted_label,
    show_problem,
)
from btam_desktop.ui.case_tabs.data import CaseData
from btam_desktop.ui.record_dialogs import PersonDialog
from btam_desktop.ui.tasks import run_in_background

NO_SELECTION = "Select a person in the table first."


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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        self.add_button = self.button("&Add person…", "add", self.add_person)
        self.edit_button = self.button("&Edit…", "edit", self.edit_selected)
        self.remove_button = self.button("&Remove", "remove", self.remove_selected)
        layout.addLayout(self.button_row(self.add_button, self.edit_button, self.remove_button))
        self.table = RecordTable(
            ["Role", "Name", "Affiliation", "Grade or position", "Contact", "Notes"],
            "People in this case",
            "No people recorded yet. A case may start without a known subject.",
        )
        self.table.fit_columns([130, 200, 200, 150, 200])
        layout.addWidget(self.table, 1)
        self.message = muted_label("")
        self.message.hide()
        layout.addWidget(self.message)
        self.table.activated_id.connect(self._edit_id)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def populate(self, data: CaseData) -> None:
        super().populate(data)
        rows = []
        order = {role.value: i for i, role in enumerate(PersonRole)}
        withheld = {r.reporter_id for r in data.reports if r.reporter_confidential}
        for person in data.people:
            name = "Anonymous" if person.anonymous else (person.full_name or "Not known yet")
            if person.id in withheld:
                name += " (confidential: withhold from the subject and family)"
            rows.append(
                [
                    cell(
                        role_label(person.role),
                        f"{order.get(person.role, 9)}-{person.id:08d}",
                        record_id=person.id,
                    ),
                    cell(name),
                    cell(person.affiliation),
                    cell(person.grade_or_position),
                    cell(person.contact),
                    cell(person.notes),
                ]
            )
        self.table.set_rows(rows)
        self._selection_changed()

    def _selection_changed(self, *_args: object) -> None:
        selected = self.table.selected_id() is not None
        self.selection_dependent(self.edit_button, selected, NO_SELECTION)
        self.selection_dependent(self.remove_button, selected, NO_SELECTION)

    def add_person(self) -> None:
        self.open_dialog(PersonDialog(self.app, self.case_id, parent=self))

    def edit_selected(self) -> None:
        person_id = self.table.selected_id()
        if person_id is not None:
            self._edit_id(person_id)

    def _edit_id(self, person_id: int) -> None:
        if not self.can_work or self.data is None:
            return
        person = next((p for p in self.data.people if p.id == person_id), None)
        if person is not None:
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
        run_in_background(
            lambda: self.app.records.remove_person(person_id),
            on_done=lambda _r: self.changed.emit(),
            on_error=self._failed,
            parent=self,
        )

    def _failed(self, error: BaseException) -> None:
        show_problem(self.message, error_message(error))
