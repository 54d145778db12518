"""The management plan of a case: versions, the editor, approval, and the monitoring log.

Only the newest version can be changed; earlier ones stay readable. Saving a draft or a proposed
version updates it; saving changes to the approved plan makes a new proposed version (with a
note on what changes) that the coordinator approves. Everything typed is kept as an encrypted
draft a second after the last change (and before a lock), and restored with a banner when the
tab opens again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from btam_desktop.domain.enums import Role
from btam_desktop.domain.errors import ValidationError
from btam_desktop.domain.formatting import person_name
from btam_desktop.domain.forms import FormDefinition
from btam_desktop.domain.models import ManagementPlan, MonitoringEntry
from btam_desktop.domain.types import utcnow
from btam_desktop.services.app import Btam
from btam_desktop.services.conflicts import EditConflictError
from btam_desktop.services.permissions import Permission
from btam_desktop.services.plans import (
    InterventionStatus,
    PlanCopy,
    PlanInput,
    PlanStatus,
    ReviewDateChoice,
)
from btam_desktop.ui.case_tabs.base import CaseTab
from btam_desktop.ui.case_tabs.common import (
    TextBox,
    allow,
    error_message,
    fmt_date,
    fmt_iso,
    heading_label,
    muted_label,
)
from btam_desktop.ui.icons import icon
from btam_desktop.ui.operations import run_operation
from btam_desktop.ui.plan.catalog_dialog import CatalogDialog
from btam_desktop.ui.plan.contacts import ContactDialog
from btam_desktop.ui.plan.delegates import OptionalDateEdit
from btam_desktop.ui.plan.diff_dialog import DiffDialog
from btam_desktop.ui.plan.intervention_model import Column, InterventionModel, InterventionRow
from btam_desktop.ui.plan.monitoring import LoggedCheckIn, MonitoringPanel
from btam_desktop.ui.plan.table import InterventionTable
from btam_desktop.ui.tasks import run_in_background
from btam_desktop.ui.theme import set_style_role
from btam_desktop.ui.vault_events import RefreshOnChange
from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.flow import FlowLayout
from btam_desktop.ui.widgets.form_dialog import show_problem

PLAN_DRAFT = "plan"
DRAFT_DELAY_MS = 1000
_POSITION = re.compile(r"^Intervention (\d+)\b")

STATUS_WORDS = {
    PlanStatus.DRAFT: "draft",
    PlanStatus.PROPOSED: "proposed",
    PlanStatus.APPROVED: "approved, in force",
    PlanStatus.SUPERSEDED: "superseded",
}
BADGE_WORDS = {
    PlanStatus.DRAFT: "Draft",
    PlanStatus.PROPOSED: "Proposed",
    PlanStatus.APPROVED: "In force",
    PlanStatus.SUPERSEDED: "Superseded",
}


# ---- data (read on a worker thread) ------------------------------------------------------------


@dataclass
class PlanData:
    case_number: str
    setting: str
    versions: list[ManagementPlan]
    items: dict[int, list[InterventionRow]]
    names: dict[int, str]
    members: list[tuple[int, str]]
    monitoring: list[MonitoringEntry]
    catalogs: list[FormDefinition] = field(default_factory=list)
    draft: dict[str, Any] | None = None
    # plan id -> item key -> the item's revision (a save from an older copy is refused)
    item_revisions: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def latest(self) -> ManagementPlan | None:
        return self.versions[-1] if self.versions else None

    @property
    def in_force(self) -> ManagementPlan | None:
        return next((p for p in reversed(self.versions) if p.status == PlanStatus.APPROVED), None)

    def version(self, plan_id: int | None) -> ManagementPlan | None:
        return next((p for p in self.versions if p.id == plan_id), None)

    def name(self, account_id: int | None) -> str:
        if account_id is None:
            return "someone"
        return self.names.get(account_id, "a former member")


def load_plan_data(app: Btam, case_id: int, *, with_draft: bool) -> PlanData:
    case = app.cases.get(case_id)
    versions = app.plans.versions(case_id)
    records = {p.id: app.plans.interventions(p.id) for p in versions if p.id is not None}
    items = {
        plan_id: [InterventionRow.from_record(i) for i in rows] for plan_id, rows in records.items()
    }
    item_revisions = {
        plan_id: {i.key: i.revision for i in rows} for plan_id, rows in records.items()
    }
    accounts = app.team.members(include_inactive=True)
    names = {a.id: person_name(a.display_name, a.username) for a in accounts if a.id is not None}
    # Viewers only read cases: they are never offered as responsible.
    members = [
        (a.id, person_name(a.display_name, a.username))
        for a in accounts
        if a.id is not None and a.active and a.role != Role.VIEWER.value
    ]
    # Contacts outside the team (coach, resource officer, parent) as negative ids.
    for contact in app.plans.contacts(include_inactive=True):
        if contact.id is None:
            continue
        label = contact_label(contact.name, contact.role, contact.organization)
        names[-contact.id] = label
        if contact.active:
            members.append((-contact.id, label))
    try:
        catalogs = list(app.forms().forms(kind="catalog"))
    except Exception:  # a broken custom form must not keep the plan closed
        catalogs = []
    draft = app.drafts.load(PLAN_DRAFT, str(case_id)) if with_draft else None
    return PlanData(
        case_number=case.number,
        setting=case.setting,
        versions=versions,
        items=items,
        names=names,
        members=members,
        monitoring=app.plans.monitoring(case_id),
        catalogs=catalogs,
        draft=draft,
        item_revisions=item_revisions,
    )


def contact_label(name: str, role: str, organization: str) -> str:
    """How a contact outside the team reads in the Responsible column (no organization: the
    column is narrow; the contacts list has it)."""
    return f"{name} · {role}" if role else (f"{name} · {organization}" if organization else name)


def editor_state(
    goals: str,
    supervision: str,
    safety_plan: str,
    next_on: date | None,
    rows: list[InterventionRow],
    monitoring_days: int | None = None,
) -> dict[str, Any]:
    """What the editor holds, JSON-ready: compared to see unsaved changes, kept as the draft."""
    return {
        "goals": goals,
        "supervision": supervision,
        "safety_plan": safety_plan,
        "next_reassessment_on": next_on.isoformat() if next_on else None,
        "monitoring_days": monitoring_days or None,
        "interventions": [r.to_payload() for r in rows],
    }


PROGRESS_FIELDS = frozenset({"status", "dropped_reason"})


def merge_states(
    opened: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]
) -> dict[str, Any]:
    """Their saved plan with this person's own edits on top: each field (and each field of an
    intervention, when both keep the same interventions) is theirs unless the person changed it
    since opening."""
    merged: dict[str, Any] = {}
    for key in theirs.keys() | mine.keys():
        if key == "interventions":
            merged[key] = _merge_items(
                opened.get(key) or [], mine.get(key) or [], theirs.get(key) or []
            )
        else:
            merged[key] = mine.get(key) if mine.get(key) != opened.get(key) else theirs.get(key)
    return merged


def _merge_items(
    opened: list[dict[str, Any]], mine: list[dict[str, Any]], theirs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    if mine == opened:
        return theirs
    keys = [row.get("key") for row in opened]
    if [row.get("key") for row in mine] != keys or [row.get("key") for row in theirs] != keys:
        return mine  # rows added, removed or moved: the person's list as a whole
    return [
        {f: (m.get(f) if m.get(f) != o.get(f) else t.get(f)) for f in m.keys() | t.keys()}
        for o, m, t in zip(opened, mine, theirs, strict=True)
    ]


def progress_only(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The items whose status alone changed, when that is the only difference; else None.

    Marking an item done or dropped is progress, not a change of plan: no new version."""
    if {k: v for k, v in before.items() if k != "interventions"} != {
        k: v for k, v in after.items() if k != "interventions"
    }:
        return None
    old, new = before.get("interventions") or [], after.get("interventions") or []
    if [i.get("key") for i in old] != [i.get("key") for i in new]:
        return None
    changed: list[dict[str, Any]] = []
    for a, b in zip(old, new, strict=True):
        rest_a = {k: v for k, v in a.items() if k not in PROGRESS_FIELDS}
        rest_b = {k: v for k, v in b.items() if k not in PROGRESS_FIELDS}
        if rest_a != rest_b:
            return None
        if a != b:
            changed.append(b)
    return changed or None


