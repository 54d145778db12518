"""Audit (coordinator only): who did what with this case, newest first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from btam_desktop.domain.models import Account, AuditEvent
from btam_desktop.services import audit_log
from btam_desktop.services.app import Btam
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import muted_label
from btam_desktop.ui.case_tabs.data import CaseData
from btam_desktop.ui.widgets.record_table import Column, RecordTable


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
        self._accounts: dict[str, Account] = {}
        self.table: RecordTable[AuditEvent] = RecordTable(
            [
                Column("Time", lambda e: e.at, sort=lambda e: (e.at, e.id or 0), width=150),
                Column("Who", self._who, tooltip=lambda e: f"User name: {e.username}", width=120),
                Column(
                    "What",
                    lambda e: audit_log.event_label(e.action, e.summary),
                    tooltip=lambda e: e.action,
                    width=200,
                ),
                Column("Details", lambda e: audit_log.readable_summary(e.summary)),
            ],
            "Audit trail of this case",
            "No events.",
        )
        layout.addWidget(self.table, 1)

    def populate(self, data: CaseData) -> None:
        super().populate(data)
        self._accounts = {a.username: a for a in data.accounts.values()}
        self.table.set_rows(data.audit or [])
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)

    def _who(self, event: AuditEvent) -> str:
        account = self._accounts.get(event.username)
        return account.display_name if account and account.display_name else event.username
