"""Add someone outside the team (a coach, the school resource officer, a parent) to the team's
contacts, so a plan item can name them as responsible."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLineEdit, QWidget

from btam_desktop.services.app import Btam
from btam_desktop.services.plans import ContactInput
from btam_desktop.ui.widgets.form_dialog import FormDialog


class ContactDialog(FormDialog):
    """Name, role, organization and how to reach them. Saved for the whole team."""

    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__(
            "Add a contact",
            "Someone outside the team who can carry out a plan item: a coach, the school "
            "resource officer, a parent, a security officer. The contact is kept for the whole "
            "team and can be chosen as responsible on any plan.",
            "&Add contact",
            parent,
        )
        self.app = app
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Alex Rivera")
        self.name_error = self.field("&Name:", self.name, name="Contact name", key="name")
        self.role = QLineEdit()
        self.role.setPlaceholderText("e.g. Coach, School resource officer, Parent")
        self.field("&Role:", self.role, name="Contact role")
        self.organization = QLineEdit()
        self.organization.setPlaceholderText("e.g. Maple Grove athletics, City police")
        self.field("&Organization:", self.organization, name="Contact organization")
        self.reach = QLineEdit()
        self.reach.setPlaceholderText("Phone, email or extension")
        self.field("&How to reach:", self.reach, name="How to reach the contact")
        self.finish_layout()
        self.resize(520, self.sizeHint().height())

    def build_work(self) -> Callable[[], Any] | None:
        if not self.name.text().strip():
            self.field_problem(
                self.name_error, "Give the contact's name (or a description such as “coach”)."
            )
            return None
        data = ContactInput(
            self.name.text(), self.role.text(), self.organization.text(), self.reach.text()
        )
        return lambda: self.app.plans.add_contact(data)


__all__ = ["ContactDialog"]