def choose_review_date(
    parent: QWidget, case_date: date, plan_date: date
) -> ReviewDateChoice | None:
    """The case's next review date and the plan's differ: the person chooses. Tests replace
    this. None: do not approve now."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Approve the plan: which review date?")
    box.setText(
        f"The case's next review is on {fmt_date(case_date)}; this plan says "
        f"{fmt_date(plan_date)}. Which date should the case keep?"
    )
    keep = box.addButton(f"&Keep {fmt_date(case_date)}", QMessageBox.ButtonRole.AcceptRole)
    use = box.addButton(f"&Use {fmt_date(plan_date)}", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep)
    box.exec()
    clicked = box.clickedButton()
    if clicked is keep:
        return ReviewDateChoice.CASE
    if clicked is use:
        return ReviewDateChoice.PLAN
    return None


def state_of_version(plan: ManagementPlan | None, rows: list[InterventionRow]) -> dict[str, Any]:
    if plan is None:
        return editor_state("", "", "", None, [])
    return editor_state(
        plan.goals,
        plan.supervision,
        plan.safety_plan,
        plan.next_reassessment_on,
        rows,
        plan.monitoring_days,
    )


def describe_version(plan: ManagementPlan, data: PlanData) -> str:
    """One line: which version, its status, who did what when."""
    made = fmt_date(plan.created_at)
    status = PlanStatus(plan.status)
    head = f"Version {plan.version}"
    if status == PlanStatus.DRAFT:
        return (
            f"{head} — draft by {data.name(plan.created_by_id)} on {made}, "
            "waiting for the coordinator's approval"
        )
    if status == PlanStatus.PROPOSED:
        text = (
            f"{head} — proposed by {data.name(plan.created_by_id)} on {made}, "
            "waiting for the coordinator"
        )
        in_force = data.in_force
        if in_force is not None:
            text += f"; version {in_force.version} stays in force until then"
        return text
    approved = fmt_date(plan.approved_at)
    who = data.name(plan.approved_by_id)
    if status == PlanStatus.APPROVED:
        return f"{head} — approved by {who} on {approved}; this is the plan in force"
    return f"{head} — superseded; it was approved by {who} on {approved}"


# ---- small dialogs -----------------------------------------------------------------------------


class _TextDialog(QDialog):
    """A question with a text box; OK only with some text."""

    def __init__(
        self,
        title: str,
        question: str,
        explanation: str,
        ok_text: str,
        empty_problem: str,
        parent: QWidget | None = None,
        text: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self._empty_problem = empty_problem
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(8)
        caption = QLabel(question)
        caption.setWordWrap(True)
        caption.setTextFormat(Qt.TextFormat.PlainText)
        set_style_role(caption, "subheading")
        layout.addWidget(caption)
        if explanation:
            layout.addWidget(muted_label(explanation))
        self.text_edit = TextBox(4)
        self.text_edit.setPlainText(text)
        self.text_edit.setAccessibleName(question.rstrip("?"))
        caption.setBuddy(self.text_edit)
        layout.addWidget(self.text_edit)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setAccessibleName(ok_text.replace("&", ""))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self._try_accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())
        self.text_edit.setFocus()

    def text(self) -> str:
        return self.text_edit.toPlainText().strip()

    def _try_accept(self) -> None:
        if not self.text():
            show_problem(self.problem, self._empty_problem)
            self.text_edit.setFocus()
            return
        self.accept()


class ChangeNoteDialog(_TextDialog):
    def __init__(self, in_force: int, new_version: int, parent: QWidget | None = None) -> None:
        super().__init__(
            "Save as a new version",
            "What changes in this version?",
            f"Version {in_force} is approved and stays in force until the coordinator approves "
            f"version {new_version}. Say briefly what changes and why; the team sees this note "
            "next to the version.",
            f"&Save as version {new_version}",
            "Write a short note on what changes.",
            parent,
        )


class DroppedReasonDialog(_TextDialog):
    def __init__(self, title: str, reason: str, parent: QWidget | None = None) -> None:
        short = title if len(title) < 60 else title[:57] + "…"
        super().__init__(
            "Drop an intervention",
            f"Why is “{short}” dropped?" if title else "Why is this intervention dropped?",
            "The reason stays in the plan's record, so anyone reading it later understands "
            "the decision.",
            "&Drop it",
            "Write why it is dropped.",
            parent,
            reason,
        )


# ---- the tab -----------------------------------------------------------------------------------


class PlanTab(CaseTab):
    """The plan editor and the monitoring log of one case.

    Signals: ``changed`` (as every case tab: the workspace reads the case again and announces
    the change) after each successful write; ``reassessment_requested(case_id)`` when a
    check-in changes the concern and the person chose to start a reassessment; ``loaded`` each
    time the plan was (re)read and shown.
    """

    name = "plan"
    title = "Plan"
    icon_name = "plan"

    reassessment_requested = Signal(int)
    loaded = Signal()

    def __init__(self, app: Btam, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(app, case_id, parent)
        # Another tab's save or another computer's change to this case (issue 13).
        self.follow_changes = RefreshOnChange(
            self, self.refresh, wants=lambda change: change.case_id == case_id
        )
        self.can_approve = app.can(Permission.APPROVE_PLANS)
        self.state: PlanData | None = None
        self.shown_id: int | None = None  # the version on screen; None: no plan yet
        self._saved_state: dict[str, Any] = state_of_version(None, [])  # the newest, as saved
        self._stash: dict[str, Any] | None = None  # working copy while an older one is shown
        self._filling = False
        self._loading = False
        self._reload_pending = False
        self._busy = False
        self._reset_working = False
        self._first_load = True
        self._draft_based_on: int | None = None
        # The saved copy the edits on screen start from (issue 16): a save is refused when the
        # newest version is no longer it; after being told, the person may save over theirs.
        self._editing_copy: PlanCopy | None = None
        self._editing_items: dict[str, int] = {}
        self._items_over = False
        self._opened_state: dict[str, Any] = self._saved_state
        self._conflict_text = ""  # set when a save was refused: theirs is read in under mine
        self.catalog_dialog: CatalogDialog | None = None
        self.contact_dialog: ContactDialog | None = None
        self.diff_dialog: DiffDialog | None = None
        self.note_dialog: ChangeNoteDialog | None = None
        self.drop_dialog: DroppedReasonDialog | None = None
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_drafts)

        self.model = InterventionModel(self)
        self.model.contents_changed.connect(self._edited)
        self.model.dropped_reason_needed.connect(self.ask_dropped_reason)
        self.model.undo_stack.canUndoChanged.connect(self._update_actions)
        self.model.undo_stack.canRedoChanged.connect(self._update_actions)
        self._build()
        self._set_editable(False)
        self.refresh()

    # ---- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 10)
        outer.setSpacing(8)

        header = FlowLayout(spacing=8)  # wraps at 1024 px instead of widening the window
        header.addWidget(heading_label("Management plan"))
        header.addSpacing(8)
        version_caption = QLabel("&Version:")
        self.version_box = QComboBox()
        self.version_box.setAccessibleName("Plan version")
        self.version_box.setMinimumContentsLength(12)  # fits the 1024 px window; grows when wide
        self.version_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.version_box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        version_caption.setBuddy(self.version_box)
        self.version_box.currentIndexChanged.connect(self._version_picked)
        header.addWidget(version_caption)
        header.addWidget(self.version_box)
        self.compare_button = QPushButton(icon("eye"), "C&ompare with…")
        self.compare_button.setAccessibleName("Compare with another version")
        self.compare_button.clicked.connect(self.open_compare)
        header.addWidget(self.compare_button)
        self.print_button = QPushButton(icon("print"), "Print p&lan…")
        self.print_button.setToolTip("Preview, print or save the plan version shown")
        self.print_button.clicked.connect(self.print_plan)
        self.print_button.setEnabled(False)
        header.addWidget(self.print_button)
        header.addStretch(1)
        self.approve_button = QPushButton(icon("check"), "A&pprove")
        self.approve_button.setAccessibleName("Approve this version")
        self.approve_button.clicked.connect(self.approve)
        header.addWidget(self.approve_button)
        self.save_button = QPushButton(icon("save"), "&Save plan")
        self.save_button.setAccessibleName("Save plan")
        self.save_button.clicked.connect(self.save)
        header.addWidget(self.save_button)
        outer.addLayout(header)

        status_row = QHBoxLayout()
        status_row.setSpacing(8)
        self.status_badge = QLabel()
        self.status_badge.setTextFormat(Qt.TextFormat.PlainText)
        self.status_badge.setAccessibleName("Status of the version shown")
        set_style_role(self.status_badge, "badge")
        self.status_badge.hide()
        status_row.addWidget(self.status_badge, 0, Qt.AlignmentFlag.AlignTop)
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Plan status")
        status_row.addWidget(self.status_label, 1)
        outer.addLayout(status_row)
        self.note_label = muted_label("")
        self.note_label.setAccessibleName("What changes in this version")
        self.note_label.hide()
        outer.addWidget(self.note_label)

        self.old_banner = Banner(BannerKind.INFO, "", self, action_text="Show the newest version")
        self.old_banner.action_triggered.connect(self.show_latest)
        self.old_banner.hide()
        outer.addWidget(self.old_banner)
        self.draft_banner = Banner(BannerKind.INFO, "", self, action_text="Discard")
        self.draft_banner.action_triggered.connect(self.discard_draft)
        self.draft_banner.hide()
        outer.addWidget(self.draft_banner)
        self.error_banner = Banner(BannerKind.WARNING, "", self, closable=True)
        self.error_banner.hide()
        outer.addWidget(self.error_banner)

        self.sections = QTabWidget(self)
        self.sections.setDocumentMode(True)
        self.sections.setAccessibleName("Plan and monitoring")
        outer.addWidget(self.sections, 1)
        self.sections.addTab(self._build_editor(), icon("plan"), "Plan")
        self.monitoring = MonitoringPanel(
            self.app, self.case_id, self.can_work, self.read_only_reason
        )
        self.monitoring.logged.connect(self._check_in_logged)
        self.monitoring.reassessment_requested.connect(
            lambda: self.reassessment_requested.emit(self.case_id)
        )
        self.sections.addTab(self.monitoring, icon("timeline"), "Monitoring")

        self.save_action = self._shortcut(
            "Save plan", QKeySequence(QKeySequence.StandardKey.Save), self.save
        )
        self.undo_action = self._shortcut(
            "Undo", QKeySequence(QKeySequence.StandardKey.Undo), self.model.undo_stack.undo
        )
        redo_keys = [QKeySequence("Ctrl+Shift+Z")]
        for key in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo):
            if key not in redo_keys:
                redo_keys.append(key)
        self.redo_action = self._shortcut("Redo", redo_keys[0], self.model.undo_stack.redo)
        self.redo_action.setShortcuts(redo_keys)
        self.undo_button.setDefaultAction(self.undo_action)
        self.redo_button.setDefaultAction(self.redo_action)
        self.undo_button.setAccessibleName("Undo")
        self.redo_button.setAccessibleName("Redo")

    def _shortcut(self, text: str, key: QKeySequence, slot: Any) -> QAction:
        action = QAction(text, self)
        action.setShortcut(key)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_editor(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(6)

        texts = QGridLayout()
        texts.setHorizontalSpacing(12)
        texts.setVerticalSpacing(4)
        self.goals = TextBox(3, "What the plan should achieve")
        self.supervision = TextBox(
            3, "Who watches, where, how often; how the team hears of changes"
        )
        self.safety_plan = TextBox(3, "What the people targeted know and do; who protects them")
        for column, (caption_text, edit) in enumerate(
            (
                ("&Goals", self.goals),
                ("Supervision and &monitoring schedule", self.supervision),
                ("Safety plan for &targets", self.safety_plan),
            )
        ):
            caption = QLabel(caption_text)
            caption.setBuddy(edit)
            set_style_role(caption, "subheading")
            edit.setAccessibleName(caption_text.replace("&", ""))
            # Three lines without a scroll bar (frame, padding and margins included).
            edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * 3 + 26)
            edit.textChanged.connect(self._edited)
            texts.addWidget(caption, 0, column)
            texts.addWidget(edit, 1, column)
            texts.setColumnStretch(column, 1)
        layout.addLayout(texts)

        review_row = QHBoxLayout()
        review_caption = QLabel("Ne&xt reassessment:")
        self.next_reassessment = OptionalDateEdit(name="Next reassessment")
        review_caption.setBuddy(self.next_reassessment.date_edit)
        self.next_reassessment.changed.connect(self._edited)
        review_row.addWidget(review_caption)
        review_row.addWidget(self.next_reassessment)
        review_hint = muted_label(
            "On approval, the case's next review moves to this date if it is later; you choose "
            "when they differ."
        )
        review_hint.setWordWrap(True)
        review_row.addSpacing(12)
        monitoring_caption = QLabel("Monitoring &period:")
        self.monitoring_days = QSpinBox()
        self.monitoring_days.setRange(0, 3650)
        self.monitoring_days.setSpecialValueText("None")
        self.monitoring_days.setSuffix(" days")
        self.monitoring_days.setAccessibleName("Monitoring period in days")
        self.monitoring_days.setToolTip(
            "How long the team watches once active steps are done (for example 60 days). It "
            "has its own end date and task, separate from the reassessment."
        )
        monitoring_caption.setBuddy(self.monitoring_days)
        self.monitoring_days.valueChanged.connect(self._edited)
        self.monitoring_days.valueChanged.connect(self._monitoring_changed)
        self.monitoring_end = muted_label("")
        self.monitoring_end.setAccessibleName("Monitoring period ends")
        review_row.addWidget(monitoring_caption)
        review_row.addWidget(self.monitoring_days)
        review_row.addWidget(self.monitoring_end)
        review_row.addStretch(1)
        layout.addLayout(review_row)
        # On its own line: a wrapped label inside a row is not given the height it needs.
        layout.addWidget(review_hint)

        tools = FlowLayout(spacing=6)  # wraps at 1024 px instead of widening the window
        tools.addWidget(heading_label("Interventions"))
        tools.addSpacing(8)
        self.add_button = self._tool("add", "&Add", "Add an intervention (Insert)", self.add_row)
        self.catalog_button = self._tool(
            "forms",
            "Add from &catalog…",
            "Choose interventions from the catalog for this setting",
            self.open_catalog,
        )
        self.remove_button = self._tool(
            "remove", "R&emove", "Remove the selected interventions (Delete)", self.remove_rows
        )
        self.up_button = self._tool("", "Move &up", "Move up (Ctrl+Up)", lambda: self.move_rows(-1))
        self.down_button = self._tool(
            "", "Move do&wn", "Move down (Ctrl+Down)", lambda: self.move_rows(1)
        )
        self.contact_button = self._tool(
            "add",
            "Add co&ntact…",
            "Add someone outside the team (coach, resource officer, parent) who can be "
            "responsible for an item",
            self.add_contact,
        )
        for button in (
            self.add_button,
            self.catalog_button,
            self.remove_button,
            self.up_button,
            self.down_button,
            self.contact_button,
        ):
            tools.addWidget(button)
        tools.addStretch(1)
        self.undo_button = QToolButton()
        self.undo_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.redo_button = QToolButton()
        self.redo_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        tools.addWidget(self.undo_button)
        tools.addWidget(self.redo_button)
        layout.addLayout(tools)

        self.table = InterventionTable(self.model)
        self.table.add_action.triggered.connect(self.add_row)
        self.table.remove_action.triggered.connect(self.remove_rows)
        self.table.up_action.triggered.connect(lambda: self.move_rows(-1))
        self.table.down_action.triggered.connect(lambda: self.move_rows(1))
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.table.selectionModel().currentChanged.connect(self._update_actions)
        # Room for a few rows however short the screen; the page scrolls beyond that.
        self.table.setMinimumHeight(self.table.fontMetrics().lineSpacing() * 8)
        layout.addWidget(self.table, 1)
        self.table_hint = muted_label(
            "Double-click a cell, press F2 or start typing to change it. Drag rows, or press "
            "Ctrl+Up and Ctrl+Down, to put them in order. Ctrl+Z undoes."
        )
        layout.addWidget(self.table_hint)
        # Scrolls on a short screen (1024×640) rather than drawing the rows over each other.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    def _tool(self, icon_name: str, text: str, tip: str, slot: Any) -> QPushButton:
        button = QPushButton(icon(icon_name), text) if icon_name else QPushButton(text)
        button.setAccessibleName(text.replace("&", "").replace("…", ""))
        button.setToolTip(tip)
        button.setProperty("btamTip", tip)
        button.clicked.connect(slot)
        return button

    # ---- contract ----------------------------------------------------------------------------

    def populate(self, data: object) -> None:
        """The workspace hands every tab the case it read; the plan reads its own data."""
        super().populate(data)  # type: ignore[arg-type]

    def refresh(self) -> None:
        """Read the plan again (off the GUI thread); unsaved edits stay."""
        if self._loading:
            self._reload_pending = True
            return
        self._loading = True
        app, case_id = self.app, self.case_id
        with_draft = self._first_load and self.can_work
        run_in_background(
            lambda: load_plan_data(app, case_id, with_draft=with_draft),
            on_done=self._loaded,
            on_error=self._load_failed,
            parent=self,
        )

    def is_loading(self) -> bool:
        return self._loading or self._busy

    def has_unsaved_changes(self) -> bool:
        if not self.can_work or self.state is None:
            return False
        working = self._working_state()
        return working is not None and working != self._saved_state

    def save_drafts(self) -> None:
        """Keep unsaved plan edits as an encrypted draft (a second after typing, before a lock)."""
        self._draft_timer.stop()
        if not self.can_work or self.state is None or not self.app.vault.is_open:
            return
        self.monitoring.save_draft()
        working = self._working_state()
        latest = self.state.latest
        if working is not None and working != self._saved_state:
            payload = dict(
                working,
                based_on_id=latest.id if latest else None,
                based_on_version=latest.version if latest else 0,
                saved_at=utcnow().isoformat(),
            )
            self.app.drafts.save(PLAN_DRAFT, payload, str(self.case_id))
        else:
            self.app.drafts.discard(PLAN_DRAFT, str(self.case_id))

    def close_dialogs(self) -> None:
        """Close the dialogs this tab opened (the workspace calls this when the vault locks,
        after ``save_drafts``)."""
        self.monitoring.close_dialog()
        for dialog in (self.catalog_dialog, self.diff_dialog, self.note_dialog, self.drop_dialog):
            if dialog is not None and dialog.isVisible():
                dialog.done(0)

    def discard_draft(self) -> None:
        """Throw the restored edits away and show the saved plan."""
        self._draft_timer.stop()
        self.draft_banner.hide()
        self._stash = None
        if self.state is not None:
            self._show_version(self.state.latest.id if self.state.latest else None)
        if self.can_work and self.app.vault.is_open:
            self.app.drafts.discard(PLAN_DRAFT, str(self.case_id))
        self._update_actions()

    # ---- loading -----------------------------------------------------------------------------

    def _loaded(self, data: PlanData) -> None:
        self._loading = False
        previous = self.state
        self.state = data
        self.model.set_people(data.names, data.members)
        latest = data.latest
        latest_id = latest.id if latest else None
        self._saved_state = state_of_version(latest, data.items.get(latest_id or -1, []))
        working = self._working_state()
        if previous is None or self._reset_working or working in (None, self._saved_state):
            self._start_editing_from(data)
        elif self._items_over and latest is not None:
            self._items_over = False
            self._editing_items = dict(data.item_revisions.get(latest.id or -1, {}))
        conflict, self._conflict_text = self._conflict_text, ""
        if self._reset_working:
            self._reset_working = False
            self._stash = None
            self._show_version(latest_id)
        elif previous is None:
            self._show_version(latest_id)
            if data.draft:
                self._restore_draft(data.draft)
        else:
            # Someone saved meanwhile, or the workspace reloaded: keep what is being typed.
            working = self._working_state()
            dirty = working is not None and working != self._saved_state
            previous_latest = previous.latest.id if previous.latest else None
            if not dirty:
                self._stash = None
                keep = self.shown_id if data.version(self.shown_id) else latest_id
                self._show_version(keep if keep != previous_latest else latest_id)
            else:
                if self.shown_id == previous_latest or self.shown_id is None:
                    self.shown_id = latest_id
                self._fill_versions()
                if previous_latest != latest_id:
                    self._show_error(
                        "Someone saved a newer version of this plan while you were editing. "
                        "Your changes are still here; compare with the newest version before "
                        "you save."
                    )
                self._update_header()
                if conflict and working is not None and self._is_latest(self.shown_id):
                    merged = merge_states(self._opened_state, working, self._saved_state)
                    self._opened_state = self._saved_state
                    self._apply_state(merged, keep_undo=True)
                    self._show_error(conflict)
                    self._update_actions()
        self._first_load = False
        self._fill_monitoring()
        self.loaded.emit()
        if self._reload_pending:
            self._reload_pending = False
            self.refresh()

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        self._reload_pending = False
        self._show_error(f"The plan could not be read. {error_message(error)}")

    def _fill_versions(self) -> None:
        assert self.state is not None
        self.version_box.blockSignals(True)
        self.version_box.clear()
        if not self.state.versions:
            self.version_box.addItem("No plan yet", None)
        for plan in reversed(self.state.versions):  # newest first
            self.version_box.addItem(
                f"Version {plan.version} — {STATUS_WORDS.get(PlanStatus(plan.status), '')}",
                plan.id,
            )
            self.version_box.setItemData(
                self.version_box.count() - 1,
                describe_version(plan, self.state),
                Qt.ItemDataRole.ToolTipRole,
            )
        position = self.version_box.findData(self.shown_id)
        self.version_box.setCurrentIndex(max(position, 0))
        self.version_box.setEnabled(len(self.state.versions) > 1)
        self.version_box.blockSignals(False)

    def _fill_monitoring(self) -> None:
        if self.state is None:
            return
        titles: dict[str, str] = {}
        for plan in self.state.versions:  # later versions win
            for row in self.state.items.get(plan.id or -1, []):
                titles[row.key] = row.title
        current = self.state.in_force or self.state.latest
        choices = [
            (r.key, r.title)
            for r in (self.state.items.get(current.id or -1, []) if current else [])
            if r.status.is_open
        ]
        self.monitoring.set_entries(self.state.monitoring, self.state.names, titles, choices)
        count = len(self.state.monitoring)
        self.sections.setTabText(1, f"Monitoring ({count})" if count else "Monitoring")

    # ---- showing a version -------------------------------------------------------------------

    def print_plan(self) -> None:
        from btam_desktop.ui.printing import preview_plan_report

        preview_plan_report(self.app, self.case_id, self.shown_id, self)

    def _is_latest(self, plan_id: int | None) -> bool:
        if self.state is None:
            return False
        latest = self.state.latest
        return (latest.id if latest else None) == plan_id

    def _working_state(self) -> dict[str, Any] | None:
        """The editor's content if the newest version is shown, else the stashed copy."""
        if self.state is None:
            return None
        if self._is_latest(self.shown_id):
            return self._editor_state()
        return self._stash

    def _editor_state(self) -> dict[str, Any]:
        return editor_state(
            self.goals.toPlainText(),
            self.supervision.toPlainText(),
            self.safety_plan.toPlainText(),
            self.next_reassessment.value(),
            self.model.rows(),
            self.monitoring_days.value() or None,
        )

    def _monitoring_changed(self, *_args: object) -> None:
        days = self.monitoring_days.value()
        shown = self.shown_plan()
        ends = None
        if days:
            if shown is not None and shown.monitoring_days == days and shown.monitoring_ends_on:
                ends = shown.monitoring_ends_on
            else:
                ends = date.today() + timedelta(days=days)
        self.monitoring_end.setText(f"ends {fmt_date(ends)}" if ends else "")

    def _apply_state(self, state: dict[str, Any], *, keep_undo: bool = False) -> None:
        self._filling = True
        try:
            self.goals.setPlainText(str(state.get("goals") or ""))
            self.supervision.setPlainText(str(state.get("supervision") or ""))
            self.safety_plan.setPlainText(str(state.get("safety_plan") or ""))
            raw = state.get("next_reassessment_on")
            try:
                next_on = date.fromisoformat(raw) if isinstance(raw, str) and raw else None
            except ValueError:
                next_on = None
            self.next_reassessment.set_value(next_on)
            days = state.get("monitoring_days")
            self.monitoring_days.setValue(days if isinstance(days, int) else 0)
            self._monitoring_changed()
            rows = [
                InterventionRow.from_payload(p)
                for p in state.get("interventions") or []
                if isinstance(p, dict)
            ]
            self.model.set_rows(rows, keep_undo=keep_undo)
        finally:
            self._filling = False

    def _show_version(self, plan_id: int | None) -> None:
        """Put a version (or the working copy of the newest) in the editor."""
        if self.state is None:
            return
        leaving_latest = self._is_latest(self.shown_id) and not self._is_latest(plan_id)
        if leaving_latest:
            working = self._editor_state()
            self._stash = working if working != self._saved_state else None
        self.shown_id = plan_id
        self.print_button.setEnabled(plan_id is not None)  # nothing to print before a plan
        if self._is_latest(plan_id):
            if self._stash is not None:
                self._apply_state(self._stash, keep_undo=True)
                self._stash = None
            else:
                self._apply_state(self._saved_state)
        else:
            plan = self.state.version(plan_id)
            self._apply_state(
                state_of_version(plan, self.state.items.get(plan_id or -1, [])), keep_undo=True
            )
        self._fill_versions()
        self._set_editable(self.can_work and self._is_latest(plan_id))
        self._update_header()

    def _version_picked(self, position: int) -> None:
        plan_id = self.version_box.itemData(position)
        if self.state is not None and plan_id != self.shown_id:
            self._show_version(plan_id)

    def show_latest(self) -> None:
        if self.state is not None:
            self._show_version(self.state.latest.id if self.state.latest else None)

    def show_version(self, version: int) -> bool:
        """Show version number ``version``; False if there is none."""
        if self.state is None:
            return False
        plan = next((p for p in self.state.versions if p.version == version), None)
        if plan is None:
            return False
        self._show_version(plan.id)
        return True

    def shown_plan(self) -> ManagementPlan | None:
        return self.state.version(self.shown_id) if self.state else None

    def _set_editable(self, editable: bool) -> None:
        self.model.set_editable(editable)
        for edit in (self.goals, self.supervision, self.safety_plan):
            edit.setReadOnly(not editable)
        self.next_reassessment.setReadOnly(not editable)
        self.monitoring_days.setReadOnly(not editable)
        self._update_actions()

    def _update_header(self) -> None:
        if self.state is None:
            return
        plan = self.shown_plan()
        latest = self.state.latest
        self.status_badge.setVisible(plan is not None)
        if plan is not None:
            self.status_badge.setText(BADGE_WORDS.get(PlanStatus(plan.status), plan.status))
        if plan is None:
            self.status_label.setText(
                "No plan yet. Write the goals and the interventions, then save: the first "
                "version is a draft until the coordinator approves it."
                if self.can_work
                else "No management plan has been written for this case yet."
            )
            self.note_label.hide()
        else:
            self.status_label.setText(describe_version(plan, self.state))
            note = plan.change_note.strip()
            self.note_label.setText(f"What changes in this version: {note}")
            self.note_label.setVisible(bool(note))
        if plan is not None and latest is not None and plan.id != latest.id:
            self.old_banner.set_text(
                f"You are looking at version {plan.version} "
                f"({STATUS_WORDS.get(PlanStatus(plan.status), plan.status)}). Earlier versions "
                "stay as they were; changes go into the newest version."
            )
            self.old_banner.set_action_text(f"Show version {latest.version}")
            self.old_banner.show()
        else:
            self.old_banner.hide()
        self._update_actions()

    def _update_actions(self, *_args: object) -> None:
        editable = self.model.is_editable() and not self._busy
        dirty = self.has_unsaved_changes()
        latest = self.state.latest if self.state else None
        plan = self.shown_plan()
        why_not = self.read_only_reason if not self.can_work else (
            "Earlier versions cannot be changed. Show the newest version to edit the plan."
        )  # fmt: skip
        has_row = self.table.current_row() >= 0
        allow(self.add_button, editable, why_not, self.add_button.property("btamTip"))
        allow(self.catalog_button, editable, why_not, self.catalog_button.property("btamTip"))
        allow(
            self.contact_button,
            self.can_work,
            self.read_only_reason,
            self.contact_button.property("btamTip"),
        )
        for button in (self.remove_button, self.up_button, self.down_button):
            allow(
                button,
                editable and has_row,
                why_not if not editable else "Select an intervention first.",
                button.property("btamTip"),
            )
        for action in (
            self.table.add_action,
            self.table.remove_action,
            self.table.up_action,
            self.table.down_action,
        ):
            action.setEnabled(editable)
        stack = self.model.undo_stack
        self.undo_action.setEnabled(editable and stack.canUndo())
        self.redo_action.setEnabled(editable and stack.canRedo())
        self.undo_action.setToolTip(
            f"Undo: {stack.undoText()} (Ctrl+Z)" if stack.canUndo() else "Nothing to undo"
        )
        self.redo_action.setToolTip(
            f"Redo: {stack.redoText()} (Ctrl+Shift+Z)" if stack.canRedo() else "Nothing to redo"
        )
        self.save_action.setEnabled(editable and dirty)
        save_text = "&Save plan"
        if latest is not None and latest.status == PlanStatus.APPROVED:
            if dirty and progress_only(self._saved_state, self._editor_state()) is not None:
                save_text = "&Save progress"  # done or dropped: no new version needed
            else:
                save_text = f"&Save as version {latest.version + 1}…"
        self.save_button.setText(save_text)
        self.save_button.setAccessibleName(save_text.replace("&", "").replace("…", ""))
        if not self.can_work:
            allow(self.save_button, False, self.read_only_reason)
        elif not editable:
            allow(self.save_button, False, why_not if not self._busy else "Saving…")
        else:
            allow(self.save_button, dirty, "Nothing changed yet.", "Save the plan (Ctrl+S)")
        # Approve
        if not self.can_approve:
            allow(self.approve_button, False, "Only the team's coordinator approves a plan.")
        elif plan is None:
            allow(self.approve_button, False, "Save the plan first; then approve it.")
        elif plan.status not in (PlanStatus.DRAFT, PlanStatus.PROPOSED):
            allow(
                self.approve_button,
                False,
                f"Version {plan.version} is {STATUS_WORDS[PlanStatus(plan.status)]}; "
                "there is nothing to approve.",
            )
        elif dirty:
            allow(self.approve_button, False, "Save your changes first; then approve them.")
        else:
            allow(
                self.approve_button,
                not self._busy,
                "",
                f"Approve version {plan.version}: it becomes the plan in force.",
            )
        versions = len(self.state.versions) if self.state else 0
        allow(
            self.compare_button,
            versions > 1,
            "There is only one version so far." if versions else "There is no plan yet.",
            "See what changed between two versions.",
        )

    # ---- editing -----------------------------------------------------------------------------

    def _edited(self, *_args: object) -> None:
        if self._filling:
            return
        self.error_banner.hide()
        self._update_actions()
        if self.can_work and self.model.is_editable():
            self._draft_timer.start()

    def add_row(self) -> None:
        if not self.model.is_editable():
            return
        current = self.table.current_row()
        strategy = self.model.row_at(current).strategy if current >= 0 else None
        row = InterventionRow.new(**({"strategy": strategy} if strategy else {}))
        position = current + 1 if current >= 0 else self.model.rowCount()
        self.model.add_rows(position, [row])
        self.table.select_keys([row.key])
        self.table.setFocus()
        self.table.edit(self.model.index(self.model.row_of(row.key), Column.TITLE))

    def remove_rows(self) -> None:
        if not self.model.is_editable():
            return
        keys = self.table.selected_keys()
        if not keys:
            return
        rows = [self.model.row_at(self.model.row_of(k)) for k in keys]
        if len(rows) == 1:
            what = f"“{rows[0].title}”" if rows[0].title else "this intervention"
        else:
            what = f"these {len(rows)} interventions"
        answer = QMessageBox.question(
            self,
            "Remove from the plan",
            f"Remove {what} from the plan?\n\nTo record that something was tried and given up, "
            "set its status to Dropped instead. You can undo a removal with Ctrl+Z.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        first = min(self.model.row_of(k) for k in keys)
        self.model.remove_keys(keys)
        if self.model.rowCount():
            following = self.model.row_at(min(first, self.model.rowCount() - 1)).key
            self.table.select_keys([following])
        self.table.setFocus()

    def move_rows(self, step: int) -> None:
        if not self.model.is_editable():
            return
        keys = self.table.selected_keys()
        column = self.table.currentIndex().column() if self.table.currentIndex().isValid() else 0
        if keys and self.model.move_by(keys, step):
            self.table.select_keys(keys, column)

    def ask_dropped_reason(self, key: str) -> DroppedReasonDialog | None:
        position = self.model.row_of(key)
        if position < 0:
            return None
        row = self.model.row_at(position)
        if self.drop_dialog is not None and not self.drop_dialog.isVisible():
            self.drop_dialog.deleteLater()
        dialog = DroppedReasonDialog(row.title, row.dropped_reason, self)
        self.drop_dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: self.model.drop(key, dialog.text()))
        dialog.open()
        return dialog

    def add_contact(self) -> ContactDialog | None:
        if not self.can_work:
            return None
        dialog = ContactDialog(self.app, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.saved.connect(lambda _contact: self.refresh())
        dialog.open()
        self.contact_dialog = dialog
        return dialog

    def open_catalog(self) -> CatalogDialog | None:
        if not self.model.is_editable() or self.state is None:
            return None
        if not self.state.catalogs:
            self._show_error("No intervention catalog is installed. Add interventions by hand.")
            return None
        if self.catalog_dialog is not None and not self.catalog_dialog.isVisible():
            self.catalog_dialog.deleteLater()
        refs = {r.catalog_ref for r in self.model.rows() if r.catalog_ref}
        dialog = CatalogDialog(self.state.catalogs, self.state.setting, refs, self)
        self.catalog_dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: self._add_from_catalog(dialog))
        dialog.open()
        return dialog

    def _add_from_catalog(self, dialog: CatalogDialog) -> None:
        rows = dialog.chosen_rows()
        if rows:
            self.model.add_rows(self.model.rowCount(), rows)
            self.table.select_keys([r.key for r in rows])
            self.table.setFocus()

    # ---- saving and approving ------------------------------------------------------------------

    def plan_input(self) -> PlanInput:
        next_on = self.next_reassessment.value()
        return PlanInput(
            goals=self.goals.toPlainText(),
            supervision=self.supervision.toPlainText(),
            safety_plan=self.safety_plan.toPlainText(),
            next_reassessment_on=next_on,
            interventions=[r.to_input() for r in self.model.rows()],
            monitoring_days=self.monitoring_days.value() or None,
        )

    def save(self) -> None:
        """Save the newest version (Ctrl+S); asks for a change note when it creates one."""
        if self._busy or not self.model.is_editable() or self.state is None:
            return
        if not self.has_unsaved_changes():
            return
        data = self.plan_input()
        for position, item in enumerate(data.interventions, start=1):
            try:
                item.validate(position)
            except ValidationError as error:
                self._show_save_problem(str(error))
                return
        latest = self.state.latest
        if latest is not None and latest.status == PlanStatus.APPROVED:
            progress = progress_only(self._saved_state, self._editor_state())
            if progress is not None:
                self._start_progress(progress)
                return
            if self.note_dialog is not None and not self.note_dialog.isVisible():
                self.note_dialog.deleteLater()
            dialog = ChangeNoteDialog(latest.version, latest.version + 1, self)
            self.note_dialog = dialog
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.accepted.connect(lambda: self._start_save(data, dialog.text()))
            dialog.open()
            return
        note = latest.change_note if latest is not None else ""
        self._start_save(data, note)

    def _start_editing_from(self, data: PlanData) -> None:
        latest = data.latest
        self._opened_state = self._saved_state
        self._editing_copy = PlanCopy.of(latest)
        self._editing_items = dict(data.item_revisions.get(latest.id or -1, {}) if latest else {})

    def _start_save(self, data: PlanInput, note: str) -> None:
        data.change_note = note
        self._draft_timer.stop()
        self._set_busy(True)
        app, case_id, expected = self.app, self.case_id, self._editing_copy

        def work() -> ManagementPlan:
            plan = app.plans.save(case_id, data, expected=expected)
            app.drafts.discard(PLAN_DRAFT, str(case_id))
            return plan

        # The workspace announces the change once the case is read again (``_written``).
        run_operation(
            self, work, what="save the plan", on_done=self._saved, on_error=self._save_failed
        )

    def _start_progress(self, items: list[dict[str, Any]]) -> None:
        """Done, dropped or in progress: recorded on the plan in force, no new version."""
        self._draft_timer.stop()
        self._set_busy(True)
        app, case_id = self.app, self.case_id
        changes = [
            (
                str(item["key"]),
                InterventionStatus(item["status"]),
                str(item["dropped_reason"]),
                self._editing_items.get(str(item["key"])),
            )
            for item in items
        ]

        def work() -> None:
            for key, status, reason, revision in changes:
                app.plans.record_progress(case_id, key, status, reason, expected_revision=revision)
            app.drafts.discard(PLAN_DRAFT, str(case_id))

        # The workspace announces the change once the case is read again (``_written``).
        run_operation(
            self, work, what="save the plan", on_done=self._saved, on_error=self._save_failed
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.model.set_editable(self.can_work and self._is_latest(self.shown_id) and not busy)
        self._update_actions()

    def _saved(self, _plan: ManagementPlan | None) -> None:
        self._set_busy(False)
        self._reset_working = True
        self.draft_banner.hide()
        self.error_banner.hide()
        self._written()
        self.refresh()

    def _save_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, EditConflictError):
            # Someone saved meanwhile: the edits stay on screen, and the next save goes over
            # what is saved now (the person was told, and chose to save again).
            if isinstance(error.current, PlanCopy):
                self._editing_copy = error.current
            else:
                self._items_over = True  # the items' revisions as they are now, once read
            at = error.when.astimezone().strftime("%H:%M")
            self._conflict_text = (
                f"{error.who} saved {error.record} while you were editing it ({error.what}, at "
                f"{at}). Your changes are not saved yet; they are shown on top of theirs. Save "
                "the plan again to keep them."
            )
            self._show_error(self._conflict_text)
            self.refresh()
            return
        self._show_save_problem(error_message(error))

    def _show_save_problem(self, text: str) -> None:
        self._show_error(f"Not saved yet. {text}")
        match = _POSITION.match(text)
        if match:
            row = int(match.group(1)) - 1
            if 0 <= row < self.model.rowCount():
                self.sections.setCurrentIndex(0)
                self.table.select_keys([self.model.row_at(row).key])
                self.table.setFocus()

    def approve(self) -> None:
        plan = self.shown_plan()
        if (
            plan is None
            or plan.id is None
            or not self.can_approve
            or self._busy
            or plan.status not in (PlanStatus.DRAFT, PlanStatus.PROPOSED)
            or self.has_unsaved_changes()
        ):
            return
        in_force = self.state.in_force if self.state else None
        consequence = (
            f"It replaces version {in_force.version} as the plan in force."
            if in_force
            else "It becomes the plan in force."
        )
        conflict = self.app.plans.review_date_conflict(plan.id)
        choice = ReviewDateChoice.AUTO
        if conflict is not None:
            picked = choose_review_date(self, *conflict)
            if picked is None:
                return
            choice = picked
        else:
            if plan.next_reassessment_on:
                consequence += (
                    f" The case's next review date becomes {fmt_date(plan.next_reassessment_on)}."
                )
            answer = QMessageBox.question(
                self,
                "Approve the plan",
                f"Approve version {plan.version} of the plan?\n\n{consequence}",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._set_busy(True)
        app, plan_id = self.app, plan.id
        run_operation(
            self,
            lambda: app.plans.approve(plan_id, choice),
            what="approve the plan",
            on_done=self._approved,
            on_error=self._approve_failed,
        )

    def _approved(self, _plan: ManagementPlan) -> None:
        self._set_busy(False)
        self._reset_working = True
        self._written()
        self.refresh()

    def _approve_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self._show_error(f"Not approved. {error_message(error)}")

    def _written(self) -> None:
        self.changed.emit()

    # ---- comparing ---------------------------------------------------------------------------

    def open_compare(self) -> DiffDialog | None:
        if self.state is None or len(self.state.versions) < 2:
            return None
        shown = self.shown_plan() or self.state.latest
        assert shown is not None and shown.id is not None
        in_force = self.state.in_force
        if in_force is not None and in_force.id != shown.id:
            other = in_force
        else:
            earlier = [p for p in self.state.versions if p.version < shown.version]
            other = earlier[-1] if earlier else self.state.versions[-1]
        assert other.id is not None
        older, newer = sorted((other, shown), key=lambda p: p.version)
        if self.diff_dialog is not None and not self.diff_dialog.isVisible():
            self.diff_dialog.deleteLater()
        assert older.id is not None and newer.id is not None
        dialog = DiffDialog(self.app, self.state.versions, older.id, newer.id, self)
        self.diff_dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
        return dialog

    # ---- monitoring --------------------------------------------------------------------------

    def _check_in_logged(self, _logged: LoggedCheckIn) -> None:
        self._written()
        self.refresh()

    # ---- drafts and messages -------------------------------------------------------------------

    def _restore_draft(self, payload: dict[str, Any]) -> None:
        state = {key: payload.get(key) for key in self._saved_state}
        if state.get("interventions") is None:
            state["interventions"] = []
        normalized = editor_state(
            str(state.get("goals") or ""),
            str(state.get("supervision") or ""),
            str(state.get("safety_plan") or ""),
            None,
            [],
        )
        normalized["next_reassessment_on"] = state.get("next_reassessment_on")
        days = payload.get("monitoring_days")
        normalized["monitoring_days"] = days if isinstance(days, int) and days > 0 else None
        normalized["interventions"] = [
            InterventionRow.from_payload(p).to_payload()
            for p in state.get("interventions") or []
            if isinstance(p, dict)
        ]
        if normalized == self._saved_state:
            self.app.drafts.discard(PLAN_DRAFT, str(self.case_id))  # nothing left to restore
            return
        self._show_version(self.state.latest.id if self.state and self.state.latest else None)
        self._apply_state(normalized)
        when = fmt_iso(payload.get("saved_at"))
        text = (
            f"Restored your unsaved changes to the plan from {when}. Save them, or discard."
            if when
            else "Restored your unsaved changes to the plan. Save them, or discard."
        )
        latest = self.state.latest if self.state else None
        based_on = payload.get("based_on_id")
        if latest is not None and based_on != latest.id:
            text += (
                f" They were made to an earlier version; the plan is now at version "
                f"{latest.version}. Compare before saving."
            )
            self.draft_banner.set_kind(BannerKind.WARNING)
        self.draft_banner.set_text(text)
        self.draft_banner.show()
        self._update_actions()

    def _show_error(self, text: str) -> None:
        self.error_banner.set_text(text)
        self.error_banner.show()
