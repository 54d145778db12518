"""The monitoring log of a case: check-ins and observations while the plan runs.

``MonitoringPanel`` lists the entries and opens ``CheckInDialog``. A check-in that changes the
concern offers to start a reassessment; the panel then emits ``reassessment_requested``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.models import MonitoringEntry
from btam_desktop.services.app import Btam
from btam_desktop.services.plans import MonitoringInput
from btam_desktop.ui.case_tabs.common import TextBox, allow, heading_label, muted_label
from btam_desktop.ui.icons import icon
from btam_desktop.ui.plan.delegates import date_display_format
from btam_desktop.ui.theme import set_style_role
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.form_dialog import FormDialog
from btam_desktop.ui.widgets.record_table import Column, RecordTable

CONCERN_CHANGED = "Changes the concern"
CHECK_IN_DRAFT = "plan-check-in"


def concern_text(entry: MonitoringEntry) -> str:
    """What a check-in says about the concern ("" for an ordinary one)."""
    if entry.reassessment_requested:
        return f"{CONCERN_CHANGED}; reassessment started"
    return CONCERN_CHANGED if entry.changes_concern else ""


@dataclass(frozen=True)
class LoggedCheckIn:
    entry: MonitoringEntry
    reassess: bool


class CheckInDialog(FormDialog):
    """Date, the intervention it is about (optional), what was observed, and whether it
    changes the concern (then: start a reassessment?)."""

    def __init__(
        self,
        app: Btam,
        case_id: int,
        interventions: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Log a check-in",
            "Record what was seen or heard at a check-in, in objective words: behavior and "
            "direct quotes rather than labels.",
            "&Save check-in",
            parent,
        )
        self.app = app
        self.case_id = case_id
        self.restored_banner = Banner(
            BannerKind.INFO, "Restored what you had typed before the program locked.", self
        )
        self.restored_banner.hide()
        self._outer.insertWidget(self._outer.indexOf(self.error_banner), self.restored_banner)
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setDisplayFormat(date_display_format())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.date_error = self.field(
            "&Date:", self.date_edit, name="Date of the check-in", key="observed_on"
        )
        self.intervention = QComboBox()
        self.intervention.addItem("Not about one intervention", "")
        for key, title in interventions:
            self.intervention.addItem(title if len(title) < 80 else title[:77] + "…", key)
            self.intervention.setItemData(
                self.intervention.count() - 1, title, Qt.ItemDataRole.ToolTipRole
            )
        self.field(
            "&Intervention:",
            self.intervention,
            hint="Optional: the plan item this check-in belongs to (a recurring check-in "
            "counts as done for its date).",
            name="Intervention",
        )
        self.observation = TextBox(6, "What was observed, by whom, in whose words")
        self.observation_error = self.field(
            "&What was observed:", self.observation, name="What was observed", key="observation"
        )
        self.changes_concern = QCheckBox("This &changes the concern")
        self.changes_concern.setAccessibleName("This changes the concern")
        self.changes_concern.setToolTip(
            "New behavior, new information or a change in circumstances that could raise or "
            "lower the level of concern."
        )
        self.form.addRow("", self.changes_concern)
        self.reassess_box = QWidget()
        reassess_layout = QVBoxLayout(self.reassess_box)
        reassess_layout.setContentsMargins(0, 0, 0, 0)
        reassess_layout.setSpacing(4)
        note = QLabel(
            "A change in the concern calls for a fresh look: the team reassesses the case "
            "and decides the level again."
        )
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        set_style_role(note, "info-banner")
        reassess_layout.addWidget(note)
        self.start_reassessment = QCheckBox("Start a &reassessment after saving")
        self.start_reassessment.setAccessibleName("Start a reassessment after saving")
        self.start_reassessment.setChecked(True)
        reassess_layout.addWidget(self.start_reassessment)
        self.form.addRow("", self.reassess_box)
        self.reassess_box.setVisible(False)
        self.changes_concern.toggled.connect(self.reassess_box.setVisible)
        self.changes_concern.toggled.connect(lambda _on: self.adjustSize())
        self.finish_layout()
        self.resize(560, self.sizeHint().height())
        self.observation.setFocus()

    def payload(self) -> dict[str, Any]:
        """What was typed, for a draft (kept when the vault locks with the dialog open)."""
        picked = self.date_edit.date()
        return {
            "observed_on": date(picked.year(), picked.month(), picked.day()).isoformat(),
            "intervention_key": str(self.intervention.currentData() or ""),
            "observation": self.observation.toPlainText(),
            "changes_concern": self.changes_concern.isChecked(),
            "start_reassessment": self.start_reassessment.isChecked(),
        }

    def has_text(self) -> bool:
        return bool(self.observation.toPlainText().strip())

    def restore(self, payload: dict[str, Any]) -> None:
        try:
            observed = date.fromisoformat(str(payload.get("observed_on")))
            self.date_edit.setDate(QDate(observed.year, observed.month, observed.day))
        except ValueError:
            pass
        position = self.intervention.findData(str(payload.get("intervention_key") or ""))
        if position >= 0:
            self.intervention.setCurrentIndex(position)
        self.observation.setPlainText(str(payload.get("observation") or ""))
        self.changes_concern.setChecked(bool(payload.get("changes_concern")))
        self.start_reassessment.setChecked(bool(payload.get("start_reassessment", True)))
        self.restored_banner.show()

    def build_work(self) -> Callable[[], Any] | None:
        text = self.observation.toPlainText().strip()
        if not text:
            self.field_problem(self.observation_error, "Write what was observed.")
            return None
        picked = self.date_edit.date()
        observed = date(picked.year(), picked.month(), picked.day())
        if observed > date.today():
            self.field_problem(self.date_error, "A check-in cannot be dated in the future.")
            return None
        changes = self.changes_concern.isChecked()
        reassess = changes and self.start_reassessment.isChecked()
        data = MonitoringInput(
            observed_on=observed,
            observation=text,
            intervention_key=str(self.intervention.currentData() or ""),
            changes_concern=changes,
            reassessment_requested=reassess,
        )
        app, case_id = self.app, self.case_id

        def work() -> LoggedCheckIn:
            entry = app.plans.log_monitoring(case_id, data)
            app.drafts.discard(CHECK_IN_DRAFT, str(case_id))
            return LoggedCheckIn(entry, reassess)

        return work


class MonitoringPanel(QWidget):
    """The log (newest first) and "Log a check-in…"."""

    logged = Signal(object)  # LoggedCheckIn
    reassessment_requested = Signal()

    def __init__(
        self, app: Btam, case_id: int, can_work: bool, why_not: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.case_id = case_id
        self._interventions: list[tuple[str, str]] = []
        self.dialog: CheckInDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(heading_label("Check-ins and observations"))
        top.addStretch(1)
        self.log_button = QPushButton(icon("add"), "&Log a check-in…")
        self.log_button.setAccessibleName("Log a check-in")
        self.log_button.clicked.connect(self.open_check_in)
        allow(self.log_button, can_work, why_not, "Record a check-in or an observation.")
        top.addWidget(self.log_button)
        layout.addLayout(top)
        layout.addWidget(
            muted_label(
                "What the team saw or heard while the plan runs. Mark entries that change the "
                "concern: they call for a reassessment."
            )
        )
        self._names: dict[int, str] = {}
        self._titles: dict[str, str] = {}
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self.table: RecordTable[MonitoringEntry] = RecordTable(
            [
                Column("Date", lambda e: e.observed_on, sort=lambda e: (e.observed_on, e.id or 0)),
                Column("By", self._who),
                Column("Intervention", self._intervention),
                Column(
                    "What was observed",
                    lambda e: e.observation,
                    tooltip=lambda e: e.observation[:1500],
                ),
                Column(
                    "Concern",
                    concern_text,
                    roles={
                        Qt.ItemDataRole.DecorationRole: lambda e: (
                            icon("warning") if concern_text(e) else None
                        ),
                        Qt.ItemDataRole.FontRole: lambda e: self._bold if concern_text(e) else None,
                    },
                ),
            ],
            "Monitoring log",
            "No check-ins logged yet. Use “Log a check-in…” after each contact.",
        )
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setWordWrap(True)
        layout.addWidget(self.table, 1)
        self.table.fit_columns([110, 180, 220, 520, 150])

    def set_entries(
        self,
        entries: Sequence[MonitoringEntry],
        names: dict[int, str],
        titles: dict[str, str],
        interventions: Sequence[tuple[str, str]],
    ) -> None:
        """``titles``: intervention key -> title (all versions); ``interventions``: the items
        one can log a check-in for (key, title)."""
        self._interventions = list(interventions)
        self._names, self._titles = names, titles
        self.table.set_rows(entries)
        self.table.resizeRowsToContents()

    def _who(self, entry: MonitoringEntry) -> str:
        return self._names.get(entry.by_id, "(former member)") if entry.by_id else ""

    def _intervention(self, entry: MonitoringEntry) -> str:
        key = entry.intervention_key
        return (self._titles.get(key, "") if key else "") or "—"

    def open_check_in(self) -> CheckInDialog:
        if self.dialog is not None and not self.dialog.isVisible():
            self.dialog.deleteLater()
        self.dialog = CheckInDialog(self.app, self.case_id, self._interventions, self)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.saved.connect(self._saved)
        draft = self.app.drafts.load(CHECK_IN_DRAFT, str(self.case_id))
        if draft:
            self.dialog.restore(draft)
        self.dialog.open()
        return self.dialog

    def save_draft(self) -> None:
        """Keep a check-in being typed (before a lock); nothing if no dialog is open."""
        dialog = self.dialog
        if dialog is None or not dialog.isVisible() or not self.app.vault.is_open:
            return
        if dialog.has_text():
            self.app.drafts.save(CHECK_IN_DRAFT, dialog.payload(), str(self.case_id))

    def close_dialog(self) -> None:
        if self.dialog is not None and self.dialog.isVisible() and not self.dialog.is_busy():
            self.dialog.done(0)

    def _saved(self, logged: LoggedCheckIn) -> None:
        self.logged.emit(logged)
        if logged.reassess:
            self.reassessment_requested.emit()
