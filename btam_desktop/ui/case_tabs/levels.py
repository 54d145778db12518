"""Level history: every level-of-concern decision, with who decided, when and why."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from btam_desktop.domain.enums import LevelSource
from btam_desktop.domain.models import LevelDecision
from btam_desktop.services.app import Btam
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import (
    muted_label,
)
from btam_desktop.ui.case_tabs.data import CaseData
from btam_desktop.ui.record_dialogs import LevelDialog
from btam_desktop.ui.widgets.level import LEVEL_COLOR_ROLE, LevelDelegate
from btam_desktop.ui.widgets.record_table import Column, RecordTable

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
        self.table: RecordTable[LevelDecision] = RecordTable(
            [
                Column("Date", lambda d: d.decided_at, width=140),
                Column(
                    "Level",
                    lambda d: self._level(d)[0],
                    sort=self._rank,
                    roles={LEVEL_COLOR_ROLE: lambda d: self._level(d)[1]},
                    width=120,
                ),
                Column("Decided by", lambda d: self.name_of(d.decided_by_id), width=170),
                Column("Source", lambda d: SOURCE_LABELS.get(d.source, d.source), width=110),
                Column("Rationale", lambda d: d.rationale, tooltip=lambda d: d.rationale[:1500]),
            ],
            "Level of concern history",
            "No level of concern decided yet.",
        )
        self.table.setItemDelegateForColumn(1, LevelDelegate(self.table))
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)

    def populate(self, data: CaseData) -> None:
        super().populate(data)
        self.table.set_rows(data.levels)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)

    def _level(self, decision: LevelDecision) -> tuple[str, str]:
        """(label, colour) of a decided level on the case's scale."""
        return self.data.level_label(decision.level) if self.data is not None else ("", "")

    def _rank(self, decision: LevelDecision) -> int | None:
        """Levels sort by their place on the scale, not by their names."""
        scale = self.data.scale if self.data is not None else None
        if scale is None or not scale.has_level(decision.level):
            return None
        return scale.level(decision.level).rank

    def set_level(self) -> None:
        if self.data is not None:
            self.open_dialog(LevelDialog(self.app, self.data.case, self.data.scale, self))
