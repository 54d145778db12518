"""Audit (coordinator only): the team-wide trail with filters, and excerpts as PDF or CSV.

Opening the page and exporting an excerpt are both recorded in the trail they show.
"""

from __future__ import annotations

import contextlib
import os
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.audit_kinds import AuditKind
from btam_desktop.domain.errors import VaultError
from btam_desktop.domain.text import plural
from btam_desktop.reports.audit_report import export_audit_excerpt
from btam_desktop.services.app import Btam
from btam_desktop.services.audit_log import AuditQuery, AuditRow
from btam_desktop.ui.icons import icon
from btam_desktop.ui.locale_formats import date_field_pattern
from btam_desktop.ui.messages import NOT_SAVED, error_message
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.theme import set_style_role
from btam_desktop.ui.vault_events import RefreshOnChange
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.record_table import Column, RecordTable

NO_DATE = QDate(2000, 1, 1)  # the "any day" value of the date fields
SHOWN = 1000


class _DateField(QDateEdit):
    """Tab leaves the field (instead of stepping through year, month and day): no trap."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


def _date_field(name: str) -> QDateEdit:
    field = _DateField()
    field.setCalendarPopup(True)
    field.setDisplayFormat(date_field_pattern())
    field.setMinimumDate(NO_DATE)
    field.setSpecialValueText("Any day")
    field.setDate(NO_DATE)
    field.setAccessibleName(name)
    return field


def _chosen(field: QDateEdit) -> date | None:
    value = field.date()
    return None if value == NO_DATE else date(value.year(), value.month(), value.day())


def write_file(path: Path, data: bytes) -> None:
    """Write under a temporary name in the target folder, flush, then rename."""
    tmp = path.with_name(f".{path.name}.writing")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


class AuditPage(QWidget):
    def __init__(self, app: Btam, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.follow_changes = RefreshOnChange(self, self.refresh)  # refreshes itself (issue 13)
        self.setObjectName("auditPage")
        self._app = app
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        heading = QLabel("Audit trail")
        set_style_role(heading, "heading")
        layout.addWidget(heading)
        intro = QLabel(
            "Everything anyone did in this vault, newest first: sign-ins and failed sign-ins, "
            "views, changes, printouts, exports, refusals and team changes. The trail cannot "
            "be edited, and looking at it or exporting it is recorded too."
        )
        intro.setWordWrap(True)
        set_style_role(intro, "muted")
        layout.addWidget(intro)

        self.person = QComboBox()
        self.person.setAccessibleName("Person")
        self.person.addItem("Everyone", "")
        for username, display in app.audit_log.people():
            label = display if display == username else f"{display} ({username})"
            self.person.addItem(label, username)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of event")
        self.kind.addItem("All kinds", "")
        for kind in AuditKind:
            self.kind.addItem(kind.label, kind.value)
        self.case = QLineEdit()
        self.case.setAccessibleName("Case number")
        self.case.setPlaceholderText("All cases, or e.g. 2026-0042")
        self.case.setClearButtonEnabled(True)
        self.since = _date_field("From")
        self.until = _date_field("To")
        self.show_button = QPushButton(icon("search"), "Show")
        self.show_button.setDefault(True)
        self.clear_button = QPushButton("Clear filters")

        filters = QHBoxLayout()
        filters.setSpacing(12)
        left = QFormLayout()
        left.addRow("&Person:", self.person)
        left.addRow("&Kind:", self.kind)
        middle = QFormLayout()
        middle.addRow("C&ase:", self.case)
        dates = QHBoxLayout()
        dates.addWidget(self.since)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.until)
        middle.addRow("Dates:", dates)
        buttons = QVBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.clear_button)
        filters.addLayout(left, 3)
        filters.addLayout(middle, 3)
        filters.addLayout(buttons)
        layout.addLayout(filters)

        self.banner = Banner(BannerKind.WARNING, "", self, closable=True)
        self.banner.hide()
        layout.addWidget(self.banner)

        self.table: RecordTable[AuditRow] = RecordTable(
            [
                Column("Time", lambda r: r.at, sort=lambda r: (r.at, r.id), width=140),
                Column(
                    "Who", lambda r: r.who, tooltip=lambda r: f"User name: {r.username}", width=150
                ),
                Column("What", lambda r: r.label, tooltip=lambda r: f"Code: {r.action}", width=260),
                Column("Case", lambda r: r.case_number, width=90),
                Column("Details", lambda r: r.summary),
            ],
            "Audit trail",
            "No events match these filters.",
        )
        layout.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.count_label = QLabel("")
        set_style_role(self.count_label, "muted")
        bottom.addWidget(self.count_label, 1)
        self.pdf_button = QPushButton(icon("print"), "Export as PDF…")
        self.csv_button = QPushButton("Export as CSV…")
        bottom.addWidget(self.pdf_button)
        bottom.addWidget(self.csv_button)
        layout.addLayout(bottom)

        self.show_button.clicked.connect(self.refresh)
        self.clear_button.clicked.connect(self.clear_filters)
        self.case.returnPressed.connect(self.refresh)
        for combo in (self.person, self.kind):
            combo.currentIndexChanged.connect(self.refresh)
        for field in (self.since, self.until):
            field.dateChanged.connect(self.refresh)
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        self.csv_button.clicked.connect(lambda: self.export("csv"))
        self.rows: list[AuditRow] = []
        with contextlib.suppress(VaultError):
            app.audit_log.record_view(AuditQuery())
        self.refresh()

    def query(self, *, limit: int = SHOWN) -> AuditQuery:
        kind = self.kind.currentData()
        return AuditQuery(
            username=str(self.person.currentData() or ""),
            kind=AuditKind(kind) if kind else None,
            case_number=self.case.text().strip(),
            since=_chosen(self.since),
            until=_chosen(self.until),
            limit=limit,
        )

    def clear_filters(self) -> None:
        for widget in (self.person, self.kind, self.since, self.until):
            widget.blockSignals(True)
        self.person.setCurrentIndex(0)
        self.kind.setCurrentIndex(0)
        self.since.setDate(NO_DATE)
        self.until.setDate(NO_DATE)
        for widget in (self.person, self.kind, self.since, self.until):
            widget.blockSignals(False)
        self.case.clear()
        self.refresh()

    def _problem(self, text: str) -> None:
        self.banner.set_text(text)
        self.banner.show()

    def refresh(self) -> None:
        try:
            self.rows = self._app.audit_log.rows(self.query())
        except VaultError as error:
            self._problem(str(error))
            return
        self.banner.hide()
        self.table.set_rows(self.rows)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        more = (
            " (the newest; narrow the filters or export to see more)"
            if len(self.rows) >= SHOWN
            else ""
        )
        self.count_label.setText(f"{plural(len(self.rows), 'event')}{more}")

    def export(self, fmt: str) -> Path | None:
        """Ask where, then write the excerpt of the current filters (all matching events)."""
        query = self.query(limit=1_000_000)
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = f"audit-excerpt-{date.today().isoformat()}.{fmt}"
        start = str(Path(folder) / name) if folder else name
        kinds = "PDF documents (*.pdf)" if fmt == "pdf" else "CSV files (*.csv)"
        path, _filter = QFileDialog.getSaveFileName(self, "Export the audit excerpt", start, kinds)
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != f".{fmt}":
            target = target.with_name(f"{target.name}.{fmt}")
        app = self._app

        def work() -> Path:  # a long trail takes seconds: off the GUI thread
            data = (
                export_audit_excerpt(app, query)
                if fmt == "pdf"
                else app.audit_log.export_csv(query)
            )
            write_file(target, data)
            return target

        self.pdf_button.setEnabled(False)
        self.csv_button.setEnabled(False)
        self.count_label.setText("Writing the excerpt…")
        self.exporting = run_in_background(
            work, on_done=self._exported, on_error=self._export_failed, parent=self
        )
        return target

    def _exported(self, target: Path) -> None:
        self.pdf_button.setEnabled(True)
        self.csv_button.setEnabled(True)
        self.refresh()
        self.count_label.setText(f"{self.count_label.text()} · excerpt saved to {target.name}")

    def _export_failed(self, error: BaseException) -> None:
        self.pdf_button.setEnabled(True)
        self.csv_button.setEnabled(True)
        self.refresh()
        if isinstance(error, OSError):
            QMessageBox.critical(
                self,
                "Not saved",
                f"The excerpt could not be saved there ({error.strerror or 'write refused'}). "
                "Choose another folder.",
            )
        else:
            self._problem(error_message(error, NOT_SAVED, during="an audit excerpt"))
