"""Overview: the case's details, its level of concern, members, legal hold and workflow moves."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.enums import CaseSetting, CaseStatus, Priority, ThreatType
from btam_desktop.domain.errors import error_field
from btam_desktop.domain.formatting import format_clock, format_date, format_datetime, person_name
from btam_desktop.domain.models import WorkflowTransition
from btam_desktop.domain.types import utcnow
from btam_desktop.domain.workflow import WorkflowAction
from btam_desktop.services.app import Btam
from btam_desktop.services.cases import EditConflictError
from btam_desktop.services.permissions import Permission
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import (
    allow,
    error_message,
    fmt_datetime,
    fmt_iso,
    muted_label,
    value_label,
)
from btam_desktop.ui.case_tabs.data import OVERVIEW_DRAFT, CaseData
from btam_desktop.ui.icons import icon
from btam_desktop.ui.locale_formats import date_field_pattern
from btam_desktop.ui.operations import run_operation
from btam_desktop.ui.record_dialogs import (
    LegalHoldDialog,
    LevelDialog,
    MembersDialog,
    enum_combo,
    select_data,
)
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.form_dialog import add_field, new_form, show_problem
from btam_desktop.ui.widgets.level import LevelBadge
from btam_desktop.ui.widgets.record_table import Column, RecordTable
from btam_desktop.ui.workflow_dialogs import ThreatTypeDialog, WorkflowDialog

STATUS_GUIDANCE: dict[CaseStatus, str] = {
    CaseStatus.REPORTED: (
        "A concern was reported. Start screening soon: every report is followed up."
    ),
    CaseStatus.SCREENING: (
        "Screen the report with at least two team members. Is the person making a threat, or "
        "posing one? Close it, monitor it, or proceed to a full assessment."
    ),
    CaseStatus.ASSESSMENT: (
        "Gather information lawfully (interviews, records), assess it as a whole, and decide "
        "a level of concern. Then put a management plan in place or close the case."
    ),
    CaseStatus.MANAGEMENT: (
        "Carry out the management plan and review it on schedule. Move to monitoring when the "
        "active steps are done."
    ),
    CaseStatus.MONITORING: (
        "Watch for change. Resume active management if the concern grows, or close the case "
        "with a documented reason."
    ),
    CaseStatus.CLOSED: "The case is closed. Reopen it if new information comes in.",
    CaseStatus.CLOSED_NO_THREAT: (
        "Screening found no threat and closed the case. Reopen it if new information comes in."
    ),
}

DRAFT_DELAY_MS = 1000


class OverviewTab(CaseTab):
    name = "overview"
    title = "Overview"
    icon_name = "case-open"

    moved = Signal()

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(app, case_id, parent)
        self._loaded: dict[str, Any] = {}
        self._version: datetime | None = None  # the case's updated_at the edits started from
        self._mine: dict[str, Any] | None = None  # this person's edits, kept through a conflict
        self._filling = False
        self._saving = False
        self.action_buttons: dict[WorkflowAction, QPushButton] = {}
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        columns = QHBoxLayout(body)
        columns.setContentsMargins(16, 14, 16, 14)
        columns.setSpacing(16)

        # ---- details -------------------------------------------------------------------------
        left = QVBoxLayout()
        left.setSpacing(12)
        columns.addLayout(left, 1)
        self.draft_banner = Banner(BannerKind.INFO, "", self, action_text="Discard")
        self.draft_banner.hide()
        self.draft_banner.action_triggered.connect(self.discard_draft)
        left.addWidget(self.draft_banner)

        details = QGroupBox("Details")
        left.addWidget(details)
        form = new_form()
        details.setLayout(form)
        self.number = value_label(name="Case number")
        form.addRow("Case number:", self.number)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("A short description without names")
        self.title_error = add_field(form, "&Title:", self.title_edit)
        self.status = value_label(name="Status")
        form.addRow("Status:", self.status)

        level_row = QHBoxLayout()
        level_row.setSpacing(10)
        self.level_badge = LevelBadge()
        self.set_level_button = self.button("Set &level…", "level", self._set_level)
        level_row.addWidget(self.level_badge)
        level_row.addWidget(self.set_level_button)
        level_row.addStretch(1)
        form.addRow("Level of concern:", level_row)

        threat_row = QHBoxLayout()
        threat_row.setSpacing(10)
        self.threat_type = value_label(name="Threat type")
        self.set_threat_button = self.button("Set t&hreat type…", "level", self._set_threat_type)
        threat_row.addWidget(self.threat_type)
        threat_row.addWidget(self.set_threat_button)
        threat_row.addStretch(1)
        form.addRow("Threat type:", threat_row)

        self.priority = enum_combo(Priority, Priority.NORMAL)
        add_field(form, "&Priority:", self.priority)
        self.owner = QComboBox()
        add_field(form, "&Owner:", self.owner, accessible_name="Case owner")
        self.site = QLineEdit()
        self.site.setPlaceholderText("School, building or office")
        add_field(form, "S&ite:", self.site)
        self.setting = value_label(name="Setting")
        form.addRow("Setting:", self.setting)

        review_row = QHBoxLayout()
        self.review_on = QCheckBox("&Review on")
        self.review_on.setAccessibleName("Has a next review date")
        self.review_date = QDateEdit()
        self.review_date.setCalendarPopup(True)
        self.review_date.setDisplayFormat(date_field_pattern())
        self.review_date.setAccessibleName("Next review date")
        self.review_date.setMinimumWidth(140)
        review_row.addWidget(self.review_on)
        review_row.addWidget(self.review_date)
        review_row.addStretch(1)
        form.addRow("Next review:", review_row)
        self.review_on.toggled.connect(self.review_date.setEnabled)

        self.opened = value_label(name="Opened")
        form.addRow("Opened:", self.opened)
        self.closed = value_label(name="Closed")
        form.addRow("Closed:", self.closed)

        self.save_button = self.button("&Save changes", "save", self.save_changes)
        self.undo_button = self.button("&Undo changes", "refresh", self.undo_changes)
        self.save_error = muted_label("")
        self.save_error.hide()
        form.addRow("", self.button_row(self.save_button, self.undo_button))
        form.addRow("", self.save_error)

        for signal in (
            self.title_edit.textChanged,
            self.site.textChanged,
            self.priority.currentIndexChanged,
            self.owner.currentIndexChanged,
            self.review_on.toggled,
            self.review_date.dateChanged,
        ):
            signal.connect(self._edited)
        self._editors: list[QWidget] = [
            self.title_edit,
            self.priority,
            self.owner,
            self.site,
            self.review_on,
            self.review_date,
        ]

        team = QGroupBox("Team")
        left.addWidget(team)
        team_form = new_form()
        team.setLayout(team_form)
        members_row = QHBoxLayout()
        self.members = value_label(name="Assigned members")
        self.members_button = self.button("&Change…", "team", self._change_members)
        self.members_button.setAccessibleName("Change assigned members")
        members_row.addWidget(self.members, 1)
        members_row.addWidget(self.members_button, 0, Qt.AlignmentFlag.AlignTop)
        team_form.addRow("Assigned:", members_row)

        hold_row = QHBoxLayout()
        self.hold_state = value_label(name="Legal hold")
        self.hold_button = QPushButton(icon("shield"), "", self)
        self.hold_button.clicked.connect(self._toggle_hold)
        hold_row.addWidget(self.hold_state, 1)
        hold_row.addWidget(self.hold_button, 0, Qt.AlignmentFlag.AlignTop)
        team_form.addRow("Legal hold:", hold_row)
        self.hold_button.setVisible(app.can(Permission.SET_LEGAL_HOLD))
        left.addStretch(1)

        # ---- workflow ------------------------------------------------------------------------
        right = QVBoxLayout()
        right.setSpacing(12)
        columns.addLayout(right, 1)
        workflow = QGroupBox("Next step")
        right.addWidget(workflow)
        workflow_column = QVBoxLayout(workflow)
        workflow_column.setSpacing(8)
        self.guidance = value_label(name="What happens now")
        workflow_column.addWidget(self.guidance)
        self.actions_box = QVBoxLayout()
        self.actions_box.setSpacing(6)
        workflow_column.addLayout(self.actions_box)
        self.no_actions = muted_label("")
        self.no_actions.hide()
        workflow_column.addWidget(self.no_actions)

        history = QGroupBox("Workflow history")
        right.addWidget(history, 1)
        history_column = QVBoxLayout(history)
        self.history: RecordTable[WorkflowTransition] = RecordTable(
            [
                Column(
                    "Date",
                    lambda m: m.at,
                    format_date,
                    tooltip=lambda m: format_datetime(m.at),
                    sort=lambda m: (m.at, m.id or 0),
                    width=100,
                ),
                Column(
                    "Move",
                    lambda m: _action_label(m.action),
                    tooltip=lambda m: (
                        f"{_status_label(m.from_status)} → {_status_label(m.to_status)}"
                    ),
                    width=180,
                ),
                Column("By", lambda m: self.name_of(m.by_id), width=130),
                Column("Reason", _move_reason, tooltip=lambda m: _move_reason(m)[:1500]),
            ],
            "Workflow history",
            "No moves yet.",
        )
        self.history.setMinimumHeight(160)
        history_column.addWidget(self.history)

        self._set_editors_enabled()

    # ---- filling -------------------------------------------------------------------------------

    def populate(self, data: CaseData) -> None:
        first = self.data is None
        super().populate(data)
        case = data.case
        self.number.setText(case.number)
        status = data.status
        self.status.setText(status.label)
        label, color = data.level_label(case.level)
        self.level_badge.set_level(label, color or "#808080")
        self.setting.setText(CaseSetting(case.setting).label if case.setting else "")
        self.threat_type.setText(
            ThreatType(case.threat_type).label
            if case.threat_type in {t.value for t in ThreatType}
            else "Not decided yet"
        )
        self.opened.setText(fmt_datetime(case.opened_at))
        if case.closed_at:
            reason = f" — {case.closure_reason}" if case.closure_reason else ""
            self.closed.setText(fmt_datetime(case.closed_at) + reason)
        else:
            self.closed.setText("Open")
        self.members.setText(
            ", ".join(person_name(a.display_name, a.username) for a in data.members)
            or "Nobody assigned yet"
        )
        self.hold_state.setText(
            "Set: this case cannot be destroyed." if case.legal_hold else "Not set"
        )
        self.hold_button.setText("Lift legal &hold…" if case.legal_hold else "Set legal &hold…")
        self.hold_button.setAccessibleName(
            "Lift legal hold" if case.legal_hold else "Set legal hold"
        )
        self._fill_owner_choices(data)
        if not self.has_unsaved_changes() or self._saving:
            self._fill_editors(self._stored_values(data))
            # The version the person edits from: saving an older one is a conflict (issue 16).
            self._version = case.updated_at
        elif self._mine is not None:
            # After a conflict: their version, with this person's own edits on top of it.
            self._fill_editors({**self._stored_values(data), **self._mine})
            self._mine = None
            self._version = case.updated_at
        self._loaded = self._stored_values(data)
        self._saving = False
        if first and data.overview_draft:
            self._restore_draft(data.overview_draft)
        self._update_dirty()
        self._fill_actions(data)
        self._fill_history(data)

    def _stored_values(self, data: CaseData) -> dict[str, Any]:
        case = data.case
        return {
            "title": case.title,
            "priority": case.priority,
            "owner_id": case.owner_id,
            "site": case.site,
            "review": case.next_review_on.isoformat() if case.next_review_on else None,
        }

    def _fill_owner_choices(self, data: CaseData) -> None:
        self._filling = True
        try:
            current = self.owner.currentData()
            self.owner.clear()
            accounts = data.workers()
            owner_id = data.case.owner_id
            if owner_id is not None and all(a.id != owner_id for a in accounts):
                self.owner.addItem(data.name_of(owner_id), owner_id)
            if owner_id is None:
                self.owner.addItem("(nobody)", None)
            for account in accounts:
                self.owner.addItem(person_name(account.display_name, account.username), account.id)
            select_data(self.owner, current if current is not None else owner_id)
        finally:
            self._filling = False

    def _fill_editors(self, values: dict[str, Any]) -> None:
        self._filling = True
        try:
            self.title_edit.setText(str(values.get("title") or ""))
            select_data(self.priority, values.get("priority"))
            select_data(self.owner, values.get("owner_id"))
            self.site.setText(str(values.get("site") or ""))
            review = values.get("review")
            if review:
                day = date.fromisoformat(str(review))
                self.review_date.setDate(QDate(day.year, day.month, day.day))
                self.review_on.setChecked(True)
            else:
                self.review_date.setDate(QDate.currentDate().addDays(14))
                self.review_on.setChecked(False)
            self.review_date.setEnabled(self.review_on.isChecked() and self.can_work)
        finally:
            self._filling = False

    def _current_values(self) -> dict[str, Any]:
        review = None
        if self.review_on.isChecked():
            d = self.review_date.date()
            review = date(d.year(), d.month(), d.day()).isoformat()
        return {
            "title": self.title_edit.text(),
            "priority": self.priority.currentData(),
            "owner_id": self.owner.currentData(),
            "site": self.site.text(),
            "review": review,
        }

    def _fill_actions(self, data: CaseData) -> None:
        while self.actions_box.count():
            item = self.actions_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.action_buttons = {}
        self.guidance.setText(STATUS_GUIDANCE.get(data.status, ""))
        for action, problem in data.why_not.items():
            button = QPushButton(action.label, self)
            button.setObjectName(f"action_{action.value}")
            button.setAccessibleName(action.label)
            button.setIcon(icon(_ACTION_ICONS.get(action, "task")))
            button.setMinimumHeight(32)
            button.setStyleSheet("text-align: left; padding-left: 10px;")
            allow(button, problem is None, problem or "", _action_tooltip(action))
            button.clicked.connect(lambda _=False, a=action: self.start_move(a))
            self.actions_box.addWidget(button)
            self.action_buttons[action] = button
        self.no_actions.setVisible(not data.why_not)
        if not data.why_not:
            self.no_actions.setText("No workflow step is possible from here.")

    def _fill_history(self, data: CaseData) -> None:
        self.history.set_rows(data.transitions)
        self.history.sortByColumn(0, Qt.SortOrder.DescendingOrder)

    # ---- editing -------------------------------------------------------------------------------

    def _set_editors_enabled(self) -> None:
        for widget in self._editors:
            allow(widget, self.can_work, self.read_only_reason)
        if self.can_work:
            self.review_date.setEnabled(self.review_on.isChecked())
        self._update_dirty()

    def has_unsaved_changes(self) -> bool:
        return bool(self._loaded) and self._current_values() != self._loaded

    def _edited(self, *_args: object) -> None:
        if self._filling:
            return
        self.title_error.clear_message()
        self._update_dirty()
        if self.can_work:
            self._draft_timer.start()

    def _update_dirty(self) -> None:
        dirty = self.has_unsaved_changes() and self.can_work
        self.save_button.setEnabled(dirty)
        self.undo_button.setEnabled(dirty)
        if self.can_work:
            tip = "" if dirty else "Nothing changed yet."
            self.save_button.setToolTip(tip)
            self.undo_button.setToolTip(tip)

    def undo_changes(self) -> None:
        self._fill_editors(self._loaded)
        self._update_dirty()
        self.discard_draft()

    def save_changes(self) -> None:
        if not self.has_unsaved_changes():
            return
        now, before = self._current_values(), self._loaded
        if not str(now["title"]).strip():
            self.title_error.show_message("A case needs a title. Avoid putting names in it.")
            self.title_edit.setFocus()
            return
        changes: dict[str, Any] = {}
        if now["title"] != before["title"]:
            changes["title"] = now["title"]
        if now["site"] != before["site"]:
            changes["site"] = now["site"]
        if now["priority"] != before["priority"]:
            changes["priority"] = Priority(now["priority"])
        if now["owner_id"] != before["owner_id"] and now["owner_id"] is not None:
            changes["owner_id"] = int(now["owner_id"])
        if now["review"] != before["review"]:
            if now["review"] is None:
                changes["clear_next_review"] = True
            else:
                changes["next_review_on"] = date.fromisoformat(now["review"])
        app, case_id = self.app, self.case_id
        version = self._version
        self.save_button.setEnabled(False)
        show_problem(self.save_error, "")
        self._draft_timer.stop()

        def work() -> None:
            app.cases.update(case_id, **changes, expected_version=version)
            app.drafts.discard(OVERVIEW_DRAFT, str(case_id))

        run_operation(
            self, work, what="save the overview", on_done=self._saved, on_error=self._save_failed
        )

    def _saved(self, _result: object) -> None:
        self._saving = True
        self.draft_banner.hide()
        self.changed.emit()

    def _save_failed(self, error: BaseException) -> None:
        if isinstance(error, EditConflictError):
            # Someone else saved meanwhile: their version is read in and this person's own
            # edits are put on top of it; they choose to save them again or to undo them.
            now = self._current_values()
            self._mine = {k: v for k, v in now.items() if v != self._loaded.get(k)}
            at = format_clock(error.when)
            show_problem(
                self.save_error,
                f"{error.who} saved this case while you were editing it ({error.what}, at "
                f"{at}). Your changes are not saved yet; they are shown on top of theirs. "
                "Save changes to keep them, or Undo changes to see only theirs.",
            )
            self.changed.emit()
            self._update_dirty()
            return
        text = error_message(error)
        if error_field(error) == "title":
            self.title_error.show_message(text)
        else:
            show_problem(self.save_error, text)
        self._update_dirty()

    # ---- drafts --------------------------------------------------------------------------------

    def save_drafts(self) -> None:
        self.save_draft()

    def save_draft(self) -> None:
        """Keep unsaved detail edits in the vault (before a lock, and a second after typing)."""
        self._draft_timer.stop()
        if not self.can_work or not self.app.vault.is_open:
            return
        if self.has_unsaved_changes():
            payload = dict(self._current_values(), saved_at=utcnow().isoformat())
            self.app.drafts.save(OVERVIEW_DRAFT, payload, str(self.case_id))
        else:
            self.app.drafts.discard(OVERVIEW_DRAFT, str(self.case_id))

    def _restore_draft(self, payload: dict[str, Any]) -> None:
        values = {key: payload.get(key, self._loaded.get(key)) for key in self._loaded}
        if values == self._loaded:
            return
        self._fill_editors(values)
        when = fmt_iso(payload.get("saved_at"))
        self.draft_banner.set_text(
            f"Restored your unsaved changes to the details from {when}. Save them, or discard."
            if when
            else "Restored your unsaved changes to the details. Save them, or discard."
        )
        self.draft_banner.show()

    def discard_draft(self) -> None:
        self._draft_timer.stop()
        if self.draft_banner.isVisible():
            self._fill_editors(self._loaded)
            self.draft_banner.hide()
        self._update_dirty()
        if self.can_work and self.app.vault.is_open:
            self.app.drafts.discard(OVERVIEW_DRAFT, str(self.case_id))

    # ---- dialogs -------------------------------------------------------------------------------

    def _set_level(self) -> None:
        if self.data is not None:
            self.open_dialog(LevelDialog(self.app, self.data.case, self.data.scale, self))

    def _set_threat_type(self) -> ThreatTypeDialog | None:
        if self.data is None:
            return None
        dialog = ThreatTypeDialog(self.app, self.data.case, self)
        self.open_dialog(dialog)
        return dialog

    def _change_members(self) -> None:
        if self.data is not None:
            self.open_dialog(
                MembersDialog(
                    self.app,
                    self.case_id,
                    self.data.workers(),
                    [a.id for a in self.data.members if a.id is not None],
                    self,
                )
            )

    def _toggle_hold(self) -> None:
        if self.data is not None:
            self.open_dialog(
                LegalHoldDialog(self.app, self.case_id, not self.data.case.legal_hold, self)
            )

    def start_move(self, action: WorkflowAction) -> WorkflowDialog | None:
        if self.data is None:
            return None
        dialog = WorkflowDialog(
            self.app,
            self.data.case,
            action,
            self,
            scale=self.data.scale,
            accounts=list(self.data.accounts.values()),
        )
        self.open_dialog(dialog)
        return dialog


_ACTION_ICONS: dict[WorkflowAction, str] = {
    WorkflowAction.START_SCREENING: "search",
    WorkflowAction.SCREEN_OUT: "check",
    WorkflowAction.SCREEN_TO_ASSESSMENT: "forms",
    WorkflowAction.SCREEN_TO_MONITORING: "eye",
    WorkflowAction.START_MANAGEMENT: "plan",
    WorkflowAction.START_MONITORING: "eye",
    WorkflowAction.RESUME_MANAGEMENT: "plan",
    WorkflowAction.CLOSE: "check",
    WorkflowAction.REOPEN: "refresh",
}


def _action_tooltip(action: WorkflowAction) -> str:
    from btam_desktop.ui.workflow_dialogs import EXPLANATIONS

    return EXPLANATIONS.get(action, "")


def _action_label(action: str) -> str:
    try:
        return WorkflowAction(action).label
    except ValueError:
        return action


def _move_reason(move: WorkflowTransition) -> str:
    """The reason given for a move, with who screened the case when the move says so."""
    screeners = move.details.get("screeners") if move.details else None
    reason = move.reason
    if isinstance(screeners, list) and screeners:
        names = ", ".join(str(s) for s in screeners)
        reason = f"{reason} (screened by {names})" if reason else f"Screened by {names}"
    return reason


def _status_label(value: str) -> str:
    try:
        return CaseStatus(value).label
    except ValueError:
        return value
