"""Level history: every level-of-concern decision, with who decided, when and why."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from btam_desktop.domain.enums import LevelSource
from btam_desktop.services.app import Btam
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import (
    RecordTable,
    cell,
    fmt_datetime,
    muted_label,
    sort_key,
)
from btam_desktop.ui.case_tabs.data import CaseData
from btam_desktop.ui.record_dialogs import LevelDialog
from btam_desktop.ui.widgets import LEVEL_COLOR_ROLE, LevelDelegate

SOURCE_LABELS = {
    LevelSource.DECISION.value: "Team decision",
    LevelSource.SCREENING.value: "Screening",
    LevelSource.CLOSURE.value: "At closure",
    LevelSource.ASSESSMENT.value: "Assessment",
}


class LevelsTab(CaseTab):
    name = "levels"
    title = "Level history"
    icon_name = "level"

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(app, case_id, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        self.set_button = self.button("Set &level…", "level", self.set_level)
        layout.addLayout(self.button_row(self.set_button))
        layout.addWidget(
            muted_label(
                "Every decision is kept: a new decision is added, an old one is never changed."
            )
        )
        self.table = RecordTable(
            ["Date", "Level", "Decided by", "Source", "Rationale"],
            "Level of concern history",
            "No level of concern decided yet.",
        )
        self.table.setItemDelegateForColumn(1, LevelDelegate(self.table))
        self.table.setWordWrap(True)
        self.table.fit_columns([140, 120, 170, 110])
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)

    def populate(self, data: CaseData) -> None:
        super().populate(data)
        rows = []
        for decision in data.levels:
            label, color = data.level_label(decision.level)
            rank = (
                data.scale.level(decision.level).rank
                if data.scale.has_level(decision.level)
                else -1
            )
            level_cell = cell(label, rank)
            level_cell.setData(color, LEVEL_COLOR_ROLE)
            rows.append(
                [
                    cell(
                        fmt_datetime(decision.decided_at),
                        sort_key(decision.decided_at),
                        record_id=decision.id,
                    ),
                    level_cell,
                    cell(data.name_of(decision.decided_by_id)),
                    cell(SOURCE_LABELS.get(decision.source, decision.source)),
                    cell(decision.rationale, tooltip=decision.rationale[:1500]),
                ]
            )
        self.table.set_rows(rows)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)

    def set_level(self) -> None:
        if self.data is not None:
            self.open_dialog(LevelDialog(self.app, self.data.case, self.data.scale, self))
