"""Disclosures: who was told what, when, why and on what legal basis (FERPA 99.32)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QSplitter, QVBoxLayout, QWidget

from btam_desktop.domain.enums import DisclosureBasis
from btam_desktop.domain.models import Disclosure
from btam_desktop.services.app import Btam
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import fmt_datetime, value_label
from btam_desktop.ui.case_tabs.data import CaseData
from btam_desktop.ui.record_dialogs import DisclosureDialog, recipient_label
from btam_desktop.ui.widgets.form_dialog import new_form
from btam_desktop.ui.widgets.record_table import Column, RecordTable


def _label(kind: type, value: str) -> str:
    try:
        return str(kind(value).label)
    except ValueError:
        return value


class DisclosuresTab(CaseTab):
    name = "disclosures"
    title = "Disclosures"
    icon_name = "disclosure"

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(app, case_id, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        self.add_button = self.button(
            "&Record a disclosure…",
            "disclosure",
            self.record_disclosure,
            tooltip="Record information from this case shared outside the team",
        )
        layout.addLayout(self.button_row(self.add_button))
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        self.table: RecordTable[Disclosure] = RecordTable(
            [
                Column("Date", lambda d: d.disclosed_at, width=140),
                Column("Recipient", lambda d: recipient_label(d.recipient_kind), width=140),
                Column("Name", lambda d: d.recipient_name, width=180),
                Column("Legal basis", lambda d: _label(DisclosureBasis, d.legal_basis), width=240),
                Column("What was disclosed", lambda d: d.information_disclosed, width=260),
                Column("Recorded by", lambda d: self.name_of(d.disclosed_by_id)),
            ],
            "Disclosures",
            "No disclosures recorded. Record every time information from this case is shared "
            "outside the team (parents, law enforcement, another school).",
        )
        splitter.addWidget(self.table)
        detail_box = QGroupBox("Selected disclosure")
        form = new_form()
        detail_box.setLayout(form)
        self.details: dict[str, object] = {}
        for key, caption in (
            ("when", "When:"),
            ("recipient", "Told:"),
            ("what", "What was disclosed:"),
            ("why", "Why:"),
            ("basis", "Legal basis:"),
            ("threat", "Articulable threat:"),
            ("by", "Recorded by:"),
        ):
            label = value_label(name=caption.rstrip(":"))
            self.details[key] = label
            form.addRow(caption, label)
        splitter.addWidget(detail_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        self._show_selected()

    def populate(self, data: CaseData) -> None:
        super().populate(data)
        self.table.set_rows(data.disclosures)
        self._show_selected()

    def _selected(self) -> Disclosure | None:
        return self.table.selected_row()

    def _show_selected(self, *_args: object) -> None:
        item = self._selected()
        values = {key: "" for key in self.details}
        if item is not None and self.data is not None:
            values = {
                "when": fmt_datetime(item.disclosed_at),
                "recipient": f"{item.recipient_name} ({recipient_label(item.recipient_kind)})",
                "what": item.information_disclosed,
                "why": item.purpose,
                "basis": _label(DisclosureBasis, item.legal_basis),
                "threat": item.articulable_threat or "—",
                "by": self.data.name_of(item.disclosed_by_id),
            }
        elif self.data is not None and self.data.disclosures:
            values["when"] = "Select a disclosure in the table to read it in full."
        for key, label in self.details.items():
            label.setText(values[key])  # type: ignore[attr-defined]

    def record_disclosure(self) -> None:
        self.open_dialog(DisclosureDialog(self.app, self.case_id, self))
