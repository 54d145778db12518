"""Compare two versions of a plan: what changed, before and after, in words."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.formatting import plural
from btam_desktop.domain.models import ManagementPlan
from btam_desktop.services.app import Btam
from btam_desktop.services.plans import PlanChange
from btam_desktop.ui.case_tabs.common import error_message, muted_label
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.widgets.form_dialog import show_problem
from btam_desktop.ui.widgets.record_table import Column, RecordTable

TOP_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop


def _or_dash(value: object) -> str:
    """A side that had nothing (added or removed) shows a dash rather than an empty cell."""
    return str(value) if value else "—"


def version_label(plan: ManagementPlan) -> str:
    status = {
        "draft": "draft",
        "proposed": "proposed",
        "approved": "approved, in force",
        "superseded": "superseded",
    }.get(plan.status, plan.status)
    return f"Version {plan.version} ({status})"


class DiffDialog(QDialog):
    """Two version pickers and the list of ``PlanChange`` rows (what, before → after)."""

    def __init__(
        self,
        app: Btam,
        versions: Sequence[ManagementPlan],
        older_id: int,
        newer_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.setWindowTitle("Compare plan versions")
        self._versions = list(versions)
        self.changes: list[PlanChange] = []
        self._loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)

        pickers = QHBoxLayout()
        self.older = QComboBox()
        self.older.setAccessibleName("Earlier version")
        self.newer = QComboBox()
        self.newer.setAccessibleName("Later version")
        for plan in self._versions:
            self.older.addItem(version_label(plan), plan.id)
            self.newer.addItem(version_label(plan), plan.id)
        first = QLabel("&Compare")
        first.setBuddy(self.older)
        second = QLabel("&with")
        second.setBuddy(self.newer)
        pickers.addWidget(first)
        pickers.addWidget(self.older, 1)
        pickers.addWidget(second)
        pickers.addWidget(self.newer, 1)
        layout.addLayout(pickers)

        self.summary = muted_label("")
        layout.addWidget(self.summary)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)

        self.table: RecordTable[PlanChange] = RecordTable(
            [
                Column("What changed", lambda c: c.what, align=TOP_LEFT, width=260),
                Column("Before", lambda c: c.before, shown=_or_dash, align=TOP_LEFT),
                Column("After", lambda c: c.after, shown=_or_dash, align=TOP_LEFT),
            ],
            "Changes between the versions",
            "",
            row_id=lambda _c: None,
            parent=self,
        )
        self.table.setWordWrap(True)
        # The plan's own order (goals, then interventions, ...) until a heading is clicked.
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(True)
        header.sectionResized.connect(lambda *_a: self.table.resizeRowsToContents())
        layout.addWidget(self.table, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self._select(self.older, older_id)
        self._select(self.newer, newer_id)
        self.older.currentIndexChanged.connect(self.compare)
        self.newer.currentIndexChanged.connect(self.compare)
        self.resize(900, 560)
        self.compare()

    @staticmethod
    def _select(box: QComboBox, plan_id: int) -> None:
        position = box.findData(plan_id)
        if position >= 0:
            box.setCurrentIndex(position)

    def is_loading(self) -> bool:
        return self._loading

    def compare(self, *_args: object) -> None:
        older, newer = self.older.currentData(), self.newer.currentData()
        show_problem(self.problem, "")
        if older is None or newer is None:
            return
        if older == newer:
            self._show([], "Choose two different versions to see what changed.")
            return
        by_id = {p.id: p for p in self._versions}
        if by_id[older].version > by_id[newer].version:
            older, newer = newer, older
        self._loading = True
        self.summary.setText("Comparing…")
        app = self.app
        run_in_background(
            lambda: app.plans.diff(int(older), int(newer)),
            on_done=self._compared,
            on_error=self._failed,
            parent=self,
        )

    def _compared(self, changes: list[PlanChange]) -> None:
        self._loading = False
        count = len(changes)
        self._show(
            changes,
            "No differences." if count == 0 else plural(count, "change"),
        )

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self.summary.setText("")
        show_problem(self.problem, error_message(error))

    def _show(self, changes: list[PlanChange], summary: str) -> None:
        self.changes = list(changes)
        self.summary.setText(summary)
        self.table.set_rows(self.changes)
        self.table.resizeRowsToContents()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()

    def selected_change(self) -> PlanChange | None:
        """The change on the selected row (the record itself)."""
        return self.table.selected_row()
