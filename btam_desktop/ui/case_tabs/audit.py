"""Audit (coordinator only): who did what with this case, newest first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from btam_desktop.services import audit_log
from btam_desktop.services.app import Btam
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import RecordTable, cell, fmt_datetime, muted_label, sort_key
from btam_desktop.ui.case_tabs.data import CaseData


def action_label(action: str) -> str:
    return audit_log.action_label(action)


class AuditTab(CaseTab):
    name = "audit"
    title = "Audit"
    icon_name = "audit"

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(app, case_id, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addWidget(
            muted_label(
                "Every view, change, print and export of this case, newest first. The trail "
                "cannot be edited."
            )
        )
        self.table = RecordTable(
            ["Time", "Who", "What", "Details"], "Audit trail of this case", "No events."
        )
        self.table.fit_columns([150, 120, 200])
        layout.addWidget(self.table, 1)

    def populate(self, data: CaseData) -> None:
        super().populate(data)
        rows = []
        accounts = {a.username: a for a in data.accounts.values()}
        for event in data.audit or []:
            who = accounts.get(event.username)
            rows.append(
                [
                    cell(
                        fmt_datetime(event.at),
                        f"{sort_key(event.at)}-{event.id:010d}",
                        record_id=event.id,
                    ),
                    cell(
                        who.display_name if who and who.display_name else event.username,
                        tooltip=f"User name: {event.username}",
                    ),
                    cell(audit_log.event_label(event.action, event.summary), tooltip=event.action),
                    cell(audit_log.readable_summary(event.summary)),
                ]
            )
        self.table.set_rows(rows)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
